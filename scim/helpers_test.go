package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// testToken is the bearer token every handler built by newHandler accepts.
const testToken = "s"

const (
	userURN       = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupURN      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	errorURN      = "urn:ietf:params:scim:api:messages:2.0:Error"
	listURN       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
)

// newHandler builds a Handler over a fresh memory store accepting the
// bearer token testToken for tenant "t". Each option may adjust the Config
// (for instance replace the Store or set Limits) before it is built.
func newHandler(t testing.TB, opts ...func(*scim.Config)) *scim.Handler {
	t.Helper()
	cfg := scim.Config{
		Store:  memory.New(),
		Auth:   auth.StaticTokens(auth.Token{Secret: testToken, Tenant: "t"}),
		Logger: slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(&cfg)
	}
	h, err := scim.NewHandler(cfg)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	return h
}

// result is one response as the tests see it.
type result struct {
	status int
	header http.Header
	body   map[string]any // decoded JSON object; nil for an empty body
	raw    string
}

// do sends one request through h. The request carries
// "Authorization: Bearer s" and, when body is not empty,
// "Content-Type: application/scim+json"; headers (name, value pairs)
// override or add headers ("Host" sets the request's Host), and an empty
// value removes one.
func do(t testing.TB, h http.Handler, method, path, body string, headers ...string) result {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	if len(headers)%2 != 0 {
		t.Fatalf("do: headers must be name, value pairs")
	}
	for i := 0; i < len(headers); i += 2 {
		if strings.EqualFold(headers[i], "Host") {
			req.Host = headers[i+1]
			continue
		}
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := result{status: rec.Code, header: rec.Result().Header, raw: rec.Body.String()}
	if strings.TrimSpace(res.raw) != "" {
		d := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
		d.UseNumber()
		if err := d.Decode(&res.body); err != nil {
			t.Fatalf("%s %s: response body is not a JSON object (%v): %q", method, path, err, res.raw)
		}
	}
	return res
}

// String describes the response for failure messages.
func (r result) String() string { return fmt.Sprintf("%d %s", r.status, r.raw) }

// get walks dotted keys ("meta.location") and integer indexes
// ("Resources.0.id") into v.
func get(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			v = t[k]
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i < 0 || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

// str is get for a string; "" when absent or not a string.
func str(v any, path string) string {
	s, _ := get(v, path).(string)
	return s
}

// num is get for a JSON number; -1 when absent or not a number.
func num(v any, path string) int {
	n, ok := get(v, path).(json.Number)
	if !ok {
		return -1
	}
	i, err := n.Int64()
	if err != nil {
		return -1
	}
	return int(i)
}

// list is get for an array.
func list(v any, path string) []any {
	a, _ := get(v, path).([]any)
	return a
}

// wantStatus fails the test now unless r has status want.
func wantStatus(t testing.TB, r result, want int, what string) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d; body %s", what, r.status, want, r.raw)
	}
}

// checkError checks that r is an RFC 7644 §3.12 error with status and
// scimType (scimType "" skips that check), and that detail contains every
// one of words (case-insensitively).
func checkError(t testing.TB, r result, status int, scimType string, words ...string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d, want %d; body %s", r.status, status, r.raw)
		return
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
		t.Errorf("Content-Type %q, want application/scim+json", ct)
	}
	if got := list(r.body, "schemas"); len(got) != 1 || got[0] != errorURN {
		t.Errorf("schemas = %v, want [%s]; body %s", got, errorURN, r.raw)
	}
	if got, ok := r.body["status"].(string); !ok || got != fmt.Sprint(status) {
		t.Errorf("status member = %#v, want the string %q; body %s", r.body["status"], fmt.Sprint(status), r.raw)
	}
	if scimType != "" && str(r.body, "scimType") != scimType {
		t.Errorf("scimType = %q, want %q; body %s", str(r.body, "scimType"), scimType, r.raw)
	}
	detail := strings.ToLower(str(r.body, "detail"))
	for _, w := range words {
		if !strings.Contains(detail, strings.ToLower(w)) {
			t.Errorf("detail %q does not mention %q", str(r.body, "detail"), w)
		}
	}
}

// createUser POSTs body to /Users and returns the new user's id.
func createUser(t testing.TB, h http.Handler, body string) string {
	t.Helper()
	r := do(t, h, http.MethodPost, "/Users", body)
	wantStatus(t, r, http.StatusCreated, "POST /Users "+body)
	id := str(r.body, "id")
	if id == "" {
		t.Fatalf("POST /Users: no id in %s", r.raw)
	}
	return id
}

// createGroup POSTs body to /Groups and returns the new group's id.
func createGroup(t testing.TB, h http.Handler, body string) string {
	t.Helper()
	r := do(t, h, http.MethodPost, "/Groups", body)
	wantStatus(t, r, http.StatusCreated, "POST /Groups "+body)
	id := str(r.body, "id")
	if id == "" {
		t.Fatalf("POST /Groups: no id in %s", r.raw)
	}
	return id
}

// userBody is a minimal POST /Users body.
func userBody(userName string) string {
	return fmt.Sprintf(`{"schemas":[%q],"userName":%q}`, userURN, userName)
}

// countingStore counts the calls that reach the wrapped Store, and panics
// in List while panicList is set.
type countingStore struct {
	store.Store
	calls     atomic.Int64
	panicList atomic.Bool
}

func (s *countingStore) Create(ctx context.Context, r *store.Resource) (*store.Resource, error) {
	s.calls.Add(1)
	return s.Store.Create(ctx, r)
}

func (s *countingStore) Get(ctx context.Context, typ, id string) (*store.Resource, error) {
	s.calls.Add(1)
	return s.Store.Get(ctx, typ, id)
}

func (s *countingStore) Update(ctx context.Context, typ, id, ifMatch string, fn func(*store.Resource) error) (*store.Resource, error) {
	s.calls.Add(1)
	return s.Store.Update(ctx, typ, id, ifMatch, fn)
}

func (s *countingStore) Delete(ctx context.Context, typ, id, ifMatch string) error {
	s.calls.Add(1)
	return s.Store.Delete(ctx, typ, id, ifMatch)
}

func (s *countingStore) List(ctx context.Context, typ string, q store.Query) (*store.Page, error) {
	s.calls.Add(1)
	if s.panicList.Load() {
		panic("store exploded")
	}
	return s.Store.List(ctx, typ, q)
}

// urlq escapes a query parameter value as Entra does (spaces as "+").
func urlq(s string) string { return url.QueryEscape(s) }

// authFor accepts testToken for tenant.
func authFor(tenant string) auth.Authenticator {
	return auth.StaticTokens(auth.Token{Secret: testToken, Tenant: tenant})
}
