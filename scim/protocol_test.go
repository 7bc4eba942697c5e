package scim_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store/memory"
)

func TestRoutingCaseInsensitiveAndTrailingSlash(t *testing.T) {
	h := newHandler(t)
	id := createUser(t, h, userBody("route@example.com"))
	for _, path := range []string{"/users", "/USERS", "/Users/", "/users/?filter=userName+eq+%22route@example.com%22"} {
		r := do(t, h, http.MethodGet, path, "")
		if r.status != http.StatusOK || num(r.body, "totalResults") != 1 {
			t.Errorf("GET %s = %s, want 200 with totalResults 1", path, r)
		}
	}
	for _, path := range []string{"/users/" + id, "/Users/" + id + "/"} {
		r := do(t, h, http.MethodGet, path, "")
		if r.status != http.StatusOK || str(r.body, "id") != id {
			t.Errorf("GET %s = %s, want 200 with the user", path, r)
		}
	}
	for _, path := range []string{"/groups", "/serviceproviderconfig", "/schemas", "/resourcetypes/", "/ServiceProviderConfig/"} {
		if r := do(t, h, http.MethodGet, path, ""); r.status != http.StatusOK {
			t.Errorf("GET %s = %s, want 200", path, r)
		}
	}
}

func TestUnknownRouteIs404ScimError(t *testing.T) {
	h := newHandler(t)
	for _, path := range []string{"/", "/Foo", "/Users/a/b", "/v2/Users", "/Bulk/x"} {
		t.Run(path, func(t *testing.T) {
			checkError(t, do(t, h, http.MethodGet, path, ""), http.StatusNotFound, "")
		})
	}
}

func TestWrongMethodIs405WithAllow(t *testing.T) {
	h := newHandler(t)
	id := createUser(t, h, userBody("m@example.com"))
	cases := []struct {
		method, path string
		allow        []string // methods Allow must list
		notAllow     []string // methods it must not list
	}{
		{http.MethodDelete, "/Users", []string{"GET", "POST"}, []string{"DELETE", "PUT"}},
		{http.MethodPut, "/Groups", []string{"GET", "POST"}, []string{"PUT"}},
		{http.MethodPost, "/Users/" + id, []string{"GET", "PUT", "DELETE"}, []string{"POST"}},
		{http.MethodPost, "/ServiceProviderConfig", []string{"GET"}, []string{"POST"}},
		{http.MethodDelete, "/Schemas", []string{"GET"}, []string{"DELETE"}},
		{http.MethodPut, "/ResourceTypes/User", []string{"GET"}, []string{"PUT"}},
		{http.MethodGet, "/Users/.search", []string{"POST"}, []string{"GET"}},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			r := do(t, h, c.method, c.path, `{}`)
			checkError(t, r, http.StatusMethodNotAllowed, "")
			allow := r.header.Get("Allow")
			var got []string
			for _, m := range strings.Split(allow, ",") {
				got = append(got, strings.TrimSpace(m))
			}
			for _, m := range c.allow {
				if !slices.Contains(got, m) {
					t.Errorf("Allow %q lacks %s", allow, m)
				}
			}
			for _, m := range c.notAllow {
				if slices.Contains(got, m) {
					t.Errorf("Allow %q lists %s, which was just refused", allow, m)
				}
			}
		})
	}
}

func TestMountedUnderStripPrefix(t *testing.T) {
	h := newHandler(t)
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))

	r := do(t, mux, http.MethodPost, "/scim/v2/Users", userBody("mounted@example.com"))
	wantStatus(t, r, http.StatusCreated, "POST /scim/v2/Users")
	id := str(r.body, "id")
	want := "http://example.com/scim/v2/Users/" + id
	if got := r.header.Get("Location"); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got := str(r.body, "meta.location"); got != want {
		t.Errorf("meta.location = %q, want %q", got, want)
	}

	r = do(t, mux, http.MethodGet, "/scim/v2/Users/"+id, "")
	wantStatus(t, r, http.StatusOK, "GET /scim/v2/Users/{id}")
	if got := str(r.body, "meta.location"); got != want {
		t.Errorf("GET: meta.location = %q, want %q", got, want)
	}

	r = do(t, mux, http.MethodGet, "/scim/v2/Users?filter=userName+eq+%22mounted@example.com%22&aadOptscim062020", "")
	wantStatus(t, r, http.StatusOK, "GET /scim/v2/Users?filter")
	if got := str(r.body, "Resources.0.meta.location"); got != want {
		t.Errorf("list: meta.location = %q, want %q", got, want)
	}

	r = do(t, mux, http.MethodPost, "/scim/v2/Groups", fmt.Sprintf(`{"displayName":"G","members":[{"value":%q}]}`, id))
	wantStatus(t, r, http.StatusCreated, "POST /scim/v2/Groups")
	gid := str(r.body, "id")
	if got, w := r.header.Get("Location"), "http://example.com/scim/v2/Groups/"+gid; got != w {
		t.Errorf("group Location = %q, want %q", got, w)
	}
	r = do(t, mux, http.MethodGet, "/scim/v2/Groups/"+gid, "")
	if got := str(r.body, "members.0.$ref"); got != want {
		t.Errorf("group member $ref = %q, want %q", got, want)
	}
	if got, w := str(r.body, "meta.location"), "http://example.com/scim/v2/Groups/"+gid; got != w {
		t.Errorf("group meta.location = %q, want %q", got, w)
	}

	r = do(t, mux, http.MethodGet, "/scim/v2/ServiceProviderConfig", "")
	if got, w := str(r.body, "meta.location"), "http://example.com/scim/v2/ServiceProviderConfig"; got != w {
		t.Errorf("ServiceProviderConfig meta.location = %q, want %q", got, w)
	}
}

func TestBaseURLConfigWins(t *testing.T) {
	h := newHandler(t, func(c *scim.Config) { c.BaseURL = "https://api.example.com/scim/v2/" })
	r := do(t, h, http.MethodPost, "/Users", userBody("base@example.com"))
	wantStatus(t, r, http.StatusCreated, "POST /Users")
	want := "https://api.example.com/scim/v2/Users/" + str(r.body, "id")
	if got := r.header.Get("Location"); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got := str(r.body, "meta.location"); got != want {
		t.Errorf("meta.location = %q, want %q", got, want)
	}
}

