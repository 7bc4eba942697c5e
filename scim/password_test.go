package scim_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/internal/teststore"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// syncBuffer is a bytes.Buffer safe for a logger used by concurrent requests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A password (returned "never") is accepted on every write path and then
// dropped: it is never stored, returned, matched by a filter, sorted on or
// logged, on every store.
func TestPasswordNeverStoredReturnedOrMatched(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			st := kind.New(t)
			logs := &syncBuffer{}
			h := newHandler(t, func(c *scim.Config) {
				c.Store = st
				c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			})
			secrets := map[string]string{}
			secret := func(name string) string {
				s := "S3cret-" + name + "-" + strings.Repeat("x", 8)
				secrets[name] = s
				return s
			}

			// POST and PUT.
			r := do(t, h, http.MethodPost, "/Users", fmt.Sprintf(`{"schemas":[%q],"userName":"pw@example.com","password":%q,"emails":[{"value":"pw@example.com","type":"work"}]}`, userURN, secret("post")))
			wantStatus(t, r, http.StatusCreated, "POST with a password")
			id := str(r.body, "id")
			r = do(t, h, http.MethodPut, "/Users/"+id, fmt.Sprintf(`{"schemas":[%q],"userName":"pw@example.com","password":%q,"emails":[{"value":"pw@example.com","type":"work"}]}`, userURN, secret("put")))
			wantStatus(t, r, http.StatusOK, "PUT with a password")
			version := r.header.Get("ETag")

			// Every PATCH shape that names the password: accepted, changes nothing.
			for _, op := range []string{
				`{"op":"add","path":"password","value":%q}`,
				`{"op":"replace","path":"password","value":%q}`,
				`{"op":"Replace","path":"Password","value":[%q]}`,
				`{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:password","value":%q}`,
				`{"op":"replace","value":{"password":%q}}`,
				`{"op":"replace","value":{"password":[%q]}}`,
				`{"op":"add","value":{"urn:ietf:params:scim:schemas:core:2.0:User":{"password":%q}}}`,
				`{"op":"add","value":{"urn:ietf:params:scim:schemas:core:2.0:User:password":%q}}`,
			} {
				body := patchBody(fmt.Sprintf(op, secret(fmt.Sprint("patch", len(secrets)))))
				r := do(t, h, http.MethodPatch, "/Users/"+id, body)
				wantStatus(t, r, http.StatusOK, "PATCH "+body)
				if got := r.header.Get("ETag"); got != version {
					t.Errorf("PATCH %s changed the version %s → %s: a dropped password is no change", body, version, got)
				}
			}
			// A PATCH that sets a password beside a real change keeps the change.
			r = do(t, h, http.MethodPatch, "/Users/"+id, patchBody(fmt.Sprintf(`{"op":"replace","value":{"password":%q,"title":"Engineer"}}`, secret("mixed"))))
			wantStatus(t, r, http.StatusOK, "PATCH password and title")
			if str(r.body, "title") != "Engineer" {
				t.Errorf("the title beside the password was lost: %s", r.raw)
			}
			// Value-filter paths and removes are accepted too.
			for _, body := range []string{
				patchBody(`{"op":"remove","path":"password"}`),
				patchBody(fmt.Sprintf(`{"op":"add","path":"emails[type eq \"work\"].password","value":%q}`, secret("filtered"))),
			} {
				r := do(t, h, http.MethodPatch, "/Users/"+id, body)
				wantStatus(t, r, http.StatusOK, "PATCH "+body)
			}

			// Reads: by id, list, projection, .search, filters and sorting.
			var responses []result
			for _, path := range []string{
				"/Users/" + id,
				"/Users",
				"/Users?attributes=password",
				"/Users?attributes=password,userName",
				"/Users/" + id + "?attributes=password",
				"/Users/" + id + "?excludedAttributes=emails",
				"/Users?sortBy=password",
			} {
				r := do(t, h, http.MethodGet, path, "")
				wantStatus(t, r, http.StatusOK, "GET "+path)
				responses = append(responses, r)
			}
			for _, f := range []string{
				`password eq "` + secrets["post"] + `"`,
				`password eq "` + secrets["put"] + `"`,
				`password pr`,
				`password sw "S3cret"`,
				`userName eq "pw@example.com" and password pr`,
				`urn:ietf:params:scim:schemas:core:2.0:User:password pr`,
				`emails[password pr]`,
			} {
				r := do(t, h, http.MethodGet, "/Users?filter="+urlq(f), "")
				wantStatus(t, r, http.StatusOK, "filter "+f)
				if n := num(r.body, "totalResults"); n != 0 {
					t.Errorf("filter %s matched %d users, want 0: a never-returned attribute must not be matchable", f, n)
				}
				s := do(t, h, http.MethodPost, "/Users/.search", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":%q,"attributes":["password"]}`, f))
				wantStatus(t, s, http.StatusOK, ".search "+f)
				if n := num(s.body, "totalResults"); n != 0 {
					t.Errorf(".search %s matched %d users, want 0", f, n)
				}
				responses = append(responses, r, s)
			}
			if r := do(t, h, http.MethodGet, "/Users?filter="+urlq(`not (password pr)`), ""); num(r.body, "totalResults") != 1 {
				t.Errorf("not (password pr) = %s, want the one user (no user has a stored password)", r)
			}

			stored := teststore.Documents(t, st, "t")
			for name, s := range secrets {
				for _, r := range responses {
					if strings.Contains(r.raw, s) || strings.Contains(strings.ToLower(r.raw), `"password"`) {
						t.Errorf("a response holds the password (%s): %s", name, r.raw)
					}
				}
				if strings.Contains(stored, s) {
					t.Errorf("the store holds the password sent by %s: %s", name, stored)
				}
				if strings.Contains(logs.String(), s) {
					t.Errorf("the log holds the password sent by %s:\n%s", name, logs.String())
				}
			}
			if strings.Contains(stored, `"password"`) {
				t.Errorf("a stored document has a password member: %s", stored)
			}
		})
	}
}

