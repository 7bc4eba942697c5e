package scim_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim"
)

// keys returns the sorted keys of a JSON object.
func keys(v any) []string {
	m, _ := v.(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// userNames returns the userName of every resource of a ListResponse.
func userNames(r result) []string {
	var out []string
	for _, res := range list(r.body, "Resources") {
		out = append(out, str(res, "userName"))
	}
	return out
}

func checkEmptyList(t *testing.T, r result, what string) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Errorf("%s: status %d, want 200; body %s", what, r.status, r.raw)
		return
	}
	if got := list(r.body, "schemas"); len(got) != 1 || got[0] != listURN {
		t.Errorf("%s: schemas = %v, want [%s]", what, got, listURN)
	}
	if num(r.body, "totalResults") != 0 || num(r.body, "itemsPerPage") != 0 || num(r.body, "startIndex") != 1 {
		t.Errorf("%s: %s, want totalResults 0, itemsPerPage 0, startIndex 1", what, r.raw)
	}
	rs, ok := r.body["Resources"].([]any)
	if !ok || len(rs) != 0 {
		t.Errorf("%s: Resources = %#v, want an empty array", what, r.body["Resources"])
	}
}

func TestEntraTestConnectionProbe(t *testing.T) {
	h := newHandler(t)
	// On an empty tenant (nothing ever created) and on a populated one.
	for round := range 2 {
		checkEmptyList(t, do(t, h, http.MethodGet, "/Users?filter=userName+eq+%227f3c2a51-0e7b-4c77-9c1d-2f2a9d0c9a1e%22", ""), "userName probe")
		checkEmptyList(t, do(t, h, http.MethodGet, "/Users?filter=externalId+eq+%220a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef%22", ""), "externalId probe")
		checkEmptyList(t, do(t, h, http.MethodGet, "/Groups?excludedAttributes=members&filter=displayName+eq+%227f3c2a51-0e7b-4c77-9c1d-2f2a9d0c9a1e%22", ""), "group probe")
		checkEmptyList(t, do(t, h, http.MethodGet, "/Users?filter=userName%20eq%20%227f3c2a51%22&aadOptscim062020", ""), "probe with %20 and the flag")
		if round == 0 {
			createUser(t, h, `{"userName":"jdoe@contoso.com","externalId":"jdoe"}`)
			createGroup(t, h, `{"displayName":"Sales"}`)
		}
	}
	// Content-Type of a list.
	r := do(t, h, http.MethodGet, "/Users?filter=userName+eq+%22x%22", "")
	if ct := r.header.Get("Content-Type"); ct != "application/scim+json" {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestFilterMatchingNothingIs200(t *testing.T) {
	h := newHandler(t)
	createUser(t, h, `{"userName":"a@example.com","title":"Engineer","emails":[{"type":"work","value":"a@example.com"}]}`)
	for _, f := range []string{
		`userName eq "nobody@example.com"`,
		`userName eq nobody`,
		`id eq "not-an-id"`,
		`externalId eq "x"`,
		`title eq "CEO"`,
		`emails[type eq "home"].value eq "a@example.com"`,
		`nosuchattribute eq "x"`,
		`urn:example:unknown:attr eq "x"`,
		`userName eq "a@example.com" and title eq "CEO"`,
		`meta.lastModified gt "2999-01-01T00:00:00Z"`,
	} {
		r := do(t, h, http.MethodGet, "/Users?filter="+urlq(f), "")
		checkEmptyList(t, r, "filter "+f)
	}
	checkEmptyList(t, do(t, h, http.MethodGet, "/Groups?filter="+urlq(`displayName eq "Nope"`), ""), "groups")
}

func TestFilterMatches(t *testing.T) {
	h := newHandler(t)
	a := createUser(t, h, `{"userName":"Alice@Example.com","externalId":"ext-A","title":"Engineer","emails":[{"type":"work","value":"alice@work.example"},{"type":"home","value":"alice@home.example"}]}`)
	b := createUser(t, h, `{"userName":"bob@example.com","externalId":"ext-b","title":"Manager","emails":[{"type":"home","value":"alice@work.example"}]}`)
	cases := []struct {
		filter string
		want   []string
	}{
		{`userName eq "alice@example.com"`, []string{a}}, // userName is caseExact false
		{`USERNAME eq "ALICE@EXAMPLE.COM"`, []string{a}}, // attribute names too
		{`externalId eq "ext-A"`, []string{a}},
		{`id eq "` + b + `"`, []string{b}},
		{`title sw "Eng" or title eq "Manager"`, []string{a, b}},
		{`not (title eq "Manager")`, []string{a}},
		{`emails[type eq "work"].value eq "alice@work.example"`, []string{a}},
		{`emails[type eq "work" and value eq "alice@work.example"]`, []string{a}},
		{`emails.value eq "alice@home.example"`, []string{a}},
		{`emails co "work.example"`, []string{a, b}},
		{`title pr`, []string{a, b}},
		{`userName eq "alice@example.com" and externalId eq "ext-A"`, []string{a}},
	}
	for _, c := range cases {
		r := do(t, h, http.MethodGet, "/Users?filter="+urlq(c.filter), "")
		wantStatus(t, r, http.StatusOK, "filter "+c.filter)
		var got []string
		for _, res := range list(r.body, "Resources") {
			got = append(got, str(res, "id"))
		}
		slices.Sort(got)
		want := slices.Clone(c.want)
		slices.Sort(want)
		if diff := cmp.Diff(want, got); diff != "" || num(r.body, "totalResults") != len(want) {
			t.Errorf("filter %s: totalResults %d, ids (-want +got):\n%s", c.filter, num(r.body, "totalResults"), diff)
		}
	}
}

func TestFilterCoreAndExtension(t *testing.T) {
	h := newHandler(t)
	a := createUser(t, h, fmt.Sprintf(`{"userName":"a@example.com","title":"Engineer",%q:{"department":"Sales","employeeNumber":"1"}}`, enterpriseURN))
	createUser(t, h, fmt.Sprintf(`{"userName":"b@example.com","title":"Engineer",%q:{"department":"Support","employeeNumber":"2"}}`, enterpriseURN))
	createUser(t, h, `{"userName":"c@example.com","title":"Engineer"}`)
	for _, f := range []string{
		`title eq "Engineer" and ` + enterpriseURN + `:department eq "Sales"`,
		enterpriseURN + `:department eq "sales" and userName sw "a"`,
		enterpriseURN + `:employeeNumber eq "1"`,
		`(userName eq "x@example.com" or ` + enterpriseURN + `:department eq "Sales") and title pr`,
	} {
		r := do(t, h, http.MethodGet, "/Users?filter="+urlq(f), "")
		if r.status != http.StatusOK || num(r.body, "totalResults") != 1 || str(r.body, "Resources.0.id") != a {
			t.Errorf("filter %s = %s, want only user a", f, r)
		}
	}
	r := do(t, h, http.MethodGet, "/Users?filter="+urlq(enterpriseURN+`:department pr`), "")
	if num(r.body, "totalResults") != 2 {
		t.Errorf("department pr = %s, want 2", r)
	}
}

func TestLegacyManagerReferenceCheck(t *testing.T) {
	h := newHandler(t)
	mgr := createUser(t, h, userBody("boss@example.com"))
	// Entra sends manager as a bare id; it is stored as {"value": id}.
	emp := createUser(t, h, fmt.Sprintf(`{"userName":"emp@example.com",%q:{"manager":%q}}`, enterpriseURN, mgr))
	g := do(t, h, http.MethodGet, "/Users/"+emp, "")
	if m, _ := g.body[enterpriseURN].(map[string]any); str(m, "manager.value") != mgr {
		t.Fatalf("manager not stored as {value: id}: %s", g.raw)
	}

	q := fmt.Sprintf("/Users?filter=%s&attributes=id", urlq(fmt.Sprintf(`id eq "%s" and manager eq "%s"`, emp, mgr)))
	r := do(t, h, http.MethodGet, q, "")
	wantStatus(t, r, http.StatusOK, "reference check")
	if num(r.body, "totalResults") != 1 {
		t.Errorf("GET %s: totalResults %d, want 1 (the user has that manager); body %s", q, num(r.body, "totalResults"), r.raw)
	} else if diff := cmp.Diff([]string{"id", "schemas"}, keys(get(r.body, "Resources.0"))); diff != "" {
		t.Errorf("attributes=id: keys (-want +got):\n%s", diff)
	}
	for _, f := range []string{
		fmt.Sprintf(`id eq "%s" and %s:manager.value eq "%s"`, emp, enterpriseURN, mgr),
		fmt.Sprintf(`id eq "%s" and %s:manager eq "%s"`, emp, enterpriseURN, mgr),
	} {
		r := do(t, h, http.MethodGet, "/Users?attributes=id&filter="+urlq(f), "")
		if num(r.body, "totalResults") != 1 {
			t.Errorf("filter %s = %s, want 1", f, r)
		}
	}
	// A different manager does not match.
	r = do(t, h, http.MethodGet, "/Users?attributes=id&filter="+urlq(fmt.Sprintf(`id eq "%s" and manager eq "someone-else"`, emp)), "")
	checkEmptyList(t, r, "wrong manager")
}

func TestPaging(t *testing.T) {
	h := newHandler(t, func(c *scim.Config) { c.Limits.MaxPageSize = 5 })
	var all []string
	for i := range 7 {
		n := fmt.Sprintf("user%d@example.com", i)
		createUser(t, h, userBody(n))
		all = append(all, n)
	}
	type page struct{ total, start, items int }
	cases := []struct {
		query string
		want  page
	}{
		{"", page{7, 1, 5}},                      // default page is capped at MaxPageSize
		{"count=3", page{7, 1, 3}},               // first page
		{"startIndex=4&count=3", page{7, 4, 3}},  // middle
		{"startIndex=7&count=3", page{7, 7, 1}},  // last, short
		{"startIndex=8&count=3", page{7, 8, 0}},  // past the end
		{"count=50", page{7, 1, 5}},              // capped
		{"count=0", page{7, 1, 0}},               // totalResults only
		{"count=-4", page{7, 1, 0}},              // negative count is 0 (RFC 7644 §3.4.2.4)
		{"startIndex=0&count=2", page{7, 1, 2}},  // startIndex < 1 is 1
		{"startIndex=-3&count=2", page{7, 1, 2}}, //
		{"StartIndex=2&Count=2", page{7, 2, 2}},  // parameter names are case-insensitive
		{"startIndex=2&count=2&filter=userName+sw+%22user%22", page{7, 2, 2}},
	}
	for _, c := range cases {
		r := do(t, h, http.MethodGet, "/Users?"+c.query, "")
		wantStatus(t, r, http.StatusOK, c.query)
		got := page{num(r.body, "totalResults"), num(r.body, "startIndex"), num(r.body, "itemsPerPage")}
		if got != c.want {
			t.Errorf("GET /Users?%s: got %+v, want %+v", c.query, got, c.want)
		}
		if n := len(list(r.body, "Resources")); n != got.items {
			t.Errorf("GET /Users?%s: itemsPerPage %d but %d Resources", c.query, got.items, n)
		}
		if _, ok := r.body["Resources"].([]any); !ok {
			t.Errorf("GET /Users?%s: Resources missing or not an array: %s", c.query, r.raw)
		}
	}
	// Pages of 3 cover every user exactly once (the validator's walk).
	var seen []string
	for start := 1; start <= 7; start += 3 {
		r := do(t, h, http.MethodGet, fmt.Sprintf("/Users?startIndex=%d&count=3", start), "")
		if num(r.body, "startIndex") != start {
			t.Errorf("page at %d answered startIndex %d", start, num(r.body, "startIndex"))
		}
		seen = append(seen, userNames(r)...)
	}
	slices.Sort(seen)
	if diff := cmp.Diff(all, seen); diff != "" {
		t.Errorf("pages of 3 (-want +got):\n%s", diff)
	}
	// Paging in /.search.
	r := do(t, h, http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"startIndex":2,"count":2}`)
	if num(r.body, "startIndex") != 2 || num(r.body, "itemsPerPage") != 2 || num(r.body, "totalResults") != 7 {
		t.Errorf(".search paging: %s", r.raw)
	}
}

func TestSorting(t *testing.T) {
	h := newHandler(t)
	for _, u := range []struct{ userName, family string }{
		{"carol@example.com", "Young"}, {"alice@example.com", "Zimmer"}, {"Bob@example.com", "Adams"}, {"dave@example.com", ""},
	} {
		body := userBody(u.userName)
		if u.family != "" {
			body = fmt.Sprintf(`{"userName":%q,"name":{"familyName":%q}}`, u.userName, u.family)
		}
		createUser(t, h, body)
	}
	cases := []struct {
		query string
		want  []string
	}{
		{"sortBy=userName", []string{"alice@example.com", "Bob@example.com", "carol@example.com", "dave@example.com"}},
		{"sortBy=userName&sortOrder=ascending", []string{"alice@example.com", "Bob@example.com", "carol@example.com", "dave@example.com"}},
		{"sortBy=userName&sortOrder=descending", []string{"dave@example.com", "carol@example.com", "Bob@example.com", "alice@example.com"}},
		{"sortBy=USERNAME", []string{"alice@example.com", "Bob@example.com", "carol@example.com", "dave@example.com"}},
		{"sortBy=name.familyName", []string{"Bob@example.com", "carol@example.com", "alice@example.com", "dave@example.com"}},
		{"sortBy=userName&startIndex=2&count=2", []string{"Bob@example.com", "carol@example.com"}},
		{"sortBy=userName&sortOrder=descending&filter=" + urlq(`userName ne "carol@example.com"`), []string{"dave@example.com", "Bob@example.com", "alice@example.com"}},
	}
	for _, c := range cases {
		r := do(t, h, http.MethodGet, "/Users?"+c.query, "")
		wantStatus(t, r, http.StatusOK, c.query)
		if diff := cmp.Diff(c.want, userNames(r)); diff != "" {
			t.Errorf("GET /Users?%s (-want +got):\n%s", c.query, diff)
		}
	}
	r := do(t, h, http.MethodPost, "/Users/.search", `{"sortBy":"userName","sortOrder":"descending","count":1}`)
	if diff := cmp.Diff([]string{"dave@example.com"}, userNames(r)); diff != "" {
		t.Errorf(".search sort (-want +got):\n%s", diff)
	}
}

func TestAttributesParameter(t *testing.T) {
	h := newHandler(t)
	id := createUser(t, h, fmt.Sprintf(`{"userName":"attr@example.com","displayName":"Attr","title":"T","name":{"givenName":"A","familyName":"B"},"emails":[{"type":"work","value":"attr@example.com"}],%q:{"department":"D","employeeNumber":"9"}}`, enterpriseURN))

	r := do(t, h, http.MethodGet, "/Users?attributes=userName", "")
	wantStatus(t, r, http.StatusOK, "attributes=userName")
	if diff := cmp.Diff([]string{"id", "schemas", "userName"}, keys(get(r.body, "Resources.0"))); diff != "" {
		t.Errorf("list attributes=userName keys (-want +got):\n%s", diff)
	}
	cases := []struct {
		query string
		want  []string // top-level keys
	}{
		{"attributes=userName", []string{"id", "schemas", "userName"}},
		{"attributes=USERNAME,displayName", []string{"displayName", "id", "schemas", "userName"}},
		{"attributes=name.givenName", []string{"id", "name", "schemas"}},
		{"attributes=" + enterpriseURN + ":department", []string{enterpriseURN, "id", "schemas"}},
		{"attributes=meta", []string{"id", "meta", "schemas"}},
		{"excludedAttributes=emails,name,title", []string{enterpriseURN, "displayName", "id", "meta", "schemas", "userName"}},
		{"excludedAttributes=" + enterpriseURN, []string{"displayName", "emails", "id", "meta", "name", "schemas", "title", "userName"}},
		{"excludedAttributes=id,schemas,userName", []string{enterpriseURN, "displayName", "emails", "id", "meta", "name", "schemas", "title"}},
	}
	for _, c := range cases {
		g := do(t, h, http.MethodGet, "/Users/"+id+"?"+c.query, "")
		wantStatus(t, g, http.StatusOK, "GET by id "+c.query)
		want := slices.Clone(c.want)
		slices.Sort(want)
		if diff := cmp.Diff(want, keys(g.body)); diff != "" {
			t.Errorf("GET /Users/{id}?%s keys (-want +got):\n%s", c.query, diff)
		}
		// ETag stays the resource's version whatever the projection.
		if g.header.Get("ETag") == "" {
			t.Errorf("GET /Users/{id}?%s: no ETag", c.query)
		}
	}
	g := do(t, h, http.MethodGet, "/Users/"+id+"?attributes=name.givenName", "")
	if diff := cmp.Diff(map[string]any{"givenName": "A"}, g.body["name"]); diff != "" {
		t.Errorf("attributes=name.givenName: name (-want +got):\n%s", diff)
	}
	g = do(t, h, http.MethodGet, "/Users/"+id+"?attributes="+enterpriseURN+":department", "")
	if diff := cmp.Diff(map[string]any{"department": "D"}, g.body[enterpriseURN]); diff != "" {
		t.Errorf("attributes=…:department: extension (-want +got):\n%s", diff)
	}
	g = do(t, h, http.MethodGet, "/Users/"+id+"?excludedAttributes="+enterpriseURN+":department", "")
	if diff := cmp.Diff(map[string]any{"employeeNumber": "9"}, g.body[enterpriseURN]); diff != "" {
		t.Errorf("excludedAttributes=…:department: extension (-want +got):\n%s", diff)
	}
	// Unknown names in attributes are ignored, not an error.
	g = do(t, h, http.MethodGet, "/Users/"+id+"?attributes=userName,noSuchThing", "")
	if g.status != http.StatusOK || str(g.body, "userName") != "attr@example.com" {
		t.Errorf("attributes with an unknown name = %s", g)
	}
	// POST honours attributes too (RFC 7644 §3.9).
	p := do(t, h, http.MethodPost, "/Users?attributes=userName", userBody("attr2@example.com"))
	if p.status != http.StatusCreated || !cmp.Equal([]string{"id", "schemas", "userName"}, keys(p.body)) {
		t.Errorf("POST ?attributes=userName = %s", p)
	}
	// And .search takes them as arrays.
	s := do(t, h, http.MethodPost, "/Users/.search", `{"filter":"userName eq \"attr@example.com\"","attributes":["userName","title"]}`)
	if diff := cmp.Diff([]string{"id", "schemas", "title", "userName"}, keys(get(s.body, "Resources.0"))); diff != "" {
		t.Errorf(".search attributes keys (-want +got):\n%s", diff)
	}
}

func TestExcludedMembersOnGroups(t *testing.T) {
	h := newHandler(t)
	u1 := createUser(t, h, userBody("x1@example.com"))
	u2 := createUser(t, h, userBody("x2@example.com"))
	gid := createGroup(t, h, fmt.Sprintf(`{"displayName":"Sales","externalId":"e1","members":[{"value":%q},{"value":%q}]}`, u1, u2))
	for _, path := range []string{
		"/Groups?excludedAttributes=members",
		"/Groups?excludedAttributes=Members",
		"/Groups?excludedAttributes=members&filter=" + urlq(`displayName eq "Sales"`),
		"/Groups?excludedAttributes=members&filter=" + urlq(`externalId eq "e1"`),
	} {
		r := do(t, h, http.MethodGet, path, "")
		wantStatus(t, r, http.StatusOK, path)
		if num(r.body, "totalResults") != 1 {
			t.Errorf("GET %s: %s, want one group", path, r.raw)
			continue
		}
		g := get(r.body, "Resources.0")
		if _, ok := g.(map[string]any)["members"]; ok || strings.Contains(r.raw, `"members"`) {
			t.Errorf("GET %s returned members: %s", path, r.raw)
		}
		if str(g, "displayName") != "Sales" || str(g, "id") != gid {
			t.Errorf("GET %s lost other attributes: %s", path, r.raw)
		}
	}
	for _, path := range []string{"/Groups/" + gid + "?excludedAttributes=members", "/Groups/" + gid + "?excludedAttributes=members,externalId"} {
		r := do(t, h, http.MethodGet, path, "")
		wantStatus(t, r, http.StatusOK, path)
		if _, ok := r.body["members"]; ok {
			t.Errorf("GET %s returned members: %s", path, r.raw)
		}
		if str(r.body, "displayName") != "Sales" || str(r.body, "meta.resourceType") != "Group" {
			t.Errorf("GET %s: %s", path, r.raw)
		}
	}
	// Without the parameter the members are there.
	if r := do(t, h, http.MethodGet, "/Groups/"+gid, ""); len(list(r.body, "members")) != 2 {
		t.Errorf("GET group: %s, want 2 members", r.raw)
	}
	// attributes=members.value gives only the ids.
	r := do(t, h, http.MethodGet, "/Groups/"+gid+"?attributes=members.value", "")
	want := []any{map[string]any{"value": u1}, map[string]any{"value": u2}}
	if diff := cmp.Diff(want, r.body["members"]); diff != "" {
		t.Errorf("attributes=members.value (-want +got):\n%s", diff)
	}
	// Users: excludedAttributes=groups.
	r = do(t, h, http.MethodGet, "/Users/"+u1+"?excludedAttributes=groups", "")
	if _, ok := r.body["groups"]; ok {
		t.Errorf("excludedAttributes=groups returned groups: %s", r.raw)
	}
	// Filter on members.
	r = do(t, h, http.MethodGet, "/Groups?excludedAttributes=members&filter="+urlq(`members[value eq "`+u2+`"]`), "")
	if num(r.body, "totalResults") != 1 {
		t.Errorf("members[value eq …] = %s, want the group", r.raw)
	}
}

func TestSearchEndpoint(t *testing.T) {
	h := newHandler(t)
	id := createUser(t, h, `{"userName":"search@example.com","title":"T"}`)
	createUser(t, h, userBody("other@example.com"))
	r := do(t, h, http.MethodPost, "/Users/.search", `{
	  "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
	  "filter": "userName eq \"search@example.com\"",
	  "attributes": ["userName"],
	  "startIndex": 1,
	  "count": 10
	}`)
	wantStatus(t, r, http.StatusOK, "POST /Users/.search")
	if num(r.body, "totalResults") != 1 || str(r.body, "Resources.0.id") != id {
		t.Errorf(".search = %s, want the one user", r.raw)
	}
	if diff := cmp.Diff([]string{"id", "schemas", "userName"}, keys(get(r.body, "Resources.0"))); diff != "" {
		t.Errorf(".search attributes (-want +got):\n%s", diff)
	}
	if got := list(r.body, "schemas"); len(got) != 1 || got[0] != listURN {
		t.Errorf(".search schemas = %v", got)
	}
	// Case-insensitive route, an excludedAttributes string, and /Groups/.search.
	r = do(t, h, http.MethodPost, "/users/.search", `{"excludedAttributes":"title","filter":"title eq \"T\""}`)
	if num(r.body, "totalResults") != 1 || get(r.body, "Resources.0.title") != nil {
		t.Errorf("/users/.search excludedAttributes=title = %s", r.raw)
	}
	gid := createGroup(t, h, `{"displayName":"S"}`)
	r = do(t, h, http.MethodPost, "/Groups/.search", `{"filter":"displayName eq \"s\""}`)
	if num(r.body, "totalResults") != 1 || str(r.body, "Resources.0.id") != gid {
		t.Errorf("/Groups/.search = %s", r.raw)
	}
	checkEmptyList(t, do(t, h, http.MethodPost, "/Users/.search", `{"filter":"userName eq \"nobody\""}`), ".search no match")
}
