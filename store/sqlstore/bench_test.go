package sqlstore_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
)

// entraDoc is the stored form of the Entra create body of
// entra-behaviour.md §3.3, with %[1]d for the user number.
const entraDoc = `{"active":true,"addresses":[{"country":"US","formatted":"Bldg 1","locality":"Redmond","postalCode":"98052","primary":false,"region":"WA","streetAddress":"1 Main St","type":"work"}],"displayName":"Jane Doe","emails":[{"primary":true,"type":"work","value":"jdoe%[1]d@contoso.com"}],"externalId":"jdoe%[1]d","name":{"familyName":"Doe","formatted":"Jane Doe","givenName":"Jane"},"phoneNumbers":[{"type":"work","value":"+1 425 555 0100"},{"type":"mobile","value":"+1 425 555 0101"}],"preferredLanguage":"en-US","title":"Engineer","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tour Operations","employeeNumber":"701984"},"userName":"jdoe%[1]d@contoso.com"}`

// seedPostgresUsers inserts n Entra-typical users of tenant acme straight
// into the table (the Handler would take minutes for a million).
func seedPostgresUsers(b *testing.B, st *sqlstore.Store, n int) {
	doc := strings.ReplaceAll(entraDoc, "%[1]d", "' || g || '")
	_, err := st.DB().Exec(`INSERT INTO scimkit_resources
		(tenant, type, id, unique_key, unique_values, user_name, display_name, external_id, attributes, schemas, created_ns, modified_ns, version)
		SELECT 'acme', 'User', 'u-' || g, '', '[{"attribute":"userName","value":"jdoe' || g || '@contoso.com","caseExact":false}]',
		       'jdoe' || g || '@contoso.com', 'Jane Doe', 'jdoe' || g,
		       ('`+doc+`')::jsonb, '["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]', g, g, 1
		FROM generate_series(1, $1) g`, n)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.DB().Exec(`INSERT INTO scimkit_unique (tenant, type, attribute, key, id)
		SELECT 'acme', 'User', 'userName', 'JDOE' || g || '@CONTOSO.COM', 'u-' || g FROM generate_series(1, $1) g`, n); err != nil {
		b.Fatal(err)
	}
	for _, table := range []string{"scimkit_resources", "scimkit_unique"} {
		if _, err := st.DB().Exec(`VACUUM ANALYZE ` + table); err != nil {
			b.Fatal(err)
		}
	}
}

func serve(b *testing.B, h http.Handler, method, path, body string, want int) string {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer t")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// BenchmarkPostgresFilterUserName: Entra's match query at 1,000 and
// 1,000,000 users, through the Handler.
func BenchmarkPostgresFilterUserName(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			st := newPostgres(b)
			seedPostgresUsers(b, st, n)
			h := handlerOver(b, st)
			path := fmt.Sprintf("/Users?filter=userName+eq+%%22jdoe%d@contoso.com%%22", n/2)
			if body := serve(b, h, http.MethodGet, path, "", http.StatusOK); !strings.Contains(body, `"totalResults":1,`) {
				b.Fatalf("the match finds no user: %s", body)
			}
			b.ReportAllocs()
			for b.Loop() {
				serve(b, h, http.MethodGet, path, "", http.StatusOK)
			}
		})
	}
}

// BenchmarkPostgresCreateUser: creates of the Entra body, through the
// Handler; creates/s = 1e9 / ns/op.
func BenchmarkPostgresCreateUser(b *testing.B) {
	st := newPostgres(b)
	h := handlerOver(b, st)
	var i atomic.Int64
	body := strings.ReplaceAll(entraDoc, `"userName":`, `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":`)
	b.ReportAllocs()
	for b.Loop() {
		n := i.Add(1)
		serve(b, h, http.MethodPost, "/Users", fmt.Sprintf(body, n), http.StatusCreated)
	}
}

// BenchmarkPostgresAddMember: one member added by Entra's PATCH to a group
// of 10 or 100,000 members.
func BenchmarkPostgresAddMember(b *testing.B) {
	for _, n := range []int{10, 100_000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			st := newPostgres(b)
			const pool = 20_000
			seedPostgresUsers(b, st, n+pool)
			ctx := store.WithTenant(context.Background(), "acme")
			g, err := st.Create(ctx, &store.Resource{Type: store.Group, Unique: []store.Unique{{Attribute: "displayName", Value: "big"}}, Display: "big", Attributes: []byte(`{"displayName":"big"}`)})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := st.DB().Exec(`INSERT INTO scimkit_members (tenant, group_id, member_id, member_type, display, added_ns)
				SELECT 'acme', $1, 'u-' || g, 'User', '', g FROM generate_series(1, $2) g`, g.ID, n); err != nil {
				b.Fatal(err)
			}
			h := handlerOver(b, st)
			b.ReportAllocs()
			i := n
			for b.Loop() {
				i++
				if i > n+pool {
					b.Fatal("member pool exhausted; raise pool")
				}
				serve(b, h, http.MethodPatch, "/Groups/"+g.ID,
					fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"u-%d"}]}]}`, i),
					http.StatusNoContent)
			}
		})
	}
}
