package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
)

// TestFeedTwoConsumersPostgres runs two replicas (two Stores, two pools,
// two LISTEN connections) of one consumer name over 10,000 events in ten
// tenants: every event is handled, none by both, no tenant is held by
// both at once; then one replica dies holding a batch (no Ack), and the
// other gets that batch once its lease expired.
func TestFeedTwoConsumersPostgres(t *testing.T) {
	dsn := freshSchema(t)
	open := func() *sqlstore.Store {
		st, err := postgres.Open(context.Background(), dsn, sqlstore.Config{Feed: sqlstore.FeedConfig{Enabled: true, PollInterval: 200 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		st.DB().SetMaxOpenConns(4)
		t.Cleanup(func() { st.Close() })
		return st
	}
	writer, replicas := open(), []*sqlstore.Store{open(), open()}

	// 10 tenants × (100 users + 9 groups of 100 members) = 10,090 events.
	const tenants, users, groups = 10, 100, 9
	total := 0
	for ti := range tenants {
		ctx := store.WithTenant(context.Background(), fmt.Sprintf("t%d", ti))
		var members []store.Member
		for u := range users {
			r, err := writer.Create(ctx, &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: fmt.Sprint("u", u)}}, Attributes: []byte(`{}`)})
			if err != nil {
				t.Fatal(err)
			}
			members = append(members, store.Member{Value: r.ID})
		}
		for g := range groups {
			if _, err := writer.Create(ctx, &store.Resource{Type: store.Group, Unique: []store.Unique{{Attribute: "displayName", Value: fmt.Sprint("g", g)}}, Attributes: []byte(`{}`), Members: members}); err != nil {
				t.Fatal(err)
			}
		}
		total += users + groups*(1+users)
	}

	var mu sync.Mutex
	handledBy := map[string][]int{} // event id → replicas that handled it
	holder := map[string]int{}      // tenant → replica holding its lease now
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for i, st := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &store.Consumer{Feed: st, Name: "search-index", BatchSize: 50, Lease: 30 * time.Second,
				Handle: func(ctx context.Context, b *store.Batch) error {
					mu.Lock()
					if h, ok := holder[b.Tenant]; ok {
						t.Errorf("replica %d claimed tenant %s while replica %d holds it", i, b.Tenant, h)
					}
					holder[b.Tenant] = i
					mu.Unlock()
					time.Sleep(time.Millisecond) // work
					mu.Lock()
					for _, e := range b.Events {
						handledBy[e.ID] = append(handledBy[e.ID], i)
					}
					done := len(handledBy) >= total
					delete(holder, b.Tenant) // before the Ack ends the lease
					mu.Unlock()
					if done {
						cancel()
					}
					return nil
				}}
			if err := c.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("replica %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	per := [2]int{}
	for id, hs := range handledBy {
		if len(hs) != 1 {
			t.Errorf("event %s handled %d times (by %v)", id, len(hs), hs)
		}
		per[hs[0]]++
	}
	if len(handledBy) != total {
		t.Fatalf("%d events handled, want %d", len(handledBy), total)
	}
	if per[0] == 0 || per[1] == 0 {
		t.Errorf("replicas handled %d and %d events: want both to share the work", per[0], per[1])
	}
	t.Logf("%d events: replica 0 handled %d, replica 1 %d", total, per[0], per[1])

	// Replica 0 dies mid-batch: it claimed, and never acknowledged.
	tctx := store.WithTenant(context.Background(), "t0")
	for u := range 20 {
		if _, err := writer.Create(tctx, &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: fmt.Sprint("late", u)}}, Attributes: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	const lease = 500 * time.Millisecond
	lost, err := replicas[0].Claim(context.Background(), "search-index", 50, lease)
	if err != nil || len(lost.Events) != 20 {
		t.Fatalf("replica 0's claim: %v, %v", lost, err)
	}
	if b, err := replicas[1].Claim(context.Background(), "search-index", 50, lease); err != nil || len(b.Events) != 0 {
		t.Fatalf("replica 1 claimed %v (%v) while replica 0's lease holds", b, err)
	}
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer wcancel()
	var again *store.Batch
	for {
		b, err := replicas[1].Claim(wctx, "search-index", 50, lease)
		if err != nil {
			t.Fatalf("replica 1 waiting for the redelivery: %v", err)
		}
		if len(b.Events) > 0 {
			again = b
			break
		}
		if err := replicas[1].Wait(wctx); err != nil {
			t.Fatalf("replica 1 waiting for the redelivery: %v", err)
		}
	}
	if len(again.Events) != len(lost.Events) {
		t.Fatalf("redelivered %d events, want the %d replica 0 lost", len(again.Events), len(lost.Events))
	}
	for i := range again.Events {
		if again.Events[i].ID != lost.Events[i].ID {
			t.Fatalf("redelivered event %d is %s, want %s", i, again.Events[i].ID, lost.Events[i].ID)
		}
	}
	if err := replicas[1].Ack(context.Background(), again); err != nil {
		t.Fatal(err)
	}
	if err := replicas[0].Ack(context.Background(), lost); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("the dead replica's late Ack: %v, want store.ErrLeaseLost", err)
	}
}
