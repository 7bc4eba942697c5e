package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	fp "github.com/scim2/filter-parser/v2"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

func compile(t testing.TB, typ, filter string) *store.Filter {
	t.Helper()
	expr, err := fp.ParseFilter([]byte(filter))
	if err != nil {
		t.Fatal(err)
	}
	f, err := store.CompileFilter(expr, schema.NewRegistry().ResourceType(typ))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The lookups Entra makes every cycle are answered from an index however
// many accounts there are; a filter the database cannot answer reads at
// most maxScan rows, and past that is refused as too costly (400 tooMany)
// rather than read a whole large table.
func TestListPushdown(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			st := newAccountStore(db.open(t))
			ctx := store.WithTenant(context.Background(), tenant)
			for i := range 6 {
				attrs := fmt.Sprintf(`{"userName":"User%d@Contoso.com","externalId":"EXT-%d","title":"t%d"}`, i, i, i%2)
				if _, err := st.Create(ctx, &store.Resource{Type: store.User, Attributes: []byte(attrs)}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := st.Create(ctx, &store.Resource{Type: store.Group, Attributes: []byte(`{"displayName":"Sales"}`)}); err != nil {
				t.Fatal(err)
			}
			st.maxScan = 3
			for _, tc := range []struct {
				typ, filter string
				want        []string // userNames or displayNames
			}{
				{store.User, `userName eq "user4@contoso.COM"`, []string{"User4@Contoso.com"}},
				{store.User, `userName eq "user4@contoso.com" and title eq "t1"`, nil},
				{store.User, `userName eq "user5@contoso.com" and title eq "t1"`, []string{"User5@Contoso.com"}},
				{store.User, `userName eq "7f3c2a51-0e7b-4c77-9c1d-2f2a9d0c9a1e"`, nil}, // Entra's Test Connection
				{store.User, `externalId eq "EXT-2"`, []string{"User2@Contoso.com"}},
				{store.User, `externalId eq "ext-2"`, nil}, // caseExact
				{store.Group, `displayName eq "sales"`, []string{"Sales"}},
			} {
				page, err := st.List(ctx, tc.typ, store.Query{Filter: compile(t, tc.typ, tc.filter), Count: 10})
				if err != nil {
					t.Errorf("%s: %v", tc.filter, err)
					continue
				}
				got := displays(page)
				if fmt.Sprint(got) != fmt.Sprint(tc.want) || page.TotalResults != len(tc.want) {
					t.Errorf("%s: %v (total %d), want %v", tc.filter, got, page.TotalResults, tc.want)
				}
			}
			if _, err := st.List(ctx, store.User, store.Query{Filter: compile(t, store.User, `title eq "t1"`), Count: 10}); !errors.Is(err, store.ErrFilterTooCostly) {
				t.Errorf("a filter over more than maxScan rows: %v, want ErrFilterTooCostly", err)
			}

			// Reading every user, as Okta's import does, pages in SQL,
			// past maxScan: by index …
			page, err := st.List(ctx, store.User, store.Query{StartIndex: 2, Count: 4})
			if err != nil {
				t.Fatal(err)
			}
			if got := displays(page); fmt.Sprint(got) != "[User1@Contoso.com User2@Contoso.com User3@Contoso.com User4@Contoso.com]" || page.TotalResults != 6 {
				t.Errorf("startIndex 2, count 4: %v (total %d), want users 1-4 of 6", got, page.TotalResults)
			}
			// … and by cursor.
			var walk []string
			q := store.Query{UseCursor: true, Count: 4}
			for {
				page, err := st.List(ctx, store.User, q)
				if err != nil {
					t.Fatal(err)
				}
				walk = append(walk, displays(page)...)
				if page.NextCursor == "" {
					break
				}
				q.Cursor = page.NextCursor
			}
			if fmt.Sprint(walk) != "[User0@Contoso.com User1@Contoso.com User2@Contoso.com User3@Contoso.com User4@Contoso.com User5@Contoso.com]" {
				t.Errorf("cursor walk: %v, want the 6 users in creation order", walk)
			}
		})
	}
}

// BenchmarkList: Entra's match query (userName eq, from the unique index)
// against the same lookup by a column the database does not filter on
// (title eq, matched in Go over every account): the floor is the second.
func BenchmarkList(b *testing.B) {
	st := newAccountStore(openSQLite(b))
	ctx := store.WithTenant(context.Background(), tenant)
	const n = 2000
	for i := range n {
		attrs := fmt.Sprintf(`{"userName":"user%d@contoso.com","title":"title%d","name":{"givenName":"G%d"},"emails":[{"value":"u%d@contoso.com","primary":true}]}`, i, i, i, i)
		if _, err := st.Create(ctx, &store.Resource{Type: store.User, Attributes: []byte(attrs)}); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct{ name, filter string }{
		{"userName_eq_index", `userName eq "user1234@contoso.com"`},
		{"title_eq_scan", `title eq "title1234"`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := compile(b, store.User, bc.filter)
			b.ReportAllocs()
			for b.Loop() {
				page, err := st.List(ctx, store.User, store.Query{Filter: f, Count: 10})
				if err != nil || page.TotalResults != 1 {
					b.Fatalf("%v, %d results", err, page.TotalResults)
				}
			}
		})
	}
}

func displays(page *store.Page) []string {
	var out []string
	for _, r := range page.Resources {
		out = append(out, r.Display)
	}
	return out
}