func TestUnknownQueryParametersIgnored(t *testing.T) {
	h := newHandler(t)
	r := do(t, h, http.MethodPost, "/Users?aadOptscim062020", userBody("flag@example.com"))
	wantStatus(t, r, http.StatusCreated, "POST /Users?aadOptscim062020")
	id := str(r.body, "id")
	for _, path := range []string{
		"/Users?aadOptscim062020",
		"/Users?aadOptscim062020&filter=userName+eq+%22flag@example.com%22",
		"/Users/" + id + "?aadOptscim062020",
		"/Users/" + id + "?foo=bar&aadOptscim062020=",
		"/Groups?aadOptscim062020",
		"/ServiceProviderConfig?aadOptscim062020",
	} {
		if r := do(t, h, http.MethodGet, path, ""); r.status != http.StatusOK {
			t.Errorf("GET %s = %s, want 200", path, r)
		}
	}
	r = do(t, h, http.MethodGet, "/Users?aadOptscim062020&filter=userName+eq+%22flag@example.com%22", "")
	if num(r.body, "totalResults") != 1 {
		t.Errorf("filter with the flag: %s, want totalResults 1", r)
	}
}

func TestContentTypeApplicationJSONAccepted(t *testing.T) {
	h := newHandler(t)
	for i, ct := range []string{"application/json", "application/json; charset=utf-8", "application/scim+json; charset=utf-8"} {
		r := do(t, h, http.MethodPost, "/Users", userBody(fmt.Sprintf("ct%d@example.com", i)), "Content-Type", ct)
		if r.status != http.StatusCreated {
			t.Errorf("POST with Content-Type %q = %s, want 201", ct, r)
		}
	}
}

func TestEveryResponseIsScimJSON(t *testing.T) {
	st := &countingStore{Store: memory.New()}
	h := newHandler(t, func(c *scim.Config) { c.Store = st })
	id := createUser(t, h, userBody("ct@example.com"))
	gid := createGroup(t, h, `{"displayName":"CT"}`)
	cases := []struct {
		method, path, body string
		headers            []string
	}{
		{"GET", "/Users", "", nil},
		{"GET", "/Users/" + id, "", nil},
		{"GET", "/Groups/" + gid, "", nil},
		{"GET", "/Groups", "", nil},
		{"POST", "/Users", userBody("ct2@example.com"), nil},
		{"PUT", "/Users/" + id, userBody("ct@example.com"), nil},
		{"POST", "/Users/.search", `{"filter":"userName eq \"x\""}`, nil},
		{"GET", "/ServiceProviderConfig", "", nil},
		{"GET", "/Schemas", "", nil},
		{"GET", "/Schemas/" + userURN, "", nil},
		{"GET", "/ResourceTypes", "", nil},
		{"GET", "/ResourceTypes/User", "", nil},
		// errors
		{"GET", "/Users", "", []string{"Authorization", ""}},
		{"GET", "/Users", "", []string{"Authorization", "Bearer nope"}},
		{"GET", "/Nope", "", nil},
		{"DELETE", "/Users", "", nil},
		{"GET", "/Users/nope", "", nil},
		{"POST", "/Users", "{", nil},
		{"GET", "/Users?filter=userName+eq", "", nil},
		{"POST", "/Users", userBody("ct@example.com"), nil},
		{"PUT", "/Users/" + id, userBody("ct@example.com"), []string{"If-Match", `W/"nope"`}},
		{"PATCH", "/Users/" + id, `{}`, nil},
	}
	for _, c := range cases {
		r := do(t, h, c.method, c.path, c.body, c.headers...)
		if ct := r.header.Get("Content-Type"); ct != "application/scim+json" {
			t.Errorf("%s %s (status %d): Content-Type %q, want application/scim+json", c.method, c.path, r.status, ct)
		}
	}
	// A panic answered by the recovery path too.
	st.panicList.Store(true)
	r := do(t, h, "GET", "/Users", "")
	if ct := r.header.Get("Content-Type"); ct != "application/scim+json" {
		t.Errorf("500 after a panic: Content-Type %q, want application/scim+json", ct)
	}
}

func TestUnauthorized(t *testing.T) {
	st := &countingStore{Store: memory.New()}
	h := newHandler(t, func(c *scim.Config) { c.Store = st })
	cases := []struct {
		name    string
		headers []string
		invalid bool // the challenge should carry error="invalid_token"
	}{
		{"no header", []string{"Authorization", ""}, false},
		{"empty bearer", []string{"Authorization", "Bearer "}, false},
		{"basic", []string{"Authorization", "Basic czpz"}, false},
		{"wrong token", []string{"Authorization", "Bearer wrong"}, true},
		{"token prefix", []string{"Authorization", "Bearer s2"}, true},
	}
	reqs := []struct{ method, path, body string }{
		{"GET", "/Users", ""},
		{"GET", "/Users?filter=userName+eq+%22a%22", ""},
		{"POST", "/Users", userBody("x@example.com")},
		{"GET", "/Users/abc", ""},
		{"PUT", "/Users/abc", userBody("x@example.com")},
		{"DELETE", "/Users/abc", ""},
		{"POST", "/Groups", `{"displayName":"g"}`},
		{"POST", "/Users/.search", `{}`},
		{"GET", "/ServiceProviderConfig", ""},
		{"GET", "/Schemas", ""},
		{"GET", "/Nope", ""},
	}
	for _, c := range cases {
		for _, q := range reqs {
			t.Run(c.name+" "+q.method+" "+q.path, func(t *testing.T) {
				r := do(t, h, q.method, q.path, q.body, c.headers...)
				checkError(t, r, http.StatusUnauthorized, "")
				if d, want := str(r.body, "detail"), "unauthorized (request id "+r.header.Get("X-Request-Id")+")"; d != want {
					t.Errorf("detail = %q, want %q", d, want)
				}
				wa := r.header.Get("WWW-Authenticate")
				if !strings.HasPrefix(wa, "Bearer") {
					t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", wa)
				}
				if c.invalid && !strings.Contains(wa, `error="invalid_token"`) {
					t.Errorf("WWW-Authenticate = %q, want error=\"invalid_token\" for a wrong token (RFC 6750 §3.1)", wa)
				}
			})
		}
	}
	// The token in the query string is refused even when it is right.
	r := do(t, h, "GET", "/Users?access_token="+testToken, "", "Authorization", "")
	checkError(t, r, http.StatusUnauthorized, "")
	if n := st.calls.Load(); n != 0 {
		t.Errorf("unauthenticated requests reached the store %d times, want 0", n)
	}
	// Sanity: the right token does reach it.
	if r := do(t, h, "GET", "/Users", "", "Authorization", "bearer "+testToken); r.status != http.StatusOK {
		t.Errorf("lower-case bearer scheme: %s, want 200", r)
	}
	if st.calls.Load() == 0 {
		t.Errorf("an authenticated request did not reach the store")
	}
}

