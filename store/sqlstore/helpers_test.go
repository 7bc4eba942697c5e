package sqlstore_test

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
)

// postgresDSN returns the DSN of the test PostgreSQL, skipping the test
// when there is none (and failing it when SCIMKIT_REQUIRE_POSTGRES=1).
func postgresDSN(t testing.TB) string {
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

// freshSchema creates an empty PostgreSQL schema for one test and returns
// a DSN whose search_path points at it; it is dropped when the test ends.
func freshSchema(t testing.TB) string {
	t.Helper()
	dsn := postgresDSN(t)
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

func newPostgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.OpenPostgres(context.Background(), freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newSQLiteFor opens a SQLite store that lives as long as f.
func newSQLiteFor(f *testing.F) *sqlstore.Store {
	st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	return st
}

func newSQLite(t testing.TB) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "scim.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
