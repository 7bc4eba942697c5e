package scim_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The cost benchmarks back the cost model (Limits): each request shape is
// measured at N and 10N, and time and allocations must grow no faster
// than N. Shapes past a limit are refused; their cost stays flat.
//
//	go test -run '^$' -bench Cost -benchmem ./scim/

// BenchmarkCostAttributes: GET one user with attributes=emails.value
// repeated N times (past Limits.MaxAttributes, 100: 400 invalidValue).
func BenchmarkCostAttributes(b *testing.B) {
	h, _ := benchHandler(b)
	seedUsers(b, h, 1)
	id := firstUserID(b, h)
	for _, n := range []int{10, 100, 1_000, 10_000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/Users/"+id+"?attributes="+strings.Repeat("emails.value,", n-1)+"emails.value", nil)
			req.Header.Set("Authorization", "Bearer bench")
			want := http.StatusOK
			if n > 100 {
				want = http.StatusBadRequest
			}
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != want {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkCostFilter: a filter of N "emails co" terms joined by "or",
// matching nothing, over 1,000 Entra users; at 10,000 users the 200-term
// filter is past Limits.MaxFilterWork and refused (tooMany).
func BenchmarkCostFilter(b *testing.B) {
	for _, c := range []struct{ users, terms, status int }{
		{1_000, 2, 200}, {1_000, 20, 200}, {1_000, 200, 200}, {10_000, 200, 400},
	} {
		b.Run(fmt.Sprintf("users=%d/terms=%d", c.users, c.terms), func(b *testing.B) {
			h, _ := benchHandler(b)
			seedUsers(b, h, c.users)
			terms := make([]string, c.terms)
			for i := range terms {
				terms[i] = fmt.Sprintf(`emails co "z%03d"`, i)
			}
			req := httptest.NewRequest(http.MethodGet, "/Users?filter="+urlq(strings.Join(terms, " or ")), nil)
			req.Header.Set("Authorization", "Bearer bench")
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != c.status {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkCostPatch: one PATCH of N operations on a user.
//   - replace: N replaces of title;
//   - filter-miss: N removes of emails[value eq "nK"] that match nothing;
//   - filter-create: N adds of emails[value eq "nK"].type (N less 1%), each
//     creating an email (the case): an index of the emails by value
//     finds each filter's elements without a scan; past 1,000 emails
//     (Limits.MaxValues) the request is refused. A new user each iteration.
func BenchmarkCostPatch(b *testing.B) {
	shapes := map[string]string{
		"replace":       `{"op":"replace","path":"title","value":"t%d"}`,
		"filter-miss":   `{"op":"remove","path":"emails[value eq \"n%d\"]"}`,
		"filter-create": `{"op":"add","path":"emails[value eq \"n%d\"].type","value":"home"}`,
	}
	for _, shape := range []string{"replace", "filter-miss", "filter-create"} {
		for _, n := range []int{100, 1_000, 10_000} {
			b.Run(fmt.Sprintf("%s/ops=%d", shape, n), func(b *testing.B) {
				h, _ := benchHandler(b)
				if shape == "filter-create" {
					n -= n / 100 // the user has one email; 1,000 is the most an attribute holds
				}
				ops := make([]string, n)
				for i := range ops {
					ops[i] = fmt.Sprintf(shapes[shape], i)
				}
				body := patchBody(ops...)
				want := http.StatusOK
				if shape == "filter-create" && n > 1_000 {
					want = http.StatusBadRequest // more emails than Limits.MaxValues
				}
				i := 0
				newUser := func() string {
					req := httptest.NewRequest(http.MethodPost, "/Users", strings.NewReader(entraCreateBody(i)))
					req.Header.Set("Authorization", "Bearer bench")
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					i++
					s := rec.Body.String()
					s = s[strings.Index(s, `"id":"`)+6:]
					return s[:strings.IndexByte(s, '"')]
				}
				id := newUser()
				req := httptest.NewRequest(http.MethodPatch, "/Users/"+id, nil)
				req.Header.Set("Authorization", "Bearer bench")
				b.ReportAllocs()
				for b.Loop() {
					if shape == "filter-create" {
						b.StopTimer()
						req.URL.Path = "/Users/" + newUser()
						b.StartTimer()
					}
					setBody(req, body)
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != want {
						b.Fatalf("%d %.300s", rec.Code, rec.Body)
					}
				}
			})
		}
	}
}

// BenchmarkGetUser reads one Entra user by id, without and with a manager:
// a manager's $ref is derived when the user is rendered (never stored), so
// that user takes the rewriting path.
func BenchmarkGetUser(b *testing.B) {
	for _, withManager := range []bool{false, true} {
		b.Run(fmt.Sprintf("manager=%v", withManager), func(b *testing.B) {
			h, _ := benchHandler(b)
			seedUsers(b, h, 2)
			id := firstUserID(b, h)
			if withManager {
				req := httptest.NewRequest(http.MethodPatch, "/Users/"+id, strings.NewReader(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"`+id+`"}]}`))
				req.Header.Set("Authorization", "Bearer bench")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"$ref"`) {
					b.Fatalf("setting the manager: %d %s", rec.Code, rec.Body)
				}
			}
			req := httptest.NewRequest(http.MethodGet, "/Users/"+id, nil)
			req.Header.Set("Authorization", "Bearer bench")
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
