package scim_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memory"
)

// observerCases are the observers the observe benchmarks compare: none
// (the floor), the default access log with a logger that discards
// (slog.DiscardHandler: the level check only) and one that formats every
// line as production would, without the I/O.
var observerCases = []struct {
	name string
	obs  func() scim.Observer
}{
	{"observer=none", func() scim.Observer { return scim.NoObserver{} }},
	{"observer=accesslog-discard", func() scim.Observer { return scim.NewAccessLog(slog.New(slog.DiscardHandler), slog.LevelInfo) }},
	{"observer=accesslog-text", func() scim.Observer {
		return scim.NewAccessLog(slog.New(slog.NewTextHandler(io.Discard, nil)), slog.LevelInfo)
	}},
}

func observedHandler(b *testing.B, obs scim.Observer) *scim.Handler {
	h, err := scim.NewHandler(scim.Config{
		Store:    memory.New(),
		Auth:     auth.StaticTokens(auth.Token{Secret: "bench", Tenant: "t1"}),
		BaseURL:  "https://scim.example.com/scim/v2",
		Logger:   slog.New(slog.DiscardHandler),
		Observer: obs,
	})
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// BenchmarkObserveFilter is Entra's match query (1,000 users) through
// ServeHTTP under each observer.
func BenchmarkObserveFilter(b *testing.B) {
	for _, oc := range observerCases {
		b.Run(oc.name, func(b *testing.B) {
			h := observedHandler(b, oc.obs())
			seedUsers(b, h, 1000)
			req := httptest.NewRequest(http.MethodGet, "/Users?filter=userName+eq+%22jdoe500@contoso.com%22", nil)
			req.Header.Set("Authorization", "Bearer bench")
			runtime.GC() // the seeding's garbage is not the measured requests'
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkObservePatchEntra is Entra's five-operation user PATCH
// (entra-behaviour.md §3.5) through ServeHTTP under each observer.
func BenchmarkObservePatchEntra(b *testing.B) {
	for _, oc := range observerCases {
		b.Run(oc.name, func(b *testing.B) {
			h := observedHandler(b, oc.obs())
			seedUsers(b, h, 1)
			id := firstUserID(b, h)
			var bodies [2]string
			for i := range bodies {
				bodies[i] = fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[
   {"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail%[1]d@contoso.com"},
   {"op":"Replace","path":"name.familyName","value":"updatedFamilyName%[1]d"},
   {"op":"Replace","path":"displayName","value":"Pvlo%[1]d"},
   {"op":"Replace","path":"externalId","value":"Eqpj%[1]d"},
   {"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"Eqpj%[1]d"}]}`, i)
			}
			req := httptest.NewRequest(http.MethodPatch, "/Users/"+id, nil)
			req.Header.Set("Authorization", "Bearer bench")
			runtime.GC() // the seeding's garbage is not the measured requests'
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				setBody(req, bodies[i&1])
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
				i++
			}
		})
	}
}
