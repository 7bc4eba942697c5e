package scim_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memory"
)

func fuzzHandler(t *testing.T) *scim.Handler {
	h, err := scim.NewHandler(scim.Config{
		Store:  memory.New(),
		Auth:   auth.StaticTokens(auth.Token{Secret: "f", Tenant: "t"}),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func fuzzDo(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer f")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// FuzzResourceBody posts arbitrary bodies as users and groups, PUTs them
// over an existing user, and PATCHes that user with them. Whatever the
// input: no 5xx, every error is a SCIM error body, and a failed write
// leaves the stored resource byte for byte as it was.
func FuzzResourceBody(f *testing.F) {
	for i := range 3 {
		f.Add(entraCreateBody(i))
	}
	for _, s := range []string{
		`{"userName":"a","active":"True","emails":"x"}`,
		`{"userName":"b","name":"str","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"m"}}`,
		`{"displayName":"g","members":[{"value":"nope"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
		`{"Operations":[{"op":"add","path":"emails[type eq \"work\"].value","value":"x@y"}]}`,
		`{"Operations":[{"op":"remove","path":"userName"}]}`,
		`[1,2]`, `null`, `{"userName":1e999}`, `{"userName":"\ud800"}`, `{`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		h := fuzzHandler(t)
		seed := fuzzDo(h, http.MethodPost, "/Users", `{"userName":"seed@example.com","active":true}`)
		if seed.Code != http.StatusCreated {
			t.Fatalf("seed: %d %s", seed.Code, seed.Body)
		}
		loc := seed.Header().Get("Location")
		id := loc[strings.LastIndexByte(loc, '/')+1:]
		before := fuzzDo(h, http.MethodGet, "/Users/"+id, "").Body.String()

		for _, c := range []struct{ method, path string }{
			{http.MethodPost, "/Users"},
			{http.MethodPost, "/Groups"},
			{http.MethodPut, "/Users/" + id},
			{http.MethodPatch, "/Users/" + id},
		} {
			rec := fuzzDo(h, c.method, c.path, body)
			if rec.Code >= 500 {
				t.Fatalf("%s %s with %q: %d %s", c.method, c.path, body, rec.Code, rec.Body)
			}
			if rec.Code >= 400 {
				if ct := rec.Header().Get("Content-Type"); ct != "application/scim+json" || !strings.Contains(rec.Body.String(), `"urn:ietf:params:scim:api:messages:2.0:Error"`) {
					t.Fatalf("%s %s: %d without a SCIM error body: %s", c.method, c.path, rec.Code, rec.Body)
				}
				if c.method != http.MethodPost {
					if after := fuzzDo(h, http.MethodGet, "/Users/"+id, "").Body.String(); after != before {
						t.Fatalf("%s failed with %d but changed the user:\nbefore %s\nafter  %s", c.method, rec.Code, before, after)
					}
				}
			}
			if rec.Code < 300 && c.method != http.MethodPost {
				before = fuzzDo(h, http.MethodGet, "/Users/"+id, "").Body.String()
			}
		}
	})
}

// FuzzFilterQuery sends arbitrary filters: 200 or 400 invalidFilter, never
// a 5xx.
func FuzzFilterQuery(f *testing.F) {
	for _, s := range []string{
		`userName eq "x"`, `emails[type eq "work"].value eq "x"`, `name.familyName co "a" and not (active eq false)`,
		`meta.created gt "2020-01-01T00:00:00Z"`, `userName eq`, `((((`, `members[value eq "x"]`, `x eq 1.5e3`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, filter string) {
		h := fuzzHandler(t)
		fuzzDo(h, http.MethodPost, "/Users", entraCreateBody(1))
		for _, res := range []string{"/Users", "/Groups"} {
			req := httptest.NewRequest(http.MethodGet, res, nil)
			q := req.URL.Query()
			q.Set("filter", filter)
			q.Set("sortBy", filter)
			req.URL.RawQuery = q.Encode()
			req.Header.Set("Authorization", "Bearer f")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
				t.Fatalf("filter %q: %d %s", filter, rec.Code, rec.Body)
			}
		}
	})
}

// FuzzBulkRequest posts arbitrary BulkRequests. Whatever the input: no
// 5xx, an error is a SCIM error body, a 200 is a BulkResponse whose every
// operation has a method and a status, and a password never comes back.
func FuzzBulkRequest(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"a","password":"pw"}},{"method":"POST","path":"/Groups","bulkId":"g","data":{"displayName":"g","members":[{"value":"bulkId:a"}]}}]}`,
		`{"failOnErrors":1,"Operations":[{"method":"PATCH","path":"/Users/bulkId:a","data":{"Operations":[{"op":"Replace","path":"active","value":"False"}]}},{"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"x"}}]}`,
		`{"Operations":[{"method":"POST","path":"/Groups","bulkId":"a","data":{"displayName":"A","members":[{"value":"bulkId:b"}]}},{"method":"POST","path":"/Groups","bulkId":"b","data":{"displayName":"B","members":[{"value":"bulkId:a"}]}}]}`,
		`{"Operations":[{"method":"DELETE","path":"/Users/x"},{"method":"PUT","path":"/Bulk","data":{}},{"method":"POST","path":"/Users/.search","data":{}}]}`,
		`{"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"bulkId:a"}}]}`,
		`{"Operations":[]}`, `{"Operations":[1]}`, `{"failOnErrors":"x"}`, `[]`, `{`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		h := fuzzHandler(t)
		rec := fuzzDo(h, http.MethodPost, "/Bulk", body)
		if rec.Code >= 500 {
			t.Fatalf("POST /Bulk %q = %d %s", body, rec.Code, rec.Body)
		}
		var got map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("POST /Bulk %q: the body is not JSON: %v\n%s", body, err, rec.Body)
		}
		if strings.Contains(rec.Body.String(), `"password"`) {
			t.Fatalf("POST /Bulk %q returned a password: %s", body, rec.Body)
		}
		if rec.Code != http.StatusOK {
			if got["status"] != fmt.Sprint(rec.Code) {
				t.Fatalf("POST /Bulk %q = %d without a SCIM error body: %s", body, rec.Code, rec.Body)
			}
			return
		}
		ops, _ := got["Operations"].([]any)
		for _, o := range ops {
			m, _ := o.(map[string]any)
			status, _ := m["status"].(string)
			if m["method"] == nil || status == "" || strings.HasPrefix(status, "5") {
				t.Fatalf("POST /Bulk %q: operation result %v", body, o)
			}
		}
	})
}
