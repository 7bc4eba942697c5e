package scim_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkBulkVsSingle creates 100 Entra users (the body of
// entra-behaviour.md §3.3) per iteration, as one Bulk of 100 operations
// and as 100 single POSTs, through ServeHTTP on the memory store: a Bulk
// should cost no more per operation. ns/op is per 100 users.
func BenchmarkBulkVsSingle(b *testing.B) {
	const n = 100
	b.Run("bulk", func(b *testing.B) {
		h, _ := benchHandler(b)
		req := httptest.NewRequest(http.MethodPost, "/Bulk", nil)
		req.Header.Set("Authorization", "Bearer bench")
		round := 0
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			ops := make([]string, n)
			for i := range ops {
				ops[i] = fmt.Sprintf(`{"method":"POST","path":"/Users","bulkId":"u%d","data":%s}`, i, entraCreateBody(round*n+i))
			}
			body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[` + strings.Join(ops, ",") + `]}`
			round++
			b.StartTimer()
			setBody(req, body)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || strings.Count(rec.Body.String(), `"status":"201"`) != n {
				b.Fatalf("%d %.300s", rec.Code, rec.Body)
			}
		}
	})
	b.Run("single", func(b *testing.B) {
		h, _ := benchHandler(b)
		req := httptest.NewRequest(http.MethodPost, "/Users", nil)
		req.Header.Set("Authorization", "Bearer bench")
		round := 0
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			bodies := make([]string, n)
			for i := range bodies {
				bodies[i] = entraCreateBody(round*n + i)
			}
			round++
			b.StartTimer()
			for _, body := range bodies {
				setBody(req, body)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusCreated {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		}
	})
}

// BenchmarkRootSearch runs POST /.search across every resource type with
// 100,000 users and an Entra-style equality (an index answers it for
// users; groups cannot match a userName), against the same filter on
// /Users/.search.
func BenchmarkRootSearch(b *testing.B) {
	h, _ := benchHandler(b)
	seedUsers(b, h, 100_000)
	for _, path := range []string{"/.search", "/Users/.search"} {
		b.Run(strings.Trim(path, "/"), func(b *testing.B) {
			req := httptest.NewRequest(http.MethodPost, path, nil)
			req.Header.Set("Authorization", "Bearer bench")
			body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \"jdoe50000@contoso.com\""}`
			b.ReportAllocs()
			for b.Loop() {
				setBody(req, body)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"totalResults":1`) {
					b.Fatalf("%d %.300s", rec.Code, rec.Body)
				}
			}
		})
	}
}