func TestTenantsAreIsolated(t *testing.T) {
	st := memory.New()
	hA := newHandler(t, func(c *scim.Config) { c.Store = st })
	hB := newHandler(t, func(c *scim.Config) {
		c.Store = st
		c.Auth = authFor("t2")
	})
	id := createUser(t, hA, userBody("same@example.com"))
	if r := do(t, hB, "GET", "/Users/"+id, ""); r.status != http.StatusNotFound {
		t.Errorf("tenant t2 reads tenant t's user: %s, want 404", r)
	}
	// The same userName may exist in another tenant.
	createUser(t, hB, userBody("same@example.com"))
	r := do(t, hB, "GET", "/Users", "")
	if num(r.body, "totalResults") != 1 {
		t.Errorf("tenant t2 list: %s, want only its own user", r)
	}
}

func TestCreateUser(t *testing.T) {
	h := newHandler(t)
	before := time.Now().Add(-time.Second)
	body := `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	  "id": "client-chosen-id",
	  "externalId": "jdoe",
	  "userName": "jdoe@contoso.com",
	  "active": true,
	  "displayName": "Jane Doe",
	  "emails": [{"primary": true, "type": "work", "value": "jdoe@contoso.com"}],
	  "name": {"formatted": "Jane Doe", "familyName": "Doe", "givenName": "Jane"},
	  "phoneNumbers": [{"type": "work", "value": "55555555555"}],
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "department": "Tour Operations"},
	  "meta": {"resourceType": "Group", "created": "2001-01-01T00:00:00Z", "version": "W/\"999\"", "location": "http://evil/Users/x"},
	  "roles": []
	}`
	r := do(t, h, http.MethodPost, "/Users", body)
	wantStatus(t, r, http.StatusCreated, "POST /Users")
	id := str(r.body, "id")
	if id == "" || id == "client-chosen-id" {
		t.Errorf("id = %q, want a server-assigned id (client id ignored)", id)
	}
	if got, want := r.header.Get("Location"), "http://example.com/Users/"+id; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got := str(r.body, "meta.location"); got != r.header.Get("Location") {
		t.Errorf("meta.location = %q, want it equal to Location %q", got, r.header.Get("Location"))
	}
	etag := r.header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) || !strings.HasSuffix(etag, `"`) || etag == `W/"999"` {
		t.Errorf("ETag = %q, want a weak entity tag chosen by the server", etag)
	}
	if got := str(r.body, "meta.version"); got != etag {
		t.Errorf("meta.version = %q, want it equal to ETag %q", got, etag)
	}
	if got := str(r.body, "meta.resourceType"); got != "User" {
		t.Errorf("meta.resourceType = %q, want User", got)
	}
	for _, k := range []string{"meta.created", "meta.lastModified"} {
		ts, err := time.Parse(time.RFC3339, str(r.body, k))
		if err != nil {
			t.Errorf("%s = %q: %v", k, str(r.body, k), err)
			continue
		}
		if ts.Before(before) || ts.After(time.Now().Add(time.Second)) {
			t.Errorf("%s = %v, want about now (client meta ignored)", k, ts)
		}
	}
	if got := list(r.body, "schemas"); !slices.Contains(got, any(userURN)) || !slices.Contains(got, any(enterpriseURN)) {
		t.Errorf("schemas = %v, want core and enterprise URNs", got)
	}
	if _, ok := r.body["roles"]; ok {
		t.Errorf("empty roles array came back: %v", r.body["roles"])
	}

	g := do(t, h, http.MethodGet, "/Users/"+id, "")
	wantStatus(t, g, http.StatusOK, "GET /Users/{id}")
	want := map[string]any{
		"externalId":   "jdoe",
		"userName":     "jdoe@contoso.com",
		"active":       true,
		"displayName":  "Jane Doe",
		"emails":       []any{map[string]any{"primary": true, "type": "work", "value": "jdoe@contoso.com"}},
		"name":         map[string]any{"formatted": "Jane Doe", "familyName": "Doe", "givenName": "Jane"},
		"phoneNumbers": []any{map[string]any{"type": "work", "value": "55555555555"}},
		enterpriseURN:  map[string]any{"employeeNumber": "701984", "department": "Tour Operations"},
	}
	for k, v := range want {
		if diff := cmp.Diff(v, g.body[k]); diff != "" {
			t.Errorf("GET: %s differs from what was sent (-sent +got):\n%s", k, diff)
		}
	}
	if g.header.Get("ETag") != etag {
		t.Errorf("GET ETag = %q, want %q (unchanged)", g.header.Get("ETag"), etag)
	}
	if r := do(t, h, http.MethodGet, "/Users/client-chosen-id", ""); r.status != http.StatusNotFound {
		t.Errorf("GET /Users/client-chosen-id = %d, want 404", r.status)
	}
}

func TestGetUnknownIDIs404(t *testing.T) {
	h := newHandler(t)
	for _, p := range []string{"/Users/5171a35d82074e068ce2", "/Groups/5171a35d82074e068ce2"} {
		r := do(t, h, http.MethodGet, p, "")
		checkError(t, r, http.StatusNotFound, "", "5171a35d82074e068ce2")
	}
	// A group id is not a user id.
	gid := createGroup(t, h, `{"displayName":"Only a group"}`)
	checkError(t, do(t, h, http.MethodGet, "/Users/"+gid, ""), http.StatusNotFound, "")
}

