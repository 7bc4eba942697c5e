package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
)

// A SQLite write that cannot take the write lock within the busy timeout
// (and inTx's retries) is unavailable, not applied; reads go on (WAL),
// and once the lock is free the write succeeds.
func TestSQLiteBusyIsUnavailable(t *testing.T) {
	dsn := "file:" + filepath.Join(t.TempDir(), "busy.db") + "?_txlock=immediate&_pragma=busy_timeout(20)&_pragma=journal_mode(WAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := sqlstore.New(context.Background(), db, sqlstore.SQLite(), sqlstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := store.WithTenant(context.Background(), "acme")
	r, err := st.Create(ctx, &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: "ada@example.com"}}, Attributes: []byte(`{"userName":"ada@example.com"}`)})
	if err != nil {
		t.Fatal(err)
	}

	other, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	holder, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	rename := func(r *store.Resource) error { r.Display = "Ada"; return nil }
	_, err = st.Update(ctx, store.User, r.ID, "", rename)
	ue, ok := errors.AsType[*store.UnavailableError](err)
	if !ok || !errors.Is(err, store.ErrUnavailable) || ue.Op != "Update" || ue.OutcomeUnknown {
		t.Fatalf("Update while another connection writes: %v, want unavailable for Update with a known outcome", err)
	}
	if got, err := st.Get(ctx, store.User, r.ID); err != nil || got.Display != "" {
		t.Fatalf("Get while another connection writes: %+v, %v", got, err)
	}

	if _, err := holder.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	holder.Close()
	if got, err := st.Update(ctx, store.User, r.ID, "", rename); err != nil || got.Display != "Ada" {
		t.Fatalf("Update once the lock is free: %+v, %v", got, err)
	}
}

// Connections the server closed while they sat in the pool are dropped:
// a transaction that meets one at BEGIN runs again on another, a read
// fails once per such connection (unavailable) and never again, and after
// a second idle none is handed out at all (stdlib pings it first).
func TestPostgresDeadConnectionsAreDropped(t *testing.T) {
	u, err := url.Parse(freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	app := "scimkit_dead_" + strings.ReplaceAll(store.NewID(), "-", "")[:12]
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	st, err := postgres.Open(context.Background(), u.String(), sqlstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	admin, err := sql.Open("pgx", postgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	kill := func() int {
		t.Helper()
		var n int
		if err := admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1`, app).Scan(&n); err != nil {
			t.Fatal(err)
		}
		// pg_terminate_backend only signals: wait until they are gone.
		for range 100 {
			var left int
			if err := admin.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&left); err != nil {
				t.Fatal(err)
			}
			if left == 0 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		return n
	}

	ctx := store.WithTenant(context.Background(), "acme")
	r, err := st.Create(ctx, &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: "ada@example.com"}}, Attributes: []byte(`{"userName":"ada@example.com"}`)})
	if err != nil {
		t.Fatal(err)
	}
	// fillPool leaves six connections in the pool, each used twice: stdlib
	// pings a connection before its first reuse, and then only after a
	// second idle.
	fillPool := func() {
		for range 2 {
			var wg sync.WaitGroup
			for range 6 {
				wg.Go(func() {
					st.DB().ExecContext(ctx, "SELECT pg_sleep(0.05)") // a dead connection fails, and is dropped
				})
			}
			wg.Wait()
		}
	}

	// A transaction that meets a dead connection at BEGIN runs again (on
	// the next connection, dead too or not): fewer Updates fail than
	// there are dead connections.
	fillPool()
	dead := kill()
	if dead < 2 {
		t.Fatalf("terminated %d connections, want the pool's (6)", dead)
	}
	failed := 0
	for {
		_, err := st.Update(ctx, store.User, r.ID, "", func(r *store.Resource) error { r.Display = "Ada"; return nil })
		if err == nil {
			break
		}
		if failed++; !errors.Is(err, store.ErrUnavailable) || failed > dead {
			t.Fatalf("Update %d over a pool of %d dead connections: %v", failed, dead, err)
		}
	}
	if failed >= dead {
		t.Errorf("%d Updates failed over %d dead connections: BEGIN did not run again", failed, dead)
	}
	t.Logf("pool of %d dead connections: %d Updates failed", dead, failed)

	fillPool()
	dead = kill()
	failed = 0
	for range dead + 3 {
		_, err := st.Get(ctx, store.User, r.ID)
		if err == nil {
			continue
		}
		failed++
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("Get on a dead connection: %v, want unavailable", err)
		}
	}
	if failed > dead {
		t.Errorf("%d Gets failed, more than the %d dead connections: a dead connection was handed out twice", failed, dead)
	}
	t.Logf("pool of %d dead connections: %d Gets failed", dead, failed)
	for i := range 5 {
		if _, err := st.Get(ctx, store.User, r.ID); err != nil {
			t.Errorf("Get %d once every dead connection was dropped: %v", i, err)
		}
	}

	fillPool()
	kill()
	time.Sleep(1100 * time.Millisecond)
	for i := range dead + 3 {
		if _, err := st.Get(ctx, store.User, r.ID); err != nil {
			t.Errorf("Get %d after a second idle: %v, want the dead connections pinged and dropped", i, err)
		}
	}
}
