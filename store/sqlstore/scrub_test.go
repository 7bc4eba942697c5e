package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/internal/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

// A database written by scimkit before migrations 2 and 3 (schema version
// 1): a user whose document holds a password a PATCH set and a manager
// $ref built from a request's Host header, and a group. Opening it
// migrates: the password and $ref are gone and nothing else changed, the
// userName and displayName stay unique (now in scimkit_unique), and a
// user without displayName still displays its userName.
func TestMigrationsFromVersion1(t *testing.T) {
	const legacy = `{"active":true,"password":"hunter2-legacy","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","manager":{"$ref":"http://evil.example/Users/m1","displayName":"Boss","value":"m1"}},"userName":"Legacy@example.com"}`
	run := func(t *testing.T, d sqlstore.Dialect, driver, dsn string, open func() *sqlstore.Store) {
		db, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, q := range []string{
			sqlstore.RawMigrations(d)[0],
			`CREATE TABLE scimkit_schema_version (version INTEGER PRIMARY KEY, applied_ns BIGINT NOT NULL)`,
			`INSERT INTO scimkit_schema_version (version, applied_ns) VALUES (1, 0)`,
			`INSERT INTO scimkit_resources (tenant, type, id, unique_key, user_name, display_name, external_id, attributes, schemas, created_ns, modified_ns, version)
				VALUES ('acme', 'User', 'u1', 'LEGACY@EXAMPLE.COM', 'Legacy@example.com', '', 'x1', '` + legacy + `', '["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]', 1, 1, 1)`,
			`INSERT INTO scimkit_resources (tenant, type, id, unique_key, user_name, display_name, external_id, attributes, schemas, created_ns, modified_ns, version)
				VALUES ('acme', 'User', 'u2', 'CLEAN@EXAMPLE.COM', 'clean@example.com', 'Clean C', '', '{"displayName":"Clean C","title":"password","userName":"clean@example.com"}', '', 2, 2, 1)`,
			`INSERT INTO scimkit_resources (tenant, type, id, unique_key, user_name, display_name, external_id, attributes, schemas, created_ns, modified_ns, version)
				VALUES ('acme', 'Group', 'g1', 'SALES', '', 'Sales', '', '{"displayName":"Sales"}', '', 3, 3, 1)`,
			`INSERT INTO scimkit_members (tenant, group_id, member_id, member_type, display, added_ns) VALUES ('acme', 'g1', 'u1', 'User', '', 4)`,
		} {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("building the version 1 database: %v\n%s", err, q)
			}
		}
		st := open()
		defer st.Close()
		ctx := store.WithTenant(context.Background(), "acme")

		var raw string
		if err := st.DB().QueryRow(`SELECT CAST(attributes AS TEXT) FROM scimkit_resources WHERE id = 'u1'`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		for _, leaked := range []string{"hunter2-legacy", "evil.example", "$ref", `"password"`} {
			if strings.Contains(raw, leaked) {
				t.Errorf("stored document still holds %q after migrating: %s", leaked, raw)
			}
		}
		u, err := st.Get(ctx, store.User, "u1")
		if err != nil {
			t.Fatal(err)
		}
		attrs, err := store.DecodeAttributes(u)
		if err != nil {
			t.Fatal(err)
		}
		ext, _ := attrs["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
		mgr, _ := ext["manager"].(map[string]any)
		if attrs["userName"] != "Legacy@example.com" || attrs["active"] != true || ext["department"] != "Sales" || mgr["value"] != "m1" || mgr["displayName"] != "Boss" {
			t.Errorf("the migration changed more than the password and $ref: %v", attrs)
		}
		if u.UniqueValue("userName") != "Legacy@example.com" || u.Display != "Legacy@example.com" || u.ExternalID != "x1" {
			t.Errorf("migrated user: Unique %v, Display %q, ExternalID %q", u.Unique, u.Display, u.ExternalID)
		}
		clean, err := st.Get(ctx, store.User, "u2")
		if err != nil {
			t.Fatal(err)
		}
		if a, err := store.DecodeAttributes(clean); err != nil || a["title"] != "password" || len(a) != 3 || clean.Display != "Clean C" {
			t.Errorf("a document without a password changed: %s, %q, %v", clean.Attributes, clean.Display, err)
		}
		g, err := st.Get(ctx, store.Group, "g1")
		if err != nil {
			t.Fatal(err)
		}
		if g.UniqueValue("displayName") != "Sales" || len(g.Members) != 1 || g.Members[0].Display != "Legacy@example.com" {
			t.Errorf("migrated group: Unique %v, members %v", g.Unique, g.Members)
		}
		// Uniqueness still holds for what was written before.
		_, err = st.Create(ctx, &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: "legacy@EXAMPLE.com"}}, Attributes: []byte(`{"userName":"legacy@EXAMPLE.com"}`)})
		checkConflictErr(t, err, "userName")
		_, err = st.Create(ctx, &store.Resource{Type: store.Group, Unique: []store.Unique{{Attribute: "displayName", Value: "sales"}}, Attributes: []byte(`{"displayName":"sales"}`)})
		checkConflictErr(t, err, "displayName")
		filter := compileUserFilter(t, `userName eq "LEGACY@example.com"`)
		if p, err := st.List(ctx, store.User, store.Query{Filter: filter, Count: 10}); err != nil || len(p.Resources) != 1 || p.Resources[0].ID != "u1" {
			t.Errorf("userName filter after migrating: %v, %v", p, err)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "legacy.db")
		run(t, sqlstore.SQLite(), "sqlite", "file:"+path, func() *sqlstore.Store {
			st, err := sqlite.Open(context.Background(), path, sqlstore.Config{})
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := freshSchema(t)
		run(t, sqlstore.Postgres(), "pgx", dsn, func() *sqlstore.Store {
			st, err := postgres.Open(context.Background(), dsn, sqlstore.Config{})
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
}

func checkConflictErr(t *testing.T, err error, attribute string) {
	t.Helper()
	var ce *store.ConflictError
	if !errors.As(err, &ce) || ce.Attribute != attribute {
		t.Errorf("error %v, want a conflict on %s", err, attribute)
	}
}

func compileUserFilter(t *testing.T, expr string) *store.Filter {
	t.Helper()
	ast, err := filter.Parse(expr)
	if err != nil {
		t.Fatal(err)
	}
	f, err := store.CompileFilter(ast, schema.NewRegistry().ResourceType(store.User))
	if err != nil {
		t.Fatal(err)
	}
	return f
}
