package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/scimkit/scimkit/internal/filter"
	"github.com/scimkit/scimkit/internal/teststore"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
)

// TestStatementsPerOperation counts the statements (round trips) each
// operation of Entra's provisioning cycle costs, so that a change adding
// one fails here. The numbers are the minimum each store reaches today,
// without the change feed and with it (Config.Feed.Enabled).
func TestStatementsPerOperation(t *testing.T) {
	t.Run("feed off", func(t *testing.T) { testStatementsPerOperation(t, false) })
	t.Run("feed on", func(t *testing.T) { testStatementsPerOperation(t, true) })
}

func testStatementsPerOperation(t *testing.T, feed bool) {
	type counts struct{ postgres, sqlite int }
	// with returns c, or on when the feed is on.
	with := func(c, on counts) counts {
		if feed {
			return on
		}
		return c
	}
	for _, kind := range []struct {
		name string
		open func(testing.TB, *teststore.Statements) *sqlstore.Store
		pick func(counts) int
	}{
		{"postgres", teststore.CountingPostgres, func(c counts) int { return c.postgres }},
		{"sqlite", teststore.CountingSQLite, func(c counts) int { return c.sqlite }},
	} {
		t.Run(kind.name, func(t *testing.T) {
			var n teststore.Statements
			st := kind.open(t, &n)
			if feed {
				d := sqlstore.Postgres()
				if kind.name == "sqlite" {
					d = sqlstore.SQLite()
				}
				var err error
				if st, err = sqlstore.New(context.Background(), st.DB(), d, sqlstore.Config{Feed: sqlstore.FeedConfig{Enabled: true}}); err != nil {
					t.Fatal(err)
				}
			}
			ctx := store.WithTenant(context.Background(), "acme")
			users := schema.NewRegistry().ResourceType(store.User)
			list := func(text string) *store.Page {
				t.Helper()
				expr, err := filter.Parse(text)
				if err != nil {
					t.Fatal(err)
				}
				f, err := store.CompileFilter(expr, users)
				if err != nil {
					t.Fatal(err)
				}
				page, err := st.List(ctx, store.User, store.Query{Filter: f, Count: 100})
				if err != nil {
					t.Fatal(err)
				}
				return page
			}
			user := func(name string) *store.Resource {
				return &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: name}}, Display: name, ExternalID: "ext-" + name,
					Attributes: []byte(fmt.Sprintf(`{"userName":%q,"externalId":"ext-%s","active":true,"emails":[{"type":"work","value":%q}]}`, name, name, name))}
			}
			group, err := st.Create(ctx, &store.Resource{Type: store.Group, Unique: []store.Unique{{Attribute: "displayName", Value: "Sales"}}, Display: "Sales", Attributes: []byte(`{"displayName":"Sales"}`)})
			if err != nil {
				t.Fatal(err)
			}
			var id string
			for _, op := range []struct {
				name string
				want counts
				run  func()
			}{
				{"filter miss", with(counts{1, 1}, counts{1, 1}), func() {
					if p := list(`userName eq "ann@example.com"`); p.TotalResults != 0 {
						t.Errorf("miss: %d results", p.TotalResults)
					}
				}},
				{"create", with(counts{1, 4}, counts{1, 6}), func() {
					r, err := st.Create(ctx, user("ann@example.com"))
					if err != nil {
						t.Fatal(err)
					}
					id = r.ID
				}},
				{"filter hit", with(counts{1, 1}, counts{1, 1}), func() {
					if p := list(`userName eq "ANN@example.com"`); p.TotalResults != 1 || len(p.Resources) != 1 {
						t.Errorf("hit: %d results", p.TotalResults)
					}
				}},
				{"filter on externalId", with(counts{1, 1}, counts{1, 1}), func() {
					if p := list(`externalId eq "ext-ann@example.com"`); p.TotalResults != 1 {
						t.Errorf("externalId: %d results", p.TotalResults)
					}
				}},
				{"filter on a work email", with(counts{1, 1}, counts{1, 1}), func() {
					if p := list(`emails[type eq "work" and value eq "ANN@example.com"]`); p.TotalResults != 1 {
						t.Errorf("emails: %d results", p.TotalResults)
					}
				}},
				{"patch", with(counts{2, 2}, counts{2, 6}), func() {
					r, err := st.Update(ctx, store.User, id, "", func(r *store.Resource) error {
						r.Attributes = []byte(`{"userName":"ann@example.com","externalId":"ext-ann@example.com","active":false,"title":"Guide"}`)
						return nil
					})
					if err != nil || r.Version != "2" {
						t.Fatalf("patch: %v, version %v", err, r)
					}
				}},
				{"get", with(counts{1, 1}, counts{1, 1}), func() {
					if _, err := st.Get(ctx, store.User, id); err != nil {
						t.Fatal(err)
					}
				}},
				{"member add", with(counts{1, 6}, counts{1, 9}), func() {
					if _, err := st.PatchMembers(ctx, group.ID, "", []store.Member{{Value: id}}, nil); err != nil {
						t.Fatal(err)
					}
				}},
				{"get with groups", with(counts{1, 1}, counts{1, 1}), func() {
					r, err := st.Get(ctx, store.User, id)
					if err != nil || len(r.Groups) != 1 {
						t.Fatalf("get: %v, groups %v", err, r)
					}
				}},
				{"rename (a unique value changes)", with(counts{7, 7}, counts{7, 7}), func() {
					if _, err := st.Update(ctx, store.User, id, "", func(r *store.Resource) error {
						r.Unique = []store.Unique{{Attribute: "userName", Value: "ann.b@example.com"}}
						return nil
					}); err != nil {
						t.Fatal(err)
					}
				}},
			} {
				n.Reset()
				op.run()
				if got, want := n.Count(), kind.pick(op.want); got != want {
					t.Errorf("%s: %d statements, want %d", op.name, got, want)
				}
			}
		})
	}
}
