package memory_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func feedStore(events int) (*memory.Store, *clock) {
	c := &clock{now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	return memory.NewWithConfig(memory.Config{Clock: c.Now, FeedEvents: events}), c
}

func createUsers(t *testing.T, s store.Store, tenant string, n int) []string {
	t.Helper()
	ctx := auth.WithPrincipal(store.WithRequestID(store.WithTenant(context.Background(), tenant), "r-"+tenant), auth.Principal{Tenant: tenant, Subject: "entra", Method: "static-token"})
	var ids []string
	for i := range n {
		name := fmt.Sprintf("%s-%d-%s@example.com", tenant, i, store.NewID()[:8])
		r, err := s.Create(ctx, &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: name}}, Attributes: json.RawMessage(fmt.Sprintf(`{"userName":%q}`, name))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

func TestFeedClaimAckAndLeases(t *testing.T) {
	s, clk := feedStore(100)
	ctx := context.Background()
	ids := createUsers(t, s, "t1", 5)

	b, err := s.Claim(ctx, "sessions", 3, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if b.Tenant != "t1" || len(b.Events) != 3 {
		t.Fatalf("first claim: tenant %q, %d events; want t1 and 3", b.Tenant, len(b.Events))
	}
	for i, e := range b.Events {
		if e.Seq != int64(i+1) || e.Kind != store.Created || e.ResourceID != ids[i] || e.Principal.Subject != "entra" || e.RequestID != "r-t1" || e.Tenant != "t1" || e.ID == "" {
			t.Errorf("event %d: %+v", i, e)
		}
	}
	// The tenant is leased: a second replica gets nothing.
	if b2, err := s.Claim(ctx, "sessions", 10, time.Minute); err != nil || len(b2.Events) != 0 {
		t.Fatalf("a second claim while the lease holds: %v events, err %v", len(b2.Events), err)
	}
	// Another consumer name sees every event.
	if b3, _ := s.Claim(ctx, "audit", 10, time.Minute); len(b3.Events) != 5 {
		t.Errorf("consumer audit got %d events, want all 5", len(b3.Events))
	}
	// The lease expires unacknowledged: the same events again.
	clk.Add(2 * time.Minute)
	again, _ := s.Claim(ctx, "sessions", 3, time.Minute)
	if len(again.Events) != 3 || again.Events[0].ID != b.Events[0].ID {
		t.Fatalf("after the lease expired: %d events starting %v, want the same 3", len(again.Events), again.Events)
	}
	if err := s.Ack(ctx, b); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("Ack of a batch whose lease was claimed again: %v, want ErrLeaseLost", err)
	}
	if err := s.Ack(ctx, again); err != nil {
		t.Fatal(err)
	}
	rest, _ := s.Claim(ctx, "sessions", 10, time.Minute)
	if len(rest.Events) != 2 || rest.Events[0].Seq != 4 {
		t.Fatalf("after the ack: %d events from seq %d, want 2 from 4", len(rest.Events), rest.Events[0].Seq)
	}
	if err := s.Ack(ctx, rest); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.Claim(ctx, "sessions", 10, time.Minute); len(b.Events) != 0 {
		t.Errorf("everything acknowledged, yet %d events claimed", len(b.Events))
	}
}

func TestFeedIsBounded(t *testing.T) {
	s, _ := feedStore(10)
	createUsers(t, s, "t1", 25)
	b, err := s.Claim(context.Background(), "c", 100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Events) != 10 || b.Events[0].Seq != 16 || b.Events[9].Seq != 25 {
		t.Fatalf("a feed of 10 after 25 events: %d events, seq %d..%d; want the last 10 (16..25)", len(b.Events), b.Events[0].Seq, b.Events[len(b.Events)-1].Seq)
	}
}

func TestFeedWaitWakesOnWrite(t *testing.T) {
	s, _ := feedStore(10)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if b, _ := s.Claim(ctx, "c", 10, time.Minute); len(b.Events) != 0 {
		t.Fatal("empty feed claimed events")
	}
	done := make(chan error, 1)
	go func() { done <- s.Wait(ctx) }()
	createUsers(t, s, "t1", 1)
	if err := <-done; err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if b, _ := s.Claim(ctx, "c", 10, time.Minute); len(b.Events) != 1 {
		t.Errorf("after Wait returned, %d events claimed", len(b.Events))
	}
}

func TestFeedOff(t *testing.T) {
	s := memory.New()
	if _, err := s.Claim(context.Background(), "c", 1, time.Second); !errors.Is(err, store.ErrNoFeed) {
		t.Errorf("Claim on a store without a feed: %v, want ErrNoFeed", err)
	}
}

func TestConsumerRun(t *testing.T) {
	s, _ := feedStore(100)
	createUsers(t, s, "a", 3)
	createUsers(t, s, "b", 4)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	seen := map[string]int{}
	c := &store.Consumer{Feed: s, Name: "n", BatchSize: 2, Handle: func(_ context.Context, b *store.Batch) error {
		seen[b.Tenant] += len(b.Events)
		if seen["a"] == 3 && seen["b"] == 4 {
			cancel()
		}
		return nil
	}}
	if err := c.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	if seen["a"] != 3 || seen["b"] != 4 {
		t.Errorf("consumed %v, want a:3 b:4", seen)
	}
}

func TestFeedClaimRefusesBadArguments(t *testing.T) {
	s, _ := feedStore(10)
	for _, tc := range []struct {
		consumer string
		limit    int
		lease    time.Duration
	}{{"", 1, time.Second}, {"c", 0, time.Second}, {"c", 1, 0}, {"c", -1, time.Second}, {"c", 1, -time.Second}} {
		if _, err := s.Claim(context.Background(), tc.consumer, tc.limit, tc.lease); err == nil {
			t.Errorf("Claim(%q, %d, %v) succeeded", tc.consumer, tc.limit, tc.lease)
		}
	}
	if b, err := s.Claim(context.Background(), "c", 1, time.Nanosecond); err != nil || b == nil {
		t.Errorf("Claim with the smallest limit and lease: %v", err)
	}
}

func TestFeedEmptyClaimHoldsNoLease(t *testing.T) {
	s, _ := feedStore(10)
	createUsers(t, s, "t1", 2)
	ctx := context.Background()
	b, _ := s.Claim(ctx, "c", 10, time.Minute)
	if err := s.Ack(ctx, b); err != nil {
		t.Fatal(err)
	}
	empty, _ := s.Claim(ctx, "c", 10, time.Minute)
	if len(empty.Events) != 0 || empty.Lease != "" || empty.Tenant != "" {
		t.Fatalf("a claim with nothing to hand out: %+v, want no events, no tenant, no lease", empty)
	}
	createUsers(t, s, "t1", 1)
	if b, _ := s.Claim(ctx, "c", 10, time.Minute); len(b.Events) != 1 || b.Events[0].Seq != 3 {
		t.Errorf("the next event after an empty claim: %+v", b.Events)
	}
}

func TestFeedWaitBlocksWhileNothingHappens(t *testing.T) {
	s, _ := feedStore(10)
	createUsers(t, s, "t1", 1)
	ctx := context.Background()
	b, _ := s.Claim(ctx, "c", 10, time.Minute)
	_ = s.Ack(ctx, b)
	if b, _ := s.Claim(ctx, "c", 10, time.Minute); len(b.Events) != 0 {
		t.Fatal("claimed events after acknowledging everything")
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := s.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait with nothing new: %v, want it to block until the context ends", err)
	}
}
