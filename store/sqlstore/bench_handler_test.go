package sqlstore_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/internal/teststore"
	"github.com/scimkit/scimkit/scim"
)

// BenchmarkEntraStepsPostgres: each request of Entra's provisioning cycle
// through the Handler on PostgreSQL (1,000 users seeded), in time and in
// statements (round trips) per request.
//
//	go test -run '^$' -bench EntraStepsPostgres -benchmem ./store/sqlstore
func BenchmarkEntraStepsPostgres(b *testing.B) {
	var n teststore.Statements
	st := teststore.CountingPostgres(b, &n)
	h, err := scim.NewHandler(scim.Config{Store: st, Logger: slog.New(slog.DiscardHandler), Auth: auth.StaticTokens(auth.Token{Secret: "bench", Tenant: "acme"})})
	if err != nil {
		b.Fatal(err)
	}
	do := func(b *testing.B, method, target, body string, want int) map[string]any {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer bench")
		req.Header.Set("Content-Type", "application/scim+json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			b.Fatalf("%s %s: %d %s", method, target, rec.Code, rec.Body)
		}
		var out map[string]any
		json.Unmarshal(rec.Body.Bytes(), &out)
		return out
	}
	user := func(name string) string {
		return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
			"userName":%[1]q,"active":true,"displayName":"%[1]s","externalId":"ext-%[1]s",
			"name":{"givenName":"Ann","familyName":"Smith"},"emails":[{"type":"work","primary":true,"value":%[1]q}],
			"title":"Guide","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tours","employeeNumber":"42"}}`, name)
	}
	var ids []string
	for i := range 1000 {
		ids = append(ids, do(b, http.MethodPost, "/Users", user(fmt.Sprintf("seed%d@example.com", i)), http.StatusCreated)["id"].(string))
	}
	gid := do(b, http.MethodPost, "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Bench"}`, http.StatusCreated)["id"].(string)
	for _, q := range []string{`VACUUM ANALYZE scimkit_resources`, `VACUUM ANALYZE scimkit_unique`, `VACUUM ANALYZE scimkit_members`} {
		if _, err := st.DB().Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	filter := func(name string) string {
		return "/Users?filter=" + strings.ReplaceAll(fmt.Sprintf("userName eq %q", name), " ", "%20")
	}
	patch := func(i int) string {
		return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			{"op":"Replace","path":"emails[type eq \"work\"].value","value":"w%[1]d@example.com"},
			{"op":"Replace","path":"name.familyName","value":"F%[1]d"},
			{"op":"Replace","path":"displayName","value":"D%[1]d"},
			{"op":"Replace","path":"title","value":"T%[1]d"},
			{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Dep%[1]d"}]}`, i)
	}
	run := func(name string, step func(b *testing.B, i int)) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			n.Reset()
			i := 0
			for b.Loop() {
				step(b, i)
				i++
			}
			b.ReportMetric(float64(n.Count())/float64(i), "stmts/op")
		})
	}
	var created atomic.Int64 // unique names across -count runs
	run("filter miss", func(b *testing.B, i int) {
		do(b, http.MethodGet, filter(fmt.Sprintf("nobody%d@example.com", i)), "", 200)
	})
	run("create", func(b *testing.B, i int) {
		do(b, http.MethodPost, "/Users", user(fmt.Sprintf("new%d@example.com", created.Add(1))), http.StatusCreated)
	})
	run("filter hit", func(b *testing.B, i int) {
		do(b, http.MethodGet, filter(fmt.Sprintf("seed%d@example.com", i%1000)), "", 200)
	})
	run("patch", func(b *testing.B, i int) { do(b, http.MethodPatch, "/Users/"+ids[i%1000], patch(i), 200) })
	run("get", func(b *testing.B, i int) { do(b, http.MethodGet, "/Users/"+ids[i%1000], "", 200) })
	run("member add", func(b *testing.B, i int) {
		do(b, http.MethodPatch, "/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"value":%q}]}]}`, ids[i%1000]), http.StatusNoContent)
	})
}
