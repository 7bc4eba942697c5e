package sqlstore_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
)

// Databases written by earlier scimkit versions may hold a password a
// PATCH set and a manager $ref built from a request's Host header.
// Migration 2 removes both and leaves everything else as it was.
func TestMigrationScrubsLegacySecrets(t *testing.T) {
	const legacy = `{"active":true,"password":"hunter2-legacy","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","manager":{"$ref":"http://evil.example/Users/m1","displayName":"Boss","value":"m1"}},"userName":"legacy@example.com"}`
	run := func(t *testing.T, open func() *sqlstore.Store) {
		ctx := store.WithTenant(context.Background(), "acme")
		st := open()
		u, err := st.Create(ctx, &store.Resource{Type: store.User, UserName: "legacy@example.com", Attributes: []byte(legacy)})
		if err != nil {
			t.Fatal(err)
		}
		clean, err := st.Create(ctx, &store.Resource{Type: store.User, UserName: "clean@example.com", Attributes: []byte(`{"title":"password","userName":"clean@example.com"}`)})
		if err != nil {
			t.Fatal(err)
		}
		// Pretend the database was written before migration 2 existed.
		if _, err := st.DB().Exec(`DELETE FROM scimkit_schema_version WHERE version = 2`); err != nil {
			t.Fatal(err)
		}
		st.Close()

		st = open()
		defer st.Close()
		var raw string
		if err := st.DB().QueryRow(`SELECT CAST(attributes AS TEXT) FROM scimkit_resources WHERE id = '` + u.ID + `'`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		for _, leaked := range []string{"hunter2-legacy", "evil.example", "$ref", `"password"`} {
			if strings.Contains(raw, leaked) {
				t.Errorf("stored document still holds %q after migrating: %s", leaked, raw)
			}
		}
		got, err := st.Get(ctx, store.User, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		attrs, err := store.DecodeAttributes(got)
		if err != nil {
			t.Fatal(err)
		}
		ext, _ := attrs["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
		mgr, _ := ext["manager"].(map[string]any)
		if attrs["userName"] != "legacy@example.com" || attrs["active"] != true || ext["department"] != "Sales" || mgr["value"] != "m1" || mgr["displayName"] != "Boss" {
			t.Errorf("the migration changed more than the password and $ref: %v", attrs)
		}
		got, err = st.Get(ctx, store.User, clean.ID)
		if err != nil {
			t.Fatal(err)
		}
		if attrs, err := store.DecodeAttributes(got); err != nil || attrs["title"] != "password" || len(attrs) != 2 {
			t.Errorf("a document without a password changed: %s, %v", got.Attributes, err)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "legacy.db")
		run(t, func() *sqlstore.Store {
			st, err := sqlstore.OpenSQLite(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := freshSchema(t)
		run(t, func() *sqlstore.Store {
			st, err := sqlstore.OpenPostgres(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
}
