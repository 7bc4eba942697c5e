package entra_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memory"
)

const (
	userSchema  = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
	patchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// scimClient sends requests with one tenant's Entra token.
type scimClient struct {
	t     *testing.T
	h     http.Handler
	token string
}

type reply struct {
	status int
	raw    string
	body   map[string]any
}

func (c scimClient) do(method, path, body string) reply {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	r.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		r.Header.Set("Content-Type", "application/scim+json")
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, r)
	out := reply{status: rec.Code, raw: rec.Body.String()}
	if strings.TrimSpace(out.raw) != "" {
		if err := json.Unmarshal(rec.Body.Bytes(), &out.body); err != nil {
			c.t.Fatalf("%s %s: not JSON: %s", method, path, out.raw)
		}
	}
	return out
}

func (c scimClient) create(path, body string) string {
	c.t.Helper()
	r := c.do(http.MethodPost, path, body)
	if r.status != http.StatusCreated {
		c.t.Fatalf("POST %s: %d %s", path, r.status, r.raw)
	}
	return r.body["id"].(string)
}

func userJSON(userName string) string {
	return fmt.Sprintf(`{"schemas":[%q],"userName":%q,"active":true,"displayName":"Same Name"}`, userSchema, userName)
}

func groupJSON(name string, members ...string) string {
	var m []string
	for _, id := range members {
		m = append(m, fmt.Sprintf(`{"value":%q}`, id))
	}
	return fmt.Sprintf(`{"schemas":[%q],"displayName":%q,"members":[%s]}`, groupSchema, name, strings.Join(m, ","))
}

func filter(f string) string { return "filter=" + url.QueryEscape(f) }

// TestTenantIsolationThroughHandler: two tenants' Entra tokens on one
// Handler and one store. Tenant A cannot see, change or delete tenant B's
// users or groups: 404 and empty lists, never B's data; the same userName
// exists in both.
func TestTenantIsolationThroughHandler(t *testing.T) {
	f := newFixture(t)
	h, err := scim.NewHandler(scim.Config{Store: memory.New(), Auth: f.entra, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	a := scimClient{t, h, f.iss.Token(f.a)}
	b := scimClient{t, h, f.iss.Token(f.b)}

	userA := a.create("/Users", userJSON("same@example.com"))
	groupA := a.create("/Groups", groupJSON("Admins", userA))
	userB := b.create("/Users", userJSON("same@example.com")) // same userName, other tenant
	onlyB := b.create("/Users", userJSON("only-b@example.com"))
	groupB := b.create("/Groups", groupJSON("Admins", userB, onlyB))
	secretsOfB := []string{userB, onlyB, groupB, "only-b@example.com"}

	// notB fails if r shows any of B's ids or data, except the id A asked
	// for (a 404 names it).
	notB := func(what string, r reply, asked ...string) {
		t.Helper()
		for _, s := range secretsOfB {
			if strings.Contains(r.raw, s) && !slices.Contains(asked, s) {
				t.Errorf("%s: tenant A sees tenant B's %q: %s", what, s, r.raw)
			}
		}
	}
	total := func(what string, r reply, want int) {
		t.Helper()
		if r.status != http.StatusOK {
			t.Errorf("%s: %d %s, want 200", what, r.status, r.raw)
			return
		}
		if n, _ := r.body["totalResults"].(float64); int(n) != want {
			t.Errorf("%s: totalResults %v, want %d: %s", what, r.body["totalResults"], want, r.raw)
		}
	}

	// See: list, filter, get.
	for _, c := range []struct {
		path string
		want int
	}{
		{"/Users", 1},
		{"/Users?" + filter(`userName eq "same@example.com"`), 1},
		{"/Users?" + filter(`userName eq "only-b@example.com"`), 0},
		{"/Users?" + filter(`id eq "`+userB+`"`), 0},
		{"/Users?" + filter(`displayName eq "Same Name"`), 1},
		{"/Groups", 1},
		{"/Groups?" + filter(`displayName eq "Admins"`), 1},
		{"/Groups?" + filter(`members[value eq "`+userB+`"]`), 0},
		{"/Groups?" + filter(`id eq "`+groupB+`"`), 0},
	} {
		r := a.do(http.MethodGet, c.path, "")
		total("GET "+c.path, r, c.want)
		notB("GET "+c.path, r)
	}
	r := a.do(http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \"only-b@example.com\""}`)
	total("POST /Users/.search", r, 0)
	notB("POST /Users/.search", r)

	// Get, change or delete B's resources by id: 404.
	patchUser := fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"replace","path":"active","value":false}]}`, patchSchema)
	patchGroup := fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"remove","path":"members"}]}`, patchSchema)
	for _, c := range []struct{ method, path, body string }{
		{http.MethodGet, "/Users/" + userB, ""},
		{http.MethodPut, "/Users/" + userB, userJSON("hijacked@example.com")},
		{http.MethodPatch, "/Users/" + userB, patchUser},
		{http.MethodDelete, "/Users/" + userB, ""},
		{http.MethodGet, "/Groups/" + groupB, ""},
		{http.MethodPut, "/Groups/" + groupB, groupJSON("Hijacked")},
		{http.MethodPatch, "/Groups/" + groupB, patchGroup},
		{http.MethodDelete, "/Groups/" + groupB, ""},
	} {
		r := a.do(c.method, c.path, c.body)
		if r.status != http.StatusNotFound {
			t.Errorf("tenant A %s %s: %d %s, want 404", c.method, c.path, r.status, r.raw)
		}
		notB(c.method+" "+c.path, r, path.Base(c.path))
	}
	// Nor can A pull B's user into its own group.
	addB := fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"add","path":"members","value":[{"value":%q}]}]}`, patchSchema, userB)
	if r := a.do(http.MethodPatch, "/Groups/"+groupA, addB); r.status < 400 {
		t.Errorf("tenant A adds tenant B's user to its group: %d %s", r.status, r.raw)
	}
	if r := a.do(http.MethodPut, "/Groups/"+groupA, groupJSON("Admins", userA, userB)); r.status < 400 {
		t.Errorf("tenant A puts tenant B's user in its group: %d %s", r.status, r.raw)
	}

	// B's data is untouched.
	r = b.do(http.MethodGet, "/Users/"+userB, "")
	if r.status != http.StatusOK || r.body["userName"] != "same@example.com" || r.body["active"] != true {
		t.Errorf("tenant B's user after tenant A's attempts: %d %s", r.status, r.raw)
	}
	r = b.do(http.MethodGet, "/Groups/"+groupB, "")
	if m, _ := r.body["members"].([]any); r.status != http.StatusOK || r.body["displayName"] != "Admins" || len(m) != 2 {
		t.Errorf("tenant B's group after tenant A's attempts: %d %s", r.status, r.raw)
	}
	total("tenant B lists its users", b.do(http.MethodGet, "/Users", ""), 2)
	// And B cannot see A's either.
	if r := b.do(http.MethodGet, "/Users/"+userA, ""); r.status != http.StatusNotFound {
		t.Errorf("tenant B reads tenant A's user: %d", r.status)
	}
	r = a.do(http.MethodGet, "/Groups/"+groupA, "")
	if m, _ := r.body["members"].([]any); r.status != http.StatusOK || len(m) != 1 {
		t.Errorf("tenant A's group: %d %s, want its one member", r.status, r.raw)
	}
}
