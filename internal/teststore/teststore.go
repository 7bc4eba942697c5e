// Package teststore opens the stores scimkit ships for tests that must
// hold on every one of them: the in-memory store, SQLite in a temporary
// file, and PostgreSQL in a fresh schema.
//
// PostgreSQL tests read a DSN from SCIMKIT_POSTGRES_DSN and are skipped,
// saying so, when it is unset; with SCIMKIT_REQUIRE_POSTGRES=1 (CI) they
// fail instead.
package teststore

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

// Kind is one store implementation.
type Kind struct {
	Name string
	// New returns a fresh, empty store that lives as long as the test.
	New func(t testing.TB) store.Store
}

// All returns memory, SQLite and PostgreSQL, in that order.
func All() []Kind {
	return []Kind{
		{Name: "memory", New: func(testing.TB) store.Store { return memory.New() }},
		{Name: "sqlite", New: func(t testing.TB) store.Store { return SQLite(t) }},
		{Name: "postgres", New: func(t testing.TB) store.Store { return Postgres(t) }},
	}
}

// Documents returns every stored document of st as the database holds it
// (the attributes column as text, and each membership's display), for
// tests that assert what never reaches storage. For a store that is not
// SQL it returns the attributes of every resource the tenant's List
// returns.
func Documents(t testing.TB, st store.Store, tenant string) string {
	t.Helper()
	var b strings.Builder
	if s, ok := st.(*sqlstore.Store); ok {
		for _, q := range []string{`SELECT CAST(attributes AS TEXT) FROM scimkit_resources`, `SELECT display FROM scimkit_members`} {
			rows, err := s.DB().Query(q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var doc string
				if err := rows.Scan(&doc); err != nil {
					t.Fatal(err)
				}
				b.WriteString(doc)
				b.WriteByte('\n')
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
		}
		return b.String()
	}
	ctx := store.WithTenant(context.Background(), tenant)
	for _, typ := range []string{store.User, store.Group} {
		page, err := st.List(ctx, typ, store.Query{Count: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Resources {
			b.Write(r.Attributes)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// SQLite opens a SQLite store in a file of t's temporary directory.
func SQLite(t testing.TB) *sqlstore.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "scim.db"), sqlstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Postgres opens a PostgreSQL store in a fresh schema dropped when the
// test ends.
func Postgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), FreshSchema(t), sqlstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	// go test runs packages in parallel, each with many stores, against
	// one server (max_connections 100 by default): a small pool per test
	// store keeps them all under it.
	st.DB().SetMaxOpenConns(6)
	st.DB().SetMaxIdleConns(6)
	t.Cleanup(func() { st.Close() })
	return st
}

// PostgresDSN returns the DSN of the test PostgreSQL, skipping the test
// when there is none (and failing it when SCIMKIT_REQUIRE_POSTGRES=1).
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("SCIMKIT_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("SCIMKIT_REQUIRE_POSTGRES") == "1" {
			t.Fatal("SCIMKIT_REQUIRE_POSTGRES=1 but SCIMKIT_POSTGRES_DSN is not set")
		}
		t.Skip("PostgreSQL tests skipped: set SCIMKIT_POSTGRES_DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	return dsn
}

// FreshSchema creates an empty PostgreSQL schema for one test and returns
// a DSN whose search_path points at it; it is dropped when the test ends.
func FreshSchema(t testing.TB) string {
	t.Helper()
	dsn := PostgresDSN(t)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin.SetMaxOpenConns(2)
	t.Cleanup(func() { admin.Close() })
	name := "scimkit_test_" + strings.ReplaceAll(store.NewID(), "-", "")[:16]
	if _, err := admin.Exec(`CREATE SCHEMA ` + name); err != nil {
		if os.Getenv("SCIMKIT_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL at SCIMKIT_POSTGRES_DSN: %v", err)
		}
		t.Skipf("PostgreSQL tests skipped: %v", err)
	}
	t.Cleanup(func() { admin.Exec(`DROP SCHEMA ` + name + ` CASCADE`) })
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	qv := u.Query()
	qv.Set("search_path", name)
	u.RawQuery = qv.Encode()
	return u.String()
}