func TestPutReplacesWholeResource(t *testing.T) {
	h := newHandler(t)
	id := createUser(t, h, `{"userName":"put@example.com","displayName":"Before","title":"Engineer","emails":[{"value":"a@example.com","type":"work"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"X"}}`)
	first := do(t, h, http.MethodGet, "/Users/"+id, "")

	r := do(t, h, http.MethodPut, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"someone-else","userName":"put2@example.com","displayName":"After"}`)
	wantStatus(t, r, http.StatusOK, "PUT /Users/{id}")
	if str(r.body, "id") != id {
		t.Errorf("PUT response id = %q, want %q (the URL's id wins)", str(r.body, "id"), id)
	}
	if r.header.Get("ETag") == first.header.Get("ETag") {
		t.Errorf("ETag unchanged by PUT: %q", r.header.Get("ETag"))
	}
	if str(r.body, "meta.version") != r.header.Get("ETag") {
		t.Errorf("meta.version %q != ETag %q", str(r.body, "meta.version"), r.header.Get("ETag"))
	}
	if str(r.body, "meta.created") != str(first.body, "meta.created") {
		t.Errorf("meta.created changed by PUT: %q -> %q", str(first.body, "meta.created"), str(r.body, "meta.created"))
	}

	g := do(t, h, http.MethodGet, "/Users/"+id, "")
	wantStatus(t, g, http.StatusOK, "GET after PUT")
	if str(g.body, "userName") != "put2@example.com" || str(g.body, "displayName") != "After" {
		t.Errorf("GET after PUT: %s", g.raw)
	}
	for _, gone := range []string{"title", "emails", enterpriseURN} {
		if _, ok := g.body[gone]; ok {
			t.Errorf("GET after PUT still has %s (omitted from the PUT body): %s", gone, g.raw)
		}
	}
	if schemas := list(g.body, "schemas"); slices.Contains(schemas, any(enterpriseURN)) {
		t.Errorf("schemas still lists the enterprise extension after PUT removed its data: %v", schemas)
	}
	checkError(t, do(t, h, http.MethodGet, "/Users/someone-else", ""), http.StatusNotFound, "")
	// The old userName is free again, the new one is taken.
	createUser(t, h, userBody("put@example.com"))
	checkError(t, do(t, h, http.MethodPost, "/Users", userBody("PUT2@example.com")), http.StatusConflict, "uniqueness")

	checkError(t, do(t, h, http.MethodPut, "/Users/does-not-exist", userBody("x@example.com")), http.StatusNotFound, "")
}

func TestPutGroupReplacesMembers(t *testing.T) {
	h := newHandler(t)
	u1 := createUser(t, h, userBody("m1@example.com"))
	u2 := createUser(t, h, userBody("m2@example.com"))
	gid := createGroup(t, h, fmt.Sprintf(`{"displayName":"G","members":[{"value":%q},{"value":%q}]}`, u1, u2))
	r := do(t, h, http.MethodPut, "/Groups/"+gid, fmt.Sprintf(`{"displayName":"G2","members":[{"value":%q}]}`, u2))
	wantStatus(t, r, http.StatusOK, "PUT /Groups/{id}")
	g := do(t, h, http.MethodGet, "/Groups/"+gid, "")
	ms := list(g.body, "members")
	if len(ms) != 1 || str(ms[0], "value") != u2 || str(g.body, "displayName") != "G2" {
		t.Errorf("GET after PUT: %s, want displayName G2 and only member %s", g.raw, u2)
	}
	if u := do(t, h, http.MethodGet, "/Users/"+u1, ""); len(list(u.body, "groups")) != 0 {
		t.Errorf("user removed from the group still lists it: %s", u.raw)
	}
	r = do(t, h, http.MethodPut, "/Groups/"+gid, `{"displayName":"G2"}`)
	wantStatus(t, r, http.StatusOK, "PUT /Groups/{id} without members")
	if g := do(t, h, http.MethodGet, "/Groups/"+gid, ""); len(list(g.body, "members")) != 0 {
		t.Errorf("PUT without members kept them: %s", g.raw)
	}
}

func TestDeleteThenGet404(t *testing.T) {
	h := newHandler(t)
	id := createUser(t, h, userBody("del@example.com"))
	r := do(t, h, http.MethodDelete, "/Users/"+id, "")
	if r.status != http.StatusNoContent || r.raw != "" {
		t.Errorf("DELETE = %s, want 204 with no body", r)
	}
	checkError(t, do(t, h, http.MethodGet, "/Users/"+id, ""), http.StatusNotFound, "")
	lr := do(t, h, http.MethodGet, "/Users?filter=userName+eq+%22del@example.com%22", "")
	if num(lr.body, "totalResults") != 0 {
		t.Errorf("deleted user still listed: %s", lr.raw)
	}
	checkError(t, do(t, h, http.MethodDelete, "/Users/"+id, ""), http.StatusNotFound, "")
	// The userName can be used again.
	createUser(t, h, userBody("DEL@example.com"))

	gid := createGroup(t, h, `{"displayName":"Gone"}`)
	if r := do(t, h, http.MethodDelete, "/Groups/"+gid, ""); r.status != http.StatusNoContent {
		t.Errorf("DELETE group = %s, want 204", r)
	}
	checkError(t, do(t, h, http.MethodGet, "/Groups/"+gid, ""), http.StatusNotFound, "")
	createGroup(t, h, `{"displayName":"gone"}`)
}

func TestIfMatch(t *testing.T) {
	h := newHandler(t)
	r := do(t, h, http.MethodPost, "/Users", userBody("etag@example.com"))
	wantStatus(t, r, http.StatusCreated, "POST")
	id, v1 := str(r.body, "id"), r.header.Get("ETag")

	r = do(t, h, http.MethodPut, "/Users/"+id, `{"userName":"etag@example.com","title":"A"}`, "If-Match", v1)
	wantStatus(t, r, http.StatusOK, "PUT with current If-Match")
	v2 := r.header.Get("ETag")
	if v2 == v1 {
		t.Fatalf("ETag did not change on PUT: %q", v2)
	}

	r = do(t, h, http.MethodPut, "/Users/"+id, `{"userName":"etag@example.com","title":"B"}`, "If-Match", v1)
	checkError(t, r, http.StatusPreconditionFailed, "")
	if g := do(t, h, http.MethodGet, "/Users/"+id, ""); str(g.body, "title") != "A" {
		t.Errorf("a PUT refused with 412 changed the user: %s", g.raw)
	}
	checkError(t, do(t, h, http.MethodDelete, "/Users/"+id, "", "If-Match", v1), http.StatusPreconditionFailed, "")
	if g := do(t, h, http.MethodGet, "/Users/"+id, ""); g.status != http.StatusOK {
		t.Errorf("a DELETE refused with 412 deleted the user: %s", g)
	}

	// The strong form of the same tag and "*" match too.
	strong := strings.TrimPrefix(v2, "W/")
	r = do(t, h, http.MethodPut, "/Users/"+id, `{"userName":"etag@example.com","title":"C"}`, "If-Match", strong)
	wantStatus(t, r, http.StatusOK, "PUT with If-Match "+strong)
	v3 := r.header.Get("ETag")
	r = do(t, h, http.MethodPut, "/Users/"+id, `{"userName":"etag@example.com","title":"D"}`, "If-Match", "*")
	wantStatus(t, r, http.StatusOK, "PUT with If-Match *")
	v4 := r.header.Get("ETag")
	// A list naming the current tag matches (RFC 9110 §13.1.1).
	r = do(t, h, http.MethodPut, "/Users/"+id, `{"userName":"etag@example.com","title":"E"}`, "If-Match", v3+", "+v4)
	if r.status != http.StatusOK {
		t.Errorf("PUT with If-Match %q (second tag current) = %s, want 200", v3+", "+v4, r)
	}

	cur := do(t, h, http.MethodGet, "/Users/"+id, "").header.Get("ETag")
	if r := do(t, h, http.MethodDelete, "/Users/"+id, "", "If-Match", cur); r.status != http.StatusNoContent {
		t.Errorf("DELETE with current If-Match = %s, want 204", r)
	}
}

func TestIfNoneMatch(t *testing.T) {
	h := newHandler(t)
	r := do(t, h, http.MethodPost, "/Users", userBody("inm@example.com"))
	id, v := str(r.body, "id"), r.header.Get("ETag")
	g := do(t, h, http.MethodGet, "/Users/"+id, "", "If-None-Match", v)
	if g.status != http.StatusNotModified || g.raw != "" {
		t.Errorf("GET with current If-None-Match = %s, want 304 with no body", g)
	}
	if g.header.Get("ETag") != v {
		t.Errorf("304 ETag = %q, want %q", g.header.Get("ETag"), v)
	}
	g = do(t, h, http.MethodGet, "/Users/"+id, "", "If-None-Match", `W/"stale"`)
	if g.status != http.StatusOK || str(g.body, "id") != id {
		t.Errorf("GET with stale If-None-Match = %s, want 200 with the user", g)
	}
}

func TestDeleteUserLeavesEveryGroup(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var now = func() time.Time { return clock }
	st := memory.NewWithConfig(memory.Config{Clock: func() time.Time { return now() }})
	h := newHandler(t, func(c *scim.Config) { c.Store = st })
	u1 := createUser(t, h, userBody("leaver@example.com"))
	u2 := createUser(t, h, userBody("stayer@example.com"))
	g1 := createGroup(t, h, fmt.Sprintf(`{"displayName":"One","members":[{"value":%q},{"value":%q}]}`, u1, u2))
	g2 := createGroup(t, h, fmt.Sprintf(`{"displayName":"Two","members":[{"value":%q}]}`, u1))
	before := map[string]result{}
	for _, g := range []string{g1, g2} {
		before[g] = do(t, h, http.MethodGet, "/Groups/"+g, "")
	}

	clock = clock.Add(time.Hour)
	wantStatus(t, do(t, h, http.MethodDelete, "/Users/"+u1, ""), http.StatusNoContent, "DELETE user")

	for g, want := range map[string][]string{g1: {u2}, g2: nil} {
		r := do(t, h, http.MethodGet, "/Groups/"+g, "")
		wantStatus(t, r, http.StatusOK, "GET group")
		var got []string
		for _, m := range list(r.body, "members") {
			got = append(got, str(m, "value"))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("group %s members after deleting %s (-want +got):\n%s", str(r.body, "displayName"), u1, diff)
		}
		if r.header.Get("ETag") == before[g].header.Get("ETag") {
			t.Errorf("group %s: ETag unchanged although its members changed", str(r.body, "displayName"))
		}
		if str(r.body, "meta.lastModified") == str(before[g].body, "meta.lastModified") {
			t.Errorf("group %s: meta.lastModified = %s unchanged although its members changed an hour later",
				str(r.body, "displayName"), str(r.body, "meta.lastModified"))
		}
	}
	// A filter on members no longer finds the deleted user.
	r := do(t, h, http.MethodGet, "/Groups?filter="+urlq(fmt.Sprintf(`members.value eq "%s"`, u1)), "")
	if num(r.body, "totalResults") != 0 {
		t.Errorf("groups still match members.value eq deleted id: %s", r.raw)
	}
}

func TestDeleteGroupLeavesUsersGroups(t *testing.T) {
	h := newHandler(t)
	u := createUser(t, h, userBody("member@example.com"))
	g := createGroup(t, h, fmt.Sprintf(`{"displayName":"Temp","members":[{"value":%q}]}`, u))
	wantStatus(t, do(t, h, http.MethodDelete, "/Groups/"+g, ""), http.StatusNoContent, "DELETE group")
	r := do(t, h, http.MethodGet, "/Users/"+u, "")
	if gs := list(r.body, "groups"); len(gs) != 0 {
		t.Errorf("user still lists the deleted group: %v", gs)
	}
}

func TestGroupMembersAndUserGroups(t *testing.T) {
	h := newHandler(t)
	u1 := createUser(t, h, `{"userName":"alice@example.com","displayName":"Alice A"}`)
	u2 := createUser(t, h, userBody("bob@example.com"))
	r := do(t, h, http.MethodPost, "/Groups", fmt.Sprintf(`{"schemas":[%q,"http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"displayName":"Sales","externalId":"8aa1","members":[{"value":%q,"$ref":null},{"value":%q}]}`, groupURN, u1, u2))
	wantStatus(t, r, http.StatusCreated, "POST /Groups")
	gid := str(r.body, "id")
	if got, want := r.header.Get("Location"), "http://example.com/Groups/"+gid; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if str(r.body, "meta.resourceType") != "Group" {
		t.Errorf("meta.resourceType = %q, want Group", str(r.body, "meta.resourceType"))
	}

	g := do(t, h, http.MethodGet, "/Groups/"+gid, "")
	wantStatus(t, g, http.StatusOK, "GET group")
	want := []any{
		map[string]any{"value": u1, "$ref": "http://example.com/Users/" + u1, "display": "Alice A", "type": "User"},
		map[string]any{"value": u2, "$ref": "http://example.com/Users/" + u2, "display": "bob@example.com", "type": "User"},
	}
	if diff := cmp.Diff(want, g.body["members"]); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	if str(g.body, "externalId") != "8aa1" || str(g.body, "displayName") != "Sales" {
		t.Errorf("group body: %s", g.raw)
	}

	// A nested group is a member of type Group.
	outer := createGroup(t, h, fmt.Sprintf(`{"displayName":"Outer","members":[{"value":%q}]}`, gid))
	o := do(t, h, http.MethodGet, "/Groups/"+outer, "")
	if str(o.body, "members.0.type") != "Group" || str(o.body, "members.0.$ref") != "http://example.com/Groups/"+gid || str(o.body, "members.0.display") != "Sales" {
		t.Errorf("nested group member: %v", o.body["members"])
	}

	u := do(t, h, http.MethodGet, "/Users/"+u1, "")
	wantGroups := []any{map[string]any{"value": gid, "$ref": "http://example.com/Groups/" + gid, "display": "Sales", "type": "direct"}}
	if diff := cmp.Diff(wantGroups, u.body["groups"]); diff != "" {
		t.Errorf("user groups (-want +got):\n%s", diff)
	}
	// groups is read-only: a client-sent value is ignored, not stored.
	x := createUser(t, h, fmt.Sprintf(`{"userName":"sneaky@example.com","groups":[{"value":%q}]}`, gid))
	if gs := list(do(t, h, http.MethodGet, "/Users/"+x, "").body, "groups"); len(gs) != 0 {
		t.Errorf("client-sent groups stored: %v", gs)
	}
	if ms := list(do(t, h, http.MethodGet, "/Groups/"+gid, "").body, "members"); len(ms) != 2 {
		t.Errorf("client-sent user groups changed the group's members: %v", ms)
	}
	// Renaming the group shows in the user's groups.
	wantStatus(t, do(t, h, http.MethodPut, "/Groups/"+gid, fmt.Sprintf(`{"displayName":"Sales EMEA","members":[{"value":%q}]}`, u1)), http.StatusOK, "PUT group")
	if d := str(do(t, h, http.MethodGet, "/Users/"+u1, "").body, "groups.0.display"); d != "Sales EMEA" {
		t.Errorf("user groups display after rename = %q, want Sales EMEA", d)
	}
}

func TestGroupUnknownMemberIs400(t *testing.T) {
	h := newHandler(t)
	u := createUser(t, h, userBody("real@example.com"))
	r := do(t, h, http.MethodPost, "/Groups", fmt.Sprintf(`{"displayName":"Bad","members":[{"value":%q},{"value":"no-such-id"}]}`, u))
	checkError(t, r, http.StatusBadRequest, "invalidValue", "no-such-id")
	if strings.Contains(str(r.body, "detail"), u) {
		t.Errorf("detail names the existing member %s too: %q", u, str(r.body, "detail"))
	}
	lr := do(t, h, http.MethodGet, "/Groups?filter=displayName+eq+%22Bad%22", "")
	if num(lr.body, "totalResults") != 0 {
		t.Errorf("the refused group was stored: %s", lr.raw)
	}
	gid := createGroup(t, h, `{"displayName":"Good"}`)
	r = do(t, h, http.MethodPut, "/Groups/"+gid, `{"displayName":"Good","members":[{"value":"ghost"}]}`)
	checkError(t, r, http.StatusBadRequest, "invalidValue", "ghost")
	r = do(t, h, http.MethodPost, "/Groups", `{"displayName":"NoValue","members":[{"display":"x"}]}`)
	checkError(t, r, http.StatusBadRequest, "invalidValue", "members")
}

func TestInactiveUsersStayReadable(t *testing.T) {
	h := newHandler(t)
	id := createUser(t, h, `{"userName":"off@example.com","active":false}`)
	createUser(t, h, `{"userName":"on@example.com","active":true}`)
	g := do(t, h, http.MethodGet, "/Users/"+id, "")
	if g.status != http.StatusOK || g.body["active"] != false {
		t.Errorf("GET inactive user = %s, want 200 with active false", g)
	}
	for _, f := range []string{`userName eq "off@example.com"`, `active eq false`, `active eq "False"`, `userName eq "off@example.com" and active eq false`} {
		r := do(t, h, http.MethodGet, "/Users?filter="+urlq(f), "")
		if r.status != http.StatusOK || num(r.body, "totalResults") != 1 || str(r.body, "Resources.0.id") != id {
			t.Errorf("filter %s = %s, want just the inactive user", f, r)
		}
	}
	r := do(t, h, http.MethodGet, "/Users", "")
	if num(r.body, "totalResults") != 2 {
		t.Errorf("unfiltered list = %s, want both users", r)
	}
}

func TestServiceProviderConfig(t *testing.T) {
	h := newHandler(t, func(c *scim.Config) {
		c.Limits.MaxPageSize = 50
		c.Limits.MaxBulkOperations = 20
		c.Limits.MaxBulkBytes = 5000
	})
	r := do(t, h, http.MethodGet, "/ServiceProviderConfig", "")
	wantStatus(t, r, http.StatusOK, "GET /ServiceProviderConfig")
	checks := map[string]any{
		"filter.supported": true,
		"sort.supported":   true,
		"etag.supported":   true,
		"bulk.supported":   true,
	}
	for k, want := range checks {
		if got := get(r.body, k); got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	if num(r.body, "bulk.maxOperations") != 20 || num(r.body, "bulk.maxPayloadSize") != 5000 {
		t.Errorf("bulk = %v, want the limits of Config.Limits", r.body["bulk"])
	}
	if got := num(r.body, "filter.maxResults"); got != 50 {
		t.Errorf("filter.maxResults = %d, want 50 (Limits.MaxPageSize)", got)
	}
	if _, ok := get(r.body, "patch.supported").(bool); !ok {
		t.Errorf("patch.supported missing or not a boolean: %v", get(r.body, "patch"))
	}
	if _, ok := get(r.body, "changePassword.supported").(bool); !ok {
		t.Errorf("changePassword.supported missing: %v", r.raw)
	}
	if got := list(r.body, "schemas"); len(got) != 1 || got[0] != "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig" {
		t.Errorf("schemas = %v", got)
	}
	as := list(r.body, "authenticationSchemes")
	if len(as) == 0 {
		t.Fatalf("authenticationSchemes empty: %s", r.raw)
	}
	if str(as[0], "type") != "oauthbearertoken" || str(as[0], "name") == "" || str(as[0], "description") == "" {
		t.Errorf("authenticationSchemes[0] = %v, want type oauthbearertoken with name and description", as[0])
	}
	if str(r.body, "meta.resourceType") != "ServiceProviderConfig" || str(r.body, "meta.location") != "http://example.com/ServiceProviderConfig" {
		t.Errorf("meta = %v", r.body["meta"])
	}
	noNulls(t, "ServiceProviderConfig", r.body)
}

func TestResourceTypes(t *testing.T) {
	h := newHandler(t)
	r := do(t, h, http.MethodGet, "/ResourceTypes", "")
	wantStatus(t, r, http.StatusOK, "GET /ResourceTypes")
	checkListEnvelope(t, r)
	rs := list(r.body, "Resources")
	if len(rs) != 2 {
		t.Fatalf("Resources has %d entries, want 2: %s", len(rs), r.raw)
	}
	if got := str(rs[0], "endpoint"); got != "/Users" {
		t.Errorf("Resources[0].endpoint = %q, want /Users", got)
	}
	if str(rs[0], "schema") != userURN || str(rs[0], "name") != "User" || str(rs[0], "id") != "User" {
		t.Errorf("Resources[0] = %v", rs[0])
	}
	if str(rs[1], "endpoint") != "/Groups" || str(rs[1], "schema") != groupURN {
		t.Errorf("Resources[1] = %v", rs[1])
	}
	if got := list(rs[0], "schemas"); len(got) != 1 || got[0] != "urn:ietf:params:scim:schemas:core:2.0:ResourceType" {
		t.Errorf("Resources[0].schemas = %v", got)
	}
	ext := list(rs[0], "schemaExtensions")
	if len(ext) != 1 || str(ext[0], "schema") != enterpriseURN || get(ext[0], "required") != false {
		t.Errorf("User schemaExtensions = %v, want the enterprise extension, required false", ext)
	}
	if str(rs[0], "meta.location") != "http://example.com/ResourceTypes/User" || str(rs[0], "meta.resourceType") != "ResourceType" {
		t.Errorf("Resources[0].meta = %v", get(rs[0], "meta"))
	}
	noNulls(t, "/ResourceTypes", r.body)

	one := do(t, h, http.MethodGet, "/ResourceTypes/Group", "")
	if one.status != http.StatusOK || str(one.body, "endpoint") != "/Groups" {
		t.Errorf("GET /ResourceTypes/Group = %s", one)
	}
	checkError(t, do(t, h, http.MethodGet, "/ResourceTypes/Device", ""), http.StatusNotFound, "")
}

func TestSchemas(t *testing.T) {
	h := newHandler(t)
	r := do(t, h, http.MethodGet, "/Schemas", "")
	wantStatus(t, r, http.StatusOK, "GET /Schemas")
	checkListEnvelope(t, r)
	var ids []string
	for _, s := range list(r.body, "Resources") {
		ids = append(ids, str(s, "id"))
		checkSchemaDoc(t, s)
	}
	sort.Strings(ids)
	want := []string{groupURN, userURN, enterpriseURN}
	sort.Strings(want)
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("schema ids (-want +got):\n%s", diff)
	}
	noNulls(t, "/Schemas", r.body)

	for _, urn := range []string{userURN, groupURN, enterpriseURN} {
		one := do(t, h, http.MethodGet, "/Schemas/"+urn, "")
		if one.status != http.StatusOK || str(one.body, "id") != urn {
			t.Errorf("GET /Schemas/%s = %s", urn, one)
			continue
		}
		if str(one.body, "meta.location") != "http://example.com/Schemas/"+urn || str(one.body, "meta.resourceType") != "Schema" {
			t.Errorf("GET /Schemas/%s meta = %v", urn, one.body["meta"])
		}
		checkSchemaDoc(t, one.body)
	}
	// The User schema describes userName as required, unique, not case-exact.
	u := do(t, h, http.MethodGet, "/Schemas/"+userURN, "")
	var userName map[string]any
	for _, a := range list(u.body, "attributes") {
		if str(a, "name") == "userName" {
			userName, _ = a.(map[string]any)
		}
	}
	if userName == nil || userName["required"] != true || userName["uniqueness"] != "server" || userName["caseExact"] != false {
		t.Errorf("userName attribute = %v, want required, uniqueness server, caseExact false", userName)
	}
	checkError(t, do(t, h, http.MethodGet, "/Schemas/urn:nope", ""), http.StatusNotFound, "")
}

// checkSchemaDoc checks one RFC 7643 §7 schema representation: camelCase
// property values and complete attribute characteristics.
func checkSchemaDoc(t *testing.T, s any) {
	t.Helper()
	if got := list(s, "schemas"); len(got) != 1 || got[0] != "urn:ietf:params:scim:schemas:core:2.0:Schema" {
		t.Errorf("schema %s: schemas = %v", str(s, "id"), got)
	}
	if str(s, "name") == "" {
		t.Errorf("schema %s has no name", str(s, "id"))
	}
	attrs := list(s, "attributes")
	if len(attrs) == 0 {
		t.Errorf("schema %s has no attributes", str(s, "id"))
	}
	var walk func(prefix string, attrs []any)
	walk = func(prefix string, attrs []any) {
		for _, a := range attrs {
			name := prefix + str(a, "name")
			oneOf := func(key string, allowed ...string) {
				if v := str(a, key); !slices.Contains(allowed, v) {
					t.Errorf("schema %s attribute %s: %s = %q, want one of %v", str(s, "id"), name, key, v, allowed)
				}
			}
			oneOf("type", "string", "boolean", "decimal", "integer", "dateTime", "binary", "reference", "complex")
			oneOf("mutability", "readOnly", "readWrite", "immutable", "writeOnly")
			oneOf("returned", "always", "never", "default", "request")
			for _, k := range []string{"multiValued", "required"} {
				if _, ok := get(a, k).(bool); !ok {
					t.Errorf("schema %s attribute %s: %s = %v, want a boolean", str(s, "id"), name, k, get(a, k))
				}
			}
			if str(a, "type") == "string" || str(a, "type") == "reference" {
				oneOf("uniqueness", "none", "server", "global")
				if _, ok := get(a, "caseExact").(bool); !ok {
					t.Errorf("schema %s attribute %s: caseExact missing", str(s, "id"), name)
				}
			}
			if str(a, "type") == "reference" && len(list(a, "referenceTypes")) == 0 {
				t.Errorf("schema %s attribute %s: reference without referenceTypes", str(s, "id"), name)
			}
			if str(a, "type") == "complex" {
				walk(name+".", list(a, "subAttributes"))
			}
		}
	}
	walk("", attrs)
}

func checkListEnvelope(t *testing.T, r result) {
	t.Helper()
	if got := list(r.body, "schemas"); len(got) != 1 || got[0] != listURN {
		t.Errorf("schemas = %v, want [%s]", got, listURN)
	}
	n := len(list(r.body, "Resources"))
	if num(r.body, "totalResults") != n || num(r.body, "itemsPerPage") != n || num(r.body, "startIndex") != 1 {
		t.Errorf("ListResponse counts: totalResults %d, itemsPerPage %d, startIndex %d for %d Resources",
			num(r.body, "totalResults"), num(r.body, "itemsPerPage"), num(r.body, "startIndex"), n)
	}
}

// noNulls fails for every JSON null in v.
func noNulls(t *testing.T, where string, v any) {
	t.Helper()
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case nil:
			t.Errorf("%s: null at %s", where, path)
		case map[string]any:
			for k, e := range x {
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		}
	}
	walk("", v)
}

const acmeURN = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"

const acmeSchema = `{
  "id": "urn:ietf:params:scim:schemas:extension:acme:2.0:User",
  "name": "AcmeUser",
  "description": "Acme user extension",
  "attributes": [{
    "name": "tag", "type": "string", "multiValued": false, "required": false,
    "caseExact": false, "mutability": "readWrite", "returned": "default", "uniqueness": "none",
    "description": "A tag"
  }]
}`

func TestCustomExtension(t *testing.T) {
	reg := schema.NewRegistry()
	if err := reg.AddExtensionJSON("User", []byte(acmeSchema)); err != nil {
		t.Fatalf("AddExtensionJSON: %v", err)
	}
	h := newHandler(t, func(c *scim.Config) { c.Schemas = reg })

	r := do(t, h, http.MethodGet, "/Schemas/"+acmeURN, "")
	if r.status != http.StatusOK || str(r.body, "id") != acmeURN || str(r.body, "attributes.0.name") != "tag" {
		t.Errorf("GET /Schemas/%s = %s", acmeURN, r)
	}
	found := false
	for _, s := range list(do(t, h, http.MethodGet, "/Schemas", "").body, "Resources") {
		found = found || str(s, "id") == acmeURN
	}
	if !found {
		t.Errorf("/Schemas does not list %s", acmeURN)
	}
	rt := do(t, h, http.MethodGet, "/ResourceTypes/User", "")
	var exts []string
	for _, e := range list(rt.body, "schemaExtensions") {
		exts = append(exts, str(e, "schema"))
	}
	if !slices.Contains(exts, acmeURN) || !slices.Contains(exts, enterpriseURN) {
		t.Errorf("User schemaExtensions = %v, want enterprise and acme", exts)
	}

	// Entra leaves custom extension URNs out of "schemas".
	body := fmt.Sprintf(`{"schemas":[%q],"userName":"tagged@example.com",%q:{"tag":"blue"}}`, userURN, acmeURN)
	r = do(t, h, http.MethodPost, "/Users", body)
	wantStatus(t, r, http.StatusCreated, "POST with acme data")
	id := str(r.body, "id")
	for _, res := range []result{r, do(t, h, http.MethodGet, "/Users/"+id, "")} {
		if got := str(res.body[acmeURN], "tag"); got != "blue" {
			t.Errorf("%s.tag = %q, want blue: %s", acmeURN, got, res.raw)
		}
		if !slices.Contains(list(res.body, "schemas"), any(acmeURN)) {
			t.Errorf("schemas = %v, want it to list %s", list(res.body, "schemas"), acmeURN)
		}
	}
	// The flat "urn:…:User:tag" form lands in the same place.
	id2 := createUser(t, h, fmt.Sprintf(`{"userName":"flat@example.com",%q:"green"}`, acmeURN+":tag"))
	if got := str(do(t, h, http.MethodGet, "/Users/"+id2, "").body[acmeURN], "tag"); got != "green" {
		t.Errorf("flat form: tag = %q, want green", got)
	}
	// And it is filterable.
	lr := do(t, h, http.MethodGet, "/Users?filter="+urlq(acmeURN+`:tag eq "BLUE"`), "")
	if num(lr.body, "totalResults") != 1 || str(lr.body, "Resources.0.id") != id {
		t.Errorf("filter on acme tag = %s, want the blue user", lr)
	}
}
