package scim_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memory"
)

// entraCreateBody is the POST /Users body of entra-behaviour.md §3.3 with
// userName and externalId replaced per user.
func entraCreateBody(i int) string {
	return fmt.Sprintf(`{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
              "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "externalId": "jdoe%[1]d",
  "userName": "jdoe%[1]d@contoso.com",
  "active": true,
  "displayName": "Jane Doe",
  "title": "Engineer",
  "preferredLanguage": "en-US",
  "emails": [{"primary": true, "type": "work", "value": "jdoe%[1]d@contoso.com"}],
  "name": {"formatted": "Jane Doe", "familyName": "Doe", "givenName": "Jane"},
  "addresses": [{"type": "work", "streetAddress": "1 Main St", "locality": "Redmond",
                 "region": "WA", "postalCode": "98052", "country": "US", "formatted": "Bldg 1", "primary": false}],
  "phoneNumbers": [{"type": "work", "value": "+1 425 555 0100"},
                   {"type": "mobile", "value": "+1 425 555 0101"}],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
     "employeeNumber": "701984", "department": "Tour Operations"},
  "meta": {"resourceType": "User"},
  "roles": []
}`, i)
}

func benchHandler(tb testing.TB) (*scim.Handler, *memory.Store) {
	st := memory.New()
	h, err := scim.NewHandler(scim.Config{
		Store:   st,
		Auth:    auth.StaticTokens(auth.Token{Secret: "bench", Tenant: "t1"}),
		BaseURL: "https://scim.example.com/scim/v2",
		// Format every log line as production would, without the I/O.
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return h, st
}

func seedUsers(tb testing.TB, h http.Handler, n int) {
	for i := range n {
		req := httptest.NewRequest(http.MethodPost, "/Users", strings.NewReader(entraCreateBody(i)))
		req.Header.Set("Authorization", "Bearer bench")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			tb.Fatalf("seeding user %d: %d %s", i, rec.Code, rec.Body)
		}
	}
}

// BenchmarkFilterUserName is Entra's match query, through ServeHTTP.
func BenchmarkFilterUserName(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			h, _ := benchHandler(b)
			seedUsers(b, h, n)
			req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/Users?filter=userName+eq+%%22jdoe%d@contoso.com%%22", n/2), nil)
			req.Header.Set("Authorization", "Bearer bench")
			b.ReportAllocs()
			b.ResetTimer()
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

// BenchmarkCreateUser posts Entra's create body of §3.3.
func BenchmarkCreateUser(b *testing.B) {
	h, _ := benchHandler(b)
	bodies := make([]string, 0, 1<<16)
	for i := range cap(bodies) {
		bodies = append(bodies, entraCreateBody(i))
	}
	// One request, its body replaced each time: the benchmark measures
	// ServeHTTP, not httptest.NewRequest's parsing.
	req := httptest.NewRequest(http.MethodPost, "/Users", nil)
	req.Header.Set("Authorization", "Bearer bench")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(bodies) {
			b.StopTimer()
			h, _ = benchHandler(b)
			i = 0
			b.StartTimer()
		}
		setBody(req, bodies[i])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
		i++
	}
}

// BenchmarkMemoryPerUser reports the heap the memory store holds per
// Entra-typical user, measured after GC over 100,000 users created through
// the Handler. The measurement runs once; the loop is empty.
func BenchmarkMemoryPerUser(b *testing.B) {
	const n = 100_000
	before := heapInUse()
	h, st := benchHandler(b)
	seedUsers(b, h, n)
	after := heapInUse()
	runtime.KeepAlive(h)
	runtime.KeepAlive(st)
	for b.Loop() {
	}
	b.ReportMetric(float64(after-before)/n, "heapB/user")
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

var _ = context.Background

// setBody gives a reused request a new body.
func setBody(req *http.Request, body string) {
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
}
