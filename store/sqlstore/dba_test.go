package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/internal/teststore"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
)

// dbaDatabases returns an empty SQLite database and, when configured, an
// empty PostgreSQL schema, as *sql.DB with their dialects.
func dbaDatabases(t *testing.T) map[string]func(t *testing.T) (*sql.DB, sqlstore.Dialect) {
	return map[string]func(t *testing.T) (*sql.DB, sqlstore.Dialect){
		"sqlite": func(t *testing.T) (*sql.DB, sqlstore.Dialect) {
			db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "dba.db")+"?_txlock=immediate&_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db, sqlstore.SQLite()
		},
		"postgres": func(t *testing.T) (*sql.DB, sqlstore.Dialect) {
			db, err := sql.Open("pgx", teststore.FreshSchema(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db, sqlstore.Postgres()
		},
	}
}

// A DBA's migration tool applies Migrations; the store then starts with
// NoMigrate, under a table prefix of the team's choosing.
func TestMigrationsAppliedByATool(t *testing.T) {
	for name, open := range dbaDatabases(t) {
		t.Run(name, func(t *testing.T) {
			db, d := open(t)
			ctx := context.Background()
			cfg := sqlstore.Config{TablePrefix: "app_scim_", NoMigrate: true}
			if _, err := sqlstore.New(ctx, db, d, cfg); err == nil || !strings.Contains(err.Error(), "Migrations") {
				t.Fatalf("NoMigrate on an empty database: %v, want an error that says to apply Migrations", err)
			}
			ms, err := sqlstore.Migrations(d, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`CREATE TABLE app_scim_schema_version (version INTEGER PRIMARY KEY, applied_ns BIGINT NOT NULL)`); err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if strings.Contains(m.SQL, "scimkit_") {
					t.Errorf("migration %d names a scimkit_ object despite the prefix", m.Version)
				}
				if _, err := db.Exec(m.SQL); err != nil {
					t.Fatalf("migration %d: %v", m.Version, err)
				}
				if _, err := db.Exec(fmt.Sprintf(`INSERT INTO app_scim_schema_version VALUES (%d, %d)`, m.Version, time.Now().UnixNano())); err != nil {
					t.Fatal(err)
				}
			}
			st, err := sqlstore.New(ctx, db, d, cfg)
			if err != nil {
				t.Fatalf("NoMigrate after the migrations: %v", err)
			}
			tctx := store.WithTenant(ctx, "acme")
			u, err := st.Create(tctx, &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: "ann"}}, Attributes: []byte(`{"userName":"ann"}`)})
			if err != nil {
				t.Fatal(err)
			}
			g, err := st.Create(tctx, &store.Resource{Type: store.Group, Unique: []store.Unique{{Attribute: "displayName", Value: "G"}}, Display: "G", Attributes: []byte(`{"displayName":"G"}`)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.PatchMembers(tctx, g.ID, "", []store.Member{{Value: u.ID}}, nil); err != nil {
				t.Fatal(err)
			}
			if got, err := st.Get(tctx, store.User, u.ID); err != nil || len(got.Groups) != 1 {
				t.Fatalf("Get: %v, %+v", err, got)
			}
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM app_scim_members`).Scan(&n); err != nil || n != 1 {
				t.Errorf("app_scim_members holds %d rows (%v), want 1", n, err)
			}
			if _, err := db.Exec(`SELECT 1 FROM scimkit_resources`); err == nil {
				t.Errorf("a scimkit_resources table exists despite the prefix")
			}
		})
	}
}

func TestTablePrefixIsChecked(t *testing.T) {
	for _, p := range []string{"Bad", "x;drop", "1abc", "a-b", strings.Repeat("a", 41)} {
		if _, err := sqlstore.Migrations(sqlstore.Postgres(), sqlstore.Config{TablePrefix: p}); err == nil {
			t.Errorf("TablePrefix %q accepted", p)
		}
	}
}
