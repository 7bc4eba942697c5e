package sqlstore_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
)

// BenchmarkHandlerFeedOverhead: what the change feed adds to a create and
// to Entra's 5-operation PATCH as a client sees them, through the Handler
// on PostgreSQL: handlers over a store with and without the feed take
// turns within each iteration, and the medians are reported with the
// overhead in %.
//
//	go test -run '^$' -bench HandlerFeedOverhead -benchtime 2000x ./store/sqlstore
func BenchmarkHandlerFeedOverhead(b *testing.B) {
	var hs [2]http.Handler
	for k, feed := range []bool{false, true} {
		h, err := scim.NewHandler(scim.Config{Store: benchFeedStore(b, feed), Logger: slog.New(slog.DiscardHandler), Observer: scim.NoObserver{},
			Auth: auth.StaticTokens(auth.Token{Secret: "bench", Tenant: "acme"})})
		if err != nil {
			b.Fatal(err)
		}
		hs[k] = h
	}
	send := func(b *testing.B, h http.Handler, method, target, body string, want int) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer bench")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			b.Fatalf("%s %s: %d %s", method, target, rec.Code, rec.Body)
		}
		return rec
	}
	user := func(name string) string {
		return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
			"userName":%[1]q,"active":true,"displayName":"%[1]s","externalId":"ext-%[1]s",
			"name":{"givenName":"Ann","familyName":"Smith"},"emails":[{"type":"work","primary":true,"value":%[1]q}],
			"title":"Guide","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tours","employeeNumber":"42"}}`, name)
	}
	patch := func(i int) string {
		return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			{"op":"Replace","path":"emails[type eq \"work\"].value","value":"w%[1]d@example.com"},
			{"op":"Replace","path":"name.familyName","value":"F%[1]d"},
			{"op":"Replace","path":"displayName","value":"D%[1]d"},
			{"op":"Replace","path":"title","value":"T%[1]d"},
			{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Dep%[1]d"}]}`, i)
	}
	var ids [2][]string
	for k, h := range hs {
		for i := range 300 {
			loc := send(b, h, http.MethodPost, "/Users", user(fmt.Sprintf("seed%d@example.com", i)), http.StatusCreated).Header().Get("Location")
			ids[k] = append(ids[k], loc[strings.LastIndexByte(loc, '/')+1:])
		}
	}
	created := 0 // across runs: each create a new userName
	for _, op := range []string{"create", "patch"} {
		b.Run("op="+op, func(b *testing.B) {
			var took [2][]time.Duration
			for i := 0; b.Loop(); i++ {
				for j := range 2 {
					k := (i + j) % 2
					start := time.Now()
					if op == "create" {
						created++
						send(b, hs[k], http.MethodPost, "/Users", user(fmt.Sprintf("new%d@example.com", created)), http.StatusCreated)
					} else {
						send(b, hs[k], http.MethodPatch, "/Users/"+ids[k][i%len(ids[k])], patch(i), http.StatusOK)
					}
					took[k] = append(took[k], time.Since(start))
				}
			}
			med := func(d []time.Duration) float64 {
				slices.Sort(d)
				return float64(d[len(d)/2])
			}
			off, on := med(took[0]), med(took[1])
			b.ReportMetric(off/1e3, "off-µs")
			b.ReportMetric(on/1e3, "on-µs")
			b.ReportMetric(100*(on-off)/off, "overhead-%")
		})
	}
}
