package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
)

// benchFeedStores opens two PostgreSQL stores in fresh schemas of one
// database: without the feed and with it, for the same benchmark in the
// same run.
func benchFeedStore(b *testing.B, feed bool) *sqlstore.Store {
	cfg := sqlstore.Config{}
	if feed {
		cfg.Feed = sqlstore.FeedConfig{Enabled: true}
	}
	return newFeedPostgres(b, cfg)
}

func entraUser(i int) *store.Resource {
	name := fmt.Sprintf("jdoe%d@contoso.com", i)
	return &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: name}}, Display: "Jane Doe", ExternalID: fmt.Sprint("jdoe", i),
		Attributes: []byte(strings.ReplaceAll(entraDoc, "%[1]d", fmt.Sprint(i))), Schemas: []string{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}}
}

func vacuum(b *testing.B, st *sqlstore.Store) {
	b.Helper()
	for _, table := range []string{"scimkit_resources", "scimkit_unique", "scimkit_feed", "scimkit_feed_heads"} {
		if _, err := st.DB().Exec(`VACUUM ANALYZE ` + table); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPostgresFeedCreate: an Entra user's create, with the change
// feed off and on (the feed's cost is the difference).
func BenchmarkPostgresFeedCreate(b *testing.B) {
	for _, feed := range []bool{false, true} {
		b.Run(fmt.Sprintf("feed=%v", feed), func(b *testing.B) {
			st := benchFeedStore(b, feed)
			ctx := store.WithTenant(context.Background(), "acme")
			for i := range 200 { // warm the pool and the statement caches
				if _, err := st.Create(ctx, entraUser(-1-i)); err != nil {
					b.Fatal(err)
				}
			}
			vacuum(b, st)
			b.ResetTimer()
			for i := range b.N {
				if _, err := st.Create(ctx, entraUser(i)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPostgresFeedPatch: a PATCH of a user's title (read, then a
// versioned UPDATE), with the change feed off and on.
func BenchmarkPostgresFeedPatch(b *testing.B) {
	for _, feed := range []bool{false, true} {
		b.Run(fmt.Sprintf("feed=%v", feed), func(b *testing.B) {
			st := benchFeedStore(b, feed)
			ctx := store.WithTenant(context.Background(), "acme")
			var ids []string
			for i := range 500 {
				r, err := st.Create(ctx, entraUser(i))
				if err != nil {
					b.Fatal(err)
				}
				ids = append(ids, r.ID)
			}
			vacuum(b, st)
			b.ResetTimer()
			for i := range b.N {
				k := i % len(ids)
				doc := strings.Replace(string(entraUser(k).Attributes), `"title":"Engineer"`, fmt.Sprintf(`"title":"Engineer %d"`, i), 1)
				if _, err := st.Update(ctx, store.User, ids[k], "", func(r *store.Resource) error {
					r.Attributes = []byte(doc)
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPostgresFeedLatency: the time from a write's commit stamp to a
// consumer of another replica seeing its event, woken by LISTEN/NOTIFY
// (p50 and p99 in ms), while one writer commits creates back to back.
func BenchmarkPostgresFeedLatency(b *testing.B) {
	dsn := freshSchema(b)
	open := func() *sqlstore.Store {
		st, err := openFeedDSN(dsn, sqlstore.FeedConfig{Enabled: true, PollInterval: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	}
	writer, reader := open(), open()
	ctx := store.WithTenant(context.Background(), "acme")
	var mu sync.Mutex
	var lat []time.Duration
	cctx, cancel := context.WithCancel(context.Background())
	seen := make(chan struct{})
	go func() {
		defer close(seen)
		for cctx.Err() == nil {
			bt, err := reader.Claim(cctx, "latency", 1000, time.Minute)
			if err != nil {
				return
			}
			if len(bt.Events) == 0 {
				if reader.Wait(cctx) != nil {
					return
				}
				continue
			}
			now := time.Now()
			mu.Lock()
			for _, e := range bt.Events {
				lat = append(lat, now.Sub(e.Time))
			}
			mu.Unlock()
			reader.Ack(cctx, bt)
		}
	}()
	b.ResetTimer()
	for i := range b.N {
		if _, err := writer.Create(ctx, entraUser(i)); err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Millisecond) // a write every millisecond or so, not a flood
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(lat)
		mu.Unlock()
		if n >= b.N || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	cancel()
	<-seen
	if len(lat) < b.N {
		b.Fatalf("the consumer saw %d of %d events", len(lat), b.N)
	}
	slices.Sort(lat)
	ms := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / 1e6 }
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
}

// BenchmarkPostgresFeedThroughput: a consumer reading and acknowledging
// 10,090 events in batches of 500 (events/s).
func BenchmarkPostgresFeedThroughput(b *testing.B) {
	st := newFeedPostgres(b, sqlstore.Config{Feed: sqlstore.FeedConfig{Enabled: true}})
	ctx := store.WithTenant(context.Background(), "acme")
	var members []store.Member
	for u := range 100 {
		r, err := st.Create(ctx, &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: fmt.Sprint("u", u)}}, Attributes: []byte(`{}`)})
		if err != nil {
			b.Fatal(err)
		}
		members = append(members, store.Member{Value: r.ID})
	}
	for g := range 99 {
		if _, err := st.Create(ctx, &store.Resource{Type: store.Group, Unique: []store.Unique{{Attribute: "displayName", Value: fmt.Sprint("g", g)}}, Attributes: []byte(`{}`), Members: members}); err != nil {
			b.Fatal(err)
		}
	}
	vacuum(b, st)
	b.ResetTimer()
	total := 0
	for i := range b.N {
		name := fmt.Sprint("reader-", i)
		for {
			bt, err := st.Claim(context.Background(), name, 500, time.Minute)
			if err != nil {
				b.Fatal(err)
			}
			if len(bt.Events) == 0 {
				break
			}
			total += len(bt.Events)
			if err := st.Ack(context.Background(), bt); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkPostgresFeedOverhead measures the feed's cost on a create and
// on a PATCH robustly on a shared, noisy machine: each iteration runs the
// operation on a store without the feed and on one with it (in turn
// first), and the medians of each are reported with the overhead in %.
// A third run, on the store without the feed with a store.WithCommitted
// context (as the Handler's hooks ask), works out the events but does not
// store them: "events-µs" — the part of the overhead that is Go
// (store.Changes), not the database.
func BenchmarkPostgresFeedOverhead(b *testing.B) {
	for _, op := range []string{"create", "patch"} {
		b.Run("op="+op, func(b *testing.B) {
			stores := [2]*sqlstore.Store{benchFeedStore(b, false), benchFeedStore(b, true)}
			ctx := store.WithTenant(context.Background(), "acme")
			var ids [2][]string
			for k, st := range stores {
				for i := range 300 {
					r, err := st.Create(ctx, entraUser(-1-i))
					if err != nil {
						b.Fatal(err)
					}
					ids[k] = append(ids[k], r.ID)
				}
				vacuum(b, st)
			}
			cctx := store.WithCommitted(ctx, func([]store.Event) {})
			run := func(k, i int) time.Duration {
				ctx := ctx
				if k == 2 {
					k, ctx = 0, cctx
				}
				start := time.Now()
				var err error
				if op == "create" {
					_, err = stores[k].Create(ctx, entraUser(i))
				} else {
					j := i % len(ids[k])
					doc := strings.Replace(string(entraUser(-1-j).Attributes), `"title":"Engineer"`, fmt.Sprintf(`"title":"Engineer %d"`, i), 1)
					_, err = stores[k].Update(ctx, store.User, ids[k][j], "", func(r *store.Resource) error {
						r.Attributes = []byte(doc)
						return nil
					})
				}
				if err != nil {
					b.Fatal(err)
				}
				return time.Since(start)
			}
			var took [3][]time.Duration
			b.ResetTimer()
			for i := range b.N {
				for j := range 3 {
					k := (i + j) % 3
					took[k] = append(took[k], run(k, 3*i+j))
				}
			}
			b.StopTimer()
			med := func(d []time.Duration) float64 {
				slices.Sort(d)
				return float64(d[len(d)/2])
			}
			off, on := med(took[0]), med(took[1])
			b.ReportMetric(off/1e3, "off-µs")
			b.ReportMetric(med(took[2])/1e3, "events-µs")
			b.ReportMetric(on/1e3, "on-µs")
			b.ReportMetric(100*(on-off)/off, "overhead-%")
		})
	}
}

// BenchmarkPostgresFeedIdleClaim: a Claim that finds nothing, by the
// number of tenants the feed has met (each with events, all
// acknowledged): what a consumer pays each time it wakes with nothing to
// do, next to a one-row primary-key read on the same database (the
// floor).
func BenchmarkPostgresFeedIdleClaim(b *testing.B) {
	for _, tenants := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprint("tenants=", tenants), func(b *testing.B) {
			st := newFeedPostgres(b, sqlstore.Config{Feed: sqlstore.FeedConfig{Enabled: true}})
			db := st.DB()
			for _, q := range []string{
				`INSERT INTO scimkit_feed_heads (tenant, seq) SELECT 't' || g, 5 FROM generate_series(1, $1) g`,
				`INSERT INTO scimkit_feed_consumers (consumer, tenant, acked, claimed_ns) SELECT 'c', 't' || g, 5, g FROM generate_series(1, $1) g`,
			} {
				if _, err := db.Exec(q, tenants); err != nil {
					b.Fatal(err)
				}
			}
			vacuum(b, st)
			ctx := context.Background()
			floor := func() {
				var seq int64
				if err := db.QueryRowContext(ctx, `SELECT seq FROM scimkit_feed_heads WHERE tenant = $1`, "t1").Scan(&seq); err != nil {
					b.Fatal(err)
				}
			}
			var claim, read time.Duration
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				bt, err := st.Claim(ctx, "c", 100, time.Minute)
				if err != nil || len(bt.Events) != 0 {
					b.Fatalf("Claim: %v, %v", bt, err)
				}
				claim += time.Since(start)
				start = time.Now()
				floor()
				read += time.Since(start)
			}
			b.ReportMetric(float64(claim.Microseconds())/float64(b.N), "claim-µs")
			b.ReportMetric(float64(read.Microseconds())/float64(b.N), "floor-µs")
		})
	}
}
