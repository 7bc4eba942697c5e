package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/storetest"
)

// feedKinds opens a store of each dialect with cfg.
var feedKinds = []struct {
	name string
	open func(testing.TB, sqlstore.Config) *sqlstore.Store
}{
	{"sqlite", newFeedSQLite},
	{"postgres", func(t testing.TB, cfg sqlstore.Config) *sqlstore.Store {
		postgresDSN(t)
		return newFeedPostgres(t, cfg)
	}},
}

func feedUser(name string, attrs string) *store.Resource {
	return &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: name}}, Display: name, Attributes: []byte(attrs)}
}

// drainAll claims and acknowledges everything consumer has waiting.
func drainAll(t testing.TB, f store.Feed, consumer string) []store.Event {
	t.Helper()
	var out []store.Event
	for {
		b, err := f.Claim(context.Background(), consumer, 100, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Events) == 0 {
			return out
		}
		out = append(out, b.Events...)
		if err := f.Ack(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
}

// A store without the feed writes no events, refuses Claim, and still
// reports the exact changes of its writes to store.Committed — the member
// patch's effective changes included.
func TestFeedOffCommitted(t *testing.T) {
	for _, kind := range feedKinds {
		t.Run(kind.name, func(t *testing.T) {
			st := kind.open(t, sqlstore.Config{})
			ctx := store.WithTenant(context.Background(), "acme")
			a, err := st.Create(ctx, feedUser("a", `{"userName":"a","active":true}`))
			if err != nil {
				t.Fatal(err)
			}
			b, err := st.Create(ctx, feedUser("b", `{"userName":"b"}`))
			if err != nil {
				t.Fatal(err)
			}
			g, err := st.Create(ctx, &store.Resource{Type: store.Group, Unique: []store.Unique{{Attribute: "displayName", Value: "G"}}, Display: "G",
				Attributes: []byte(`{"displayName":"G"}`), Members: []store.Member{{Value: a.ID}}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			cctx := store.WithCommitted(ctx, func(evs []store.Event) {
				for _, e := range evs {
					if e.ID == "" || e.Tenant != "acme" {
						t.Errorf("event %+v: not stamped", e)
					}
					m := ""
					if e.Member != nil {
						m = " " + e.Member.Value
					}
					got = append(got, fmt.Sprintf("%s %s%s", e.Kind, e.ResourceID, m))
				}
			})
			if _, err := st.PatchMembers(cctx, g.ID, "", []store.Member{{Value: a.ID}, {Value: b.ID}}, []string{"nobody"}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Update(cctx, store.User, a.ID, "", func(r *store.Resource) error {
				r.Attributes = []byte(`{"userName":"a","active":false}`)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if err := st.Delete(cctx, store.User, a.ID, ""); err != nil {
				t.Fatal(err)
			}
			want := []string{
				"member.added " + g.ID + " " + b.ID,
				"deactivated " + a.ID,
				"deleted " + a.ID,
				"member.removed " + g.ID + " " + a.ID,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("store.Committed with the feed off (-want +got):\n%s", diff)
			}
			if _, err := st.Claim(context.Background(), "x", 10, time.Minute); !errors.Is(err, store.ErrNoFeed) {
				t.Errorf("Claim without the feed: %v, want store.ErrNoFeed", err)
			}
			var n int
			if err := st.DB().QueryRow(`SELECT count(*) FROM scimkit_feed`).Scan(&n); err != nil || n != 0 {
				t.Errorf("the feed table holds %d events (%v), want none with the feed off", n, err)
			}
		})
	}
}

// Retention: PruneFeed (and Claim, at most once a minute) deletes events
// older than Config.Feed.Retention; Values off keeps no documents.
func TestFeedRetentionAndValues(t *testing.T) {
	for _, kind := range feedKinds {
		t.Run(kind.name, func(t *testing.T) {
			c := storetest.NewClock()
			st := kind.open(t, sqlstore.Config{Clock: c.Now, Feed: sqlstore.FeedConfig{Enabled: true, Retention: time.Hour}})
			ctx := store.WithTenant(context.Background(), "acme")
			old, err := st.Create(ctx, feedUser("old", `{"userName":"old"}`))
			if err != nil {
				t.Fatal(err)
			}
			// A tenant whose events all expire before a consumer comes.
			if _, err := st.Create(store.WithTenant(ctx, "aaa"), feedUser("gone", `{"userName":"gone"}`)); err != nil {
				t.Fatal(err)
			}
			c.Advance(2 * time.Hour)
			young, err := st.Create(ctx, feedUser("young", `{"userName":"young"}`))
			if err != nil {
				t.Fatal(err)
			}
			if n, err := st.PruneFeed(context.Background()); err != nil || n != 2 {
				t.Fatalf("PruneFeed: %d, %v; want the two events older than an hour", n, err)
			}
			evs := drainAll(t, st, "c")
			if len(evs) != 1 || evs[0].ResourceID != young.ID || evs[0].ResourceID == old.ID {
				t.Fatalf("after pruning: %d events, want only young's creation (a tenant without events left is passed over)", len(evs))
			}
			if evs[0].After != nil || evs[0].Before != nil {
				t.Errorf("Values off, yet the event holds After %s", evs[0].After)
			}
			if evs[0].Seq != 2 {
				t.Errorf("Seq %d after pruning, want 2: Seqs are never reused", evs[0].Seq)
			}
		})
	}
}

func TestCheckHealth(t *testing.T) {
	for _, kind := range feedKinds {
		t.Run(kind.name, func(t *testing.T) {
			st := kind.open(t, sqlstore.Config{})
			if err := st.CheckHealth(context.Background()); err != nil {
				t.Fatalf("CheckHealth of an open store: %v", err)
			}
			st.Close()
			if err := st.CheckHealth(context.Background()); err == nil {
				t.Fatal("CheckHealth of a closed store: nil")
			}
		})
	}
}

// Two replicas: a consumer of one is woken by a write of the other
// through LISTEN/NOTIFY, not by polling (its poll interval is a minute).
func TestFeedListenPostgres(t *testing.T) {
	dsn := freshSchema(t)
	open := func() *sqlstore.Store {
		st, err := openFeedDSN(dsn, sqlstore.FeedConfig{Enabled: true, PollInterval: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	writer, reader := open(), open()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// The first Wait starts the listener, which wakes it once listening.
	if err := reader.Wait(ctx); err != nil {
		t.Fatalf("first Wait: %v", err)
	}
	if evs := drainAll(t, reader, "listen"); len(evs) != 0 {
		t.Fatalf("%d events before any write", len(evs))
	}
	done := make(chan error, 1)
	go func() { done <- reader.Wait(ctx) }()
	u, err := writer.Create(store.WithTenant(context.Background(), "acme"), feedUser("ann", `{"userName":"ann"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Wait of the other replica: %v (no notification within 20 s)", err)
	}
	if evs := drainAll(t, reader, "listen"); len(evs) != 1 || evs[0].ResourceID != u.ID {
		t.Fatalf("after the notification: %d events, want ann's creation", len(evs))
	}
}
