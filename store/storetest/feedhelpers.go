package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/store"
)

// FeedStore is a Store that keeps a change feed.
type FeedStore interface {
	store.Store
	store.Feed
}

// Clock is a clock the feed suite sets: the time a FeedStore under test
// stamps its events with and expires leases by.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock at a fixed time.
func NewClock() *Clock {
	return &Clock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

// Now returns the clock's time: pass it as the store's clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// feedEnv is one fresh feed store, its clock and a context for tenant A
// carrying a principal and a request id.
type feedEnv struct {
	s     FeedStore
	clock *Clock
	ctx   context.Context
	p     auth.Principal
}

func newFeedEnv(t *testing.T, newStore func(t *testing.T, clock *Clock) FeedStore) *feedEnv {
	t.Helper()
	c := NewClock()
	st := newStore(t, c)
	if st == nil {
		t.Fatal("newStore returned nil")
	}
	e := &feedEnv{s: st, clock: c, p: auth.Principal{Tenant: tenantA, Subject: "entra-app", Method: "static-token"}}
	e.ctx = e.request(tenantA, "req-1")
	return e
}

// request returns a context for a request with id rid in tenant.
func (e *feedEnv) request(tenant, rid string) context.Context {
	p := e.p
	p.Tenant = tenant
	ctx := store.WithTenant(context.Background(), tenant)
	ctx = auth.WithPrincipal(ctx, p)
	return store.WithRequestID(ctx, rid)
}

// claim claims a batch, failing the test on an error.
func (e *feedEnv) claim(t testing.TB, consumer string, max int, lease time.Duration) *store.Batch {
	t.Helper()
	b, err := e.s.Claim(context.Background(), consumer, max, lease)
	if err != nil {
		t.Fatalf("Claim(%q): %v", consumer, err)
	}
	if b == nil {
		t.Fatalf("Claim(%q) returned nil and no error", consumer)
	}
	return b
}

// drain claims and acknowledges every batch consumer has waiting, and
// returns the events by tenant, in the order claimed.
func (e *feedEnv) drain(t testing.TB, consumer string) map[string][]store.Event {
	t.Helper()
	out := map[string][]store.Event{}
	for range 10000 {
		b := e.claim(t, consumer, 3, time.Minute)
		if len(b.Events) == 0 {
			return out
		}
		for _, ev := range b.Events {
			if ev.Tenant != b.Tenant {
				t.Errorf("batch of tenant %q holds an event of tenant %q", b.Tenant, ev.Tenant)
			}
		}
		out[b.Tenant] = append(out[b.Tenant], b.Events...)
		if err := e.s.Ack(context.Background(), b); err != nil {
			t.Fatalf("Ack: %v", err)
		}
	}
	t.Fatal("drain: the feed never ran dry")
	return nil
}

// next drains consumer "suite" and returns tenant A's new events.
func (e *feedEnv) next(t testing.TB) []store.Event {
	t.Helper()
	return e.drain(t, "suite")[tenantA]
}

// brief is what the suite compares of an event.
type brief struct {
	Kind   store.EventKind
	Type   string
	ID     string
	Member string
	Paths  []string
}

func briefs(evs []store.Event) []brief {
	var out []brief
	for _, e := range evs {
		b := brief{Kind: e.Kind, Type: e.Type, ID: e.ResourceID, Paths: e.Paths}
		if e.Member != nil {
			b.Member = e.Member.Value
		}
		out = append(out, b)
	}
	return out
}

// checkStamps checks what StampEvents fills: id, tenant, principal,
// request id, time.
func (e *feedEnv) checkStamps(t testing.TB, evs []store.Event, tenant, rid string) {
	t.Helper()
	for _, ev := range evs {
		if ev.ID == "" || ev.Seq == 0 {
			t.Errorf("%s %s: ID %q, Seq %d; want both set", ev.Kind, ev.ResourceID, ev.ID, ev.Seq)
		}
		if ev.Tenant != tenant || ev.RequestID != rid || ev.Principal.Subject != e.p.Subject || ev.Principal.Method != e.p.Method {
			t.Errorf("%s %s: tenant %q, request %q, principal %+v; want %q, %q, subject %q", ev.Kind, ev.ResourceID, ev.Tenant, ev.RequestID, ev.Principal, tenant, rid, e.p.Subject)
		}
		// A store may keep its stamps strictly increasing: within a
		// second of its clock.
		if now := e.clock.Now(); ev.Time.Before(now) || ev.Time.After(now.Add(time.Second)) {
			t.Errorf("%s %s: Time %v, want the store's clock, %v", ev.Kind, ev.ResourceID, ev.Time, now)
		}
	}
}

func isLeaseLost(err error) bool { return errors.Is(err, store.ErrLeaseLost) }