// leakyStore hands back every resource with a password in its attributes,
// spaced as PostgreSQL's jsonb prints them: a Store the Handler must not
// trust to have dropped it (a database written by an older version, or a
// product's own store).
type leakyStore struct{ store.Store }

func (s leakyStore) leak(r *store.Resource) *store.Resource {
	if r != nil && r.Type == store.User {
		r.Attributes = append([]byte(`{"password": "hunter2-leaked", `), r.Attributes[1:]...)
	}
	return r
}

func (s leakyStore) Get(ctx context.Context, typ, id string) (*store.Resource, error) {
	r, err := s.Store.Get(ctx, typ, id)
	return s.leak(r), err
}

func (s leakyStore) List(ctx context.Context, typ string, q store.Query) (*store.Page, error) {
	p, err := s.Store.List(ctx, typ, q)
	if p != nil {
		for _, r := range p.Resources {
			s.leak(r)
		}
	}
	return p, err
}

func TestPasswordNeverShownWhateverTheStoreHolds(t *testing.T) {
	h := newHandler(t, func(c *scim.Config) { c.Store = leakyStore{c.Store} })
	boss := createUser(t, h, userBody("boss@example.com"))
	id := createUser(t, h, fmt.Sprintf(`{"userName":"u@example.com","title":"T",%q:{"manager":%q,"department":"D"}}`, enterpriseURN, boss))
	for _, path := range []string{"/Users/" + id, "/Users", "/Users?attributes=password", "/Users?attributes=userName,password", "/Users/" + id + "?excludedAttributes=title"} {
		r := do(t, h, http.MethodGet, path, "")
		wantStatus(t, r, http.StatusOK, path)
		if strings.Contains(r.raw, "hunter2") || strings.Contains(r.raw, "password") {
			t.Errorf("GET %s shows the stored password: %s", path, r.raw)
		}
		if path == "/Users/"+id && (str(r.body, "title") != "T" || str(r.body, "userName") != "u@example.com") {
			t.Errorf("GET %s lost other attributes: %s", path, r.raw)
		}
	}
	r := do(t, h, http.MethodGet, "/Users/"+id, "")
	ext, _ := r.body[enterpriseURN].(map[string]any)
	if m, _ := ext["manager"].(map[string]any); m["$ref"] != "http://example.com/Users/"+boss || ext["department"] != "D" {
		t.Errorf("the enterprise extension beside a stored password: %v", ext)
	}
}
