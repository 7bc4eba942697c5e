package scim_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

const patchOpURN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// patchBody wraps operations (JSON objects) in a PatchOp request body.
func patchBody(ops ...string) string {
	return fmt.Sprintf(`{"schemas":[%q],"Operations":[%s]}`, patchOpURN, strings.Join(ops, ","))
}

// patchOK sends a PATCH and fails the test now unless it answers 200 or
// 204 (either is a success for Entra and the RFC).
func patchOK(t testing.TB, h http.Handler, path, body string, headers ...string) result {
	t.Helper()
	r := do(t, h, http.MethodPatch, path, body, headers...)
	if r.status != http.StatusOK && r.status != http.StatusNoContent {
		t.Fatalf("PATCH %s %s: %s, want 200 or 204", path, body, r)
	}
	return r
}

// fetch GETs path and fails the test now unless it answers 200.
func fetch(t testing.TB, h http.Handler, path string) result {
	t.Helper()
	r := do(t, h, http.MethodGet, path, "")
	wantStatus(t, r, http.StatusOK, "GET "+path)
	return r
}

// memberIDs returns the sorted values of a group's members.
func memberIDs(r result) []string {
	var ids []string
	for _, m := range list(r.body, "members") {
		ids = append(ids, str(m, "value"))
	}
	sort.Strings(ids)
	return ids
}

func sorted(ids ...string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}

// checkUnchanged fails unless GET path answers exactly what before did
// (the body, meta.version and lastModified included, and the ETag).
func checkUnchanged(t testing.TB, h http.Handler, path string, before result, what string) {
	t.Helper()
	after := fetch(t, h, path)
	if diff := cmp.Diff(before.body, after.body); diff != "" {
		t.Errorf("%s changed the resource (-before +after):\n%s", what, diff)
	}
	if b, a := before.header.Get("ETag"), after.header.Get("ETag"); b != a {
		t.Errorf("%s changed the ETag from %s to %s", what, b, a)
	}
}

// --- Entra's user sequences (entra-behaviour.md §3.5–3.7) ---

func TestPatchEntraDisableAndReEnable(t *testing.T) {
	h := newHandler(t)
	id := createUser(t, h, `{"schemas":["`+userURN+`"],"userName":"disable@example.com","active":true}`)

	r := patchOK(t, h, "/Users/"+id, patchBody(`{"op":"Replace","path":"active","value":"False"}`))
	if r.status == http.StatusOK {
		if v, ok := r.body["active"].(bool); !ok || v {
			t.Errorf("PATCH response active = %#v, want the JSON boolean false", r.body["active"])
		}
	}
	g := fetch(t, h, "/Users/"+id)
	if v, ok := g.body["active"].(bool); !ok || v {
		t.Errorf(`after "False": GET active = %#v, want the JSON boolean false; body %s`, g.body["active"], g.raw)
	}
	if !strings.Contains(g.raw, `"active":false`) {
		t.Errorf(`after "False": raw body has no "active":false: %s`, g.raw)
	}
	// A disabled user stays readable through a filter too.
	l := do(t, h, http.MethodGet, "/Users?filter="+urlq(`userName eq "disable@example.com"`), "")
	if num(l.body, "totalResults") != 1 || get(l.body, "Resources.0.active") != false {
		t.Errorf("filter after disable = %s, want the user with active false", l.raw)
	}

	patchOK(t, h, "/Users/"+id, patchBody(`{"op":"Replace","path":"active","value":"True"}`))
	g = fetch(t, h, "/Users/"+id)
	if v, ok := g.body["active"].(bool); !ok || !v {
		t.Errorf(`after "True": GET active = %#v, want the JSON boolean true`, g.body["active"])
	}

	// The aadOptscim062020 form: a real boolean, lower-case op.
	patchOK(t, h, "/Users/"+id, patchBody(`{"op":"replace","path":"active","value":false}`))
	if g := fetch(t, h, "/Users/"+id); g.body["active"] != false {
		t.Errorf("after boolean false: active = %#v", g.body["active"])
	}
}

func TestPatchEntraFiveOperationUpdate(t *testing.T) {
	h := newHandler(t)
	id := createUser(t, h, `{"schemas":["`+userURN+`","`+enterpriseURN+`"],
		"userName":"five@contoso.com","displayName":"Old","externalId":"old-ext",
		"name":{"givenName":"Given","familyName":"Family"},
		"emails":[{"type":"work","value":"old@contoso.com","primary":true},{"type":"home","value":"home@contoso.com"}],
		"`+enterpriseURN+`":{"employeeNumber":"1","department":"Sales"}}`)

	patchOK(t, h, "/Users/"+id, patchBody(
		`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@contoso.com"}`,
		`{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}`,
		`{"op":"Replace","path":"displayName","value":"Pvlo"}`,
		`{"op":"Replace","path":"externalId","value":"Eqpj"}`,
		`{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"Eqpj"}`,
	))
	g := fetch(t, h, "/Users/"+id)
	want := map[string]any{
		"userName":                        "five@contoso.com",
		"displayName":                     "Pvlo",
		"externalId":                      "Eqpj",
		"name.givenName":                  "Given",
		"name.familyName":                 "updatedFamilyName",
		enterpriseURN + ".employeeNumber": "Eqpj",
		enterpriseURN + ".department":     "Sales",
	}
	for k, w := range want {
		var got any
		if ext, ok := strings.CutPrefix(k, enterpriseURN+"."); ok {
			got = get(g.body[enterpriseURN], ext)
		} else {
			got = get(g.body, k)
		}
		if got != w {
			t.Errorf("%s = %#v, want %q", k, got, w)
		}
	}
	emails := list(g.body, "emails")
	byType := map[string]any{}
	for _, e := range emails {
		byType[str(e, "type")] = str(e, "value")
	}
	if diff := cmp.Diff(map[string]any{"work": "updatedEmail@contoso.com", "home": "home@contoso.com"}, byType); len(emails) != 2 || diff != "" {
		t.Errorf("emails = %v, want the work one updated in place and the home one kept (-want +got):\n%s", emails, diff)
	}
	for _, e := range emails {
		if str(e, "type") == "work" && get(e, "primary") != true {
			t.Errorf("the work email lost primary: %v", e)
		}
	}
}

func TestPatchEntraAddCreatesOneWorkAddress(t *testing.T) {
	h := newHandler(t)
	id := createUser(t, h, `{"userName":"addr@contoso.com","addresses":[{"type":"home","locality":"Home Town"}]}`)
	patchOK(t, h, "/Users/"+id, patchBody(
		`{"op":"Add","path":"addresses[type eq \"work\"].formatted","value":"USZLTUSJXBYV"}`,
		`{"op":"Add","path":"addresses[type eq \"work\"].locality","value":"OSGODHEVDCVD"}`,
		`{"op":"Add","path":"addresses[type eq \"work\"].region","value":"YMVMOEMXAYGD"}`,
		`{"op":"Add","path":"nickName","value":"Babs"}`,
	))
	g := fetch(t, h, "/Users/"+id)
	var work []any
	for _, a := range list(g.body, "addresses") {
		if str(a, "type") == "work" {
			work = append(work, a)
		}
	}
	wantWork := []any{map[string]any{"type": "work", "formatted": "USZLTUSJXBYV", "locality": "OSGODHEVDCVD", "region": "YMVMOEMXAYGD"}}
	if diff := cmp.Diff(wantWork, work); diff != "" {
		t.Errorf("work addresses (-want +got):\n%s\nbody %s", diff, g.raw)
	}
	if n := len(list(g.body, "addresses")); n != 2 {
		t.Errorf("%d addresses, want 2 (home kept, one work added): %v", n, g.body["addresses"])
	}
	if str(g.body, "nickName") != "Babs" {
		t.Errorf("nickName = %q, want Babs", str(g.body, "nickName"))
	}

	// Replace on the same filter lands in the same element.
	patchOK(t, h, "/Users/"+id, patchBody(`{"op":"Replace","path":"addresses[type eq \"work\"].locality","value":"Redmond"}`))
	g = fetch(t, h, "/Users/"+id)
	works := 0
	for _, a := range list(g.body, "addresses") {
		if str(a, "type") == "work" {
			works++
			if str(a, "locality") != "Redmond" || str(a, "region") != "YMVMOEMXAYGD" {
				t.Errorf("work address after replace = %v", a)
			}
		}
	}
	if works != 1 {
		t.Errorf("%d work addresses after replace, want 1", works)
	}
}

func TestPatchEntraManager(t *testing.T) {
	h := newHandler(t)
	boss := createUser(t, h, `{"userName":"boss@contoso.com","displayName":"Big Boss"}`)
	boss2 := createUser(t, h, `{"userName":"boss2@contoso.com"}`) // no displayName: userName stands in
	emp := createUser(t, h, `{"userName":"emp@contoso.com"}`)
	path := "/Users/" + emp
	// get splits on dots and the URN has dots: walk by hand.
	mgrOf := func(r result) any {
		ext, _ := r.body[enterpriseURN].(map[string]any)
		return ext["manager"]
	}

	// Set: a bare string id (Entra's reference pass).
	patchOK(t, h, path, patchBody(`{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"`+boss+`"}`))
	g := fetch(t, h, path)
	want := map[string]any{"value": boss, "$ref": "http://example.com/Users/" + boss, "displayName": "Big Boss"}
	if diff := cmp.Diff(want, mgrOf(g)); diff != "" {
		t.Errorf("manager after set (-want +got):\n%s\nbody %s", diff, g.raw)
	}
	if !containsString(list(g.body, "schemas"), enterpriseURN) {
		t.Errorf("schemas %v lack the enterprise extension", g.body["schemas"])
	}

	// An unrelated PATCH keeps the manager as it was, displayName included.
	patchOK(t, h, path, patchBody(`{"op":"Add","path":"nickName","value":"E"}`))
	if diff := cmp.Diff(want, mgrOf(fetch(t, h, path))); diff != "" {
		t.Errorf("manager after an unrelated PATCH (-want +got):\n%s", diff)
	}

	// Change.
	patchOK(t, h, path, patchBody(`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"`+boss2+`"}`))
	want2 := map[string]any{"value": boss2, "$ref": "http://example.com/Users/" + boss2, "displayName": "boss2@contoso.com"}
	if diff := cmp.Diff(want2, mgrOf(fetch(t, h, path))); diff != "" {
		t.Errorf("manager after change (-want +got):\n%s", diff)
	}

	// Remove: replace with "".
	patchOK(t, h, path, patchBody(`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":""}`))
	g = fetch(t, h, path)
	if m := mgrOf(g); m != nil {
		t.Errorf("manager after replace with \"\" = %v, want absent; body %s", m, g.raw)
	}
	if strings.Contains(g.raw, boss2) {
		t.Errorf("the removed manager's id is still in the user: %s", g.raw)
	}

	// The older documented shape: path "manager" and a one-element array.
	patchOK(t, h, path, patchBody(`{"op":"Add","path":"manager","value":[{"$ref":"http://other/Users/`+boss+`","value":"`+boss+`"}]}`))
	if diff := cmp.Diff(want, mgrOf(fetch(t, h, path))); diff != "" {
		t.Errorf("manager after the legacy array form (-want +got):\n%s", diff)
	}
}

func containsString(arr []any, s string) bool {
	for _, x := range arr {
		if x == s {
			return true
		}
	}
	return false
}

// The aadOptscim062020 form: one path-less replace with dotted and URN keys.
func TestPatchEntraPathlessReplaceFlatKeys(t *testing.T) {
	h := newHandler(t)
	boss := createUser(t, h, `{"userName":"pl-boss@contoso.com","displayName":"PL Boss"}`)
	id := createUser(t, h, `{"userName":"pathless@contoso.com","title":"Old Title","name":{"givenName":"G","middleName":"M"}}`)
	patchOK(t, h, "/Users/"+id, patchBody(`{"op":"replace","value":{
		"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua","active":false,"title":"",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"`+boss+`"}}`))
	g := fetch(t, h, "/Users/"+id)
	for k, w := range map[string]any{"displayName": "Bjfe", "name.givenName": "Kkom", "name.familyName": "Unua", "name.middleName": "M", "active": false, "userName": "pathless@contoso.com"} {
		if got := get(g.body, k); got != w {
			t.Errorf("%s = %#v, want %#v", k, got, w)
		}
	}
	if _, ok := g.body["title"]; ok {
		t.Errorf(`title = %v, want it cleared by ""`, g.body["title"])
	}
	ext, _ := g.body[enterpriseURN].(map[string]any)
	if ext["employeeNumber"] != "Aklq" {
		t.Errorf("employeeNumber = %#v, want Aklq; body %s", ext["employeeNumber"], g.raw)
	}
	if got := get(ext, "manager.value"); got != boss {
		t.Errorf("manager.value = %#v, want %s", got, boss)
	}

	// The path-less add form the validator sends.
	patchOK(t, h, "/Users/"+id, patchBody(`{"op":"add","value":{"displayName":"Foo Bar","title":"Bar Foo","name.givenName":"Foo","name.familyName":"Bar","name.formatted":"Foo Bar"}}`))
	g = fetch(t, h, "/Users/"+id)
	for k, w := range map[string]any{"displayName": "Foo Bar", "title": "Bar Foo", "name.givenName": "Foo", "name.familyName": "Bar", "name.formatted": "Foo Bar", "name.middleName": "M"} {
		if got := get(g.body, k); got != w {
			t.Errorf("after path-less add: %s = %#v, want %#v", k, got, w)
		}
	}
}

// Q12: Microsoft's validator sends an empty Operations array.
func TestPatchEmptyOperations(t *testing.T) {
	h := newHandler(t)
	uid := createUser(t, h, `{"userName":"empty@example.com","title":"T"}`)
	gid := createGroup(t, h, `{"displayName":"Empty Ops"}`)
	for _, path := range []string{"/Users/" + uid, "/Groups/" + gid} {
		before := fetch(t, h, path)
		r := patchOK(t, h, path, patchBody())
		if r.header.Get("ETag") != before.header.Get("ETag") {
			t.Errorf("%s: empty PATCH answered ETag %s, want the unchanged %s", path, r.header.Get("ETag"), before.header.Get("ETag"))
		}
		checkUnchanged(t, h, path, before, "an empty PATCH")
		// A PATCH that sets what is already there changes nothing either.
	}
	before := fetch(t, h, "/Users/"+uid)
	patchOK(t, h, "/Users/"+uid, patchBody(`{"op":"replace","path":"title","value":"T"}`))
	checkUnchanged(t, h, "/Users/"+uid, before, "a PATCH setting the current value")
}

// --- Entra's group sequence (§4 steps 4–6) ---

func TestPatchEntraGroupSequence(t *testing.T) {
	h := newHandler(t)
	u1 := createUser(t, h, userBody("m1@contoso.com"))
	u2 := createUser(t, h, userBody("m2@contoso.com"))
	gid := createGroup(t, h, `{"schemas":["`+groupURN+`","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"externalId":"8aa1","displayName":"Sales"}`)
	path := "/Groups/" + gid

	// 4. Rename.
	patchOK(t, h, path, patchBody(`{"op":"Replace","path":"displayName","value":"Sales EMEA"}`))
	if g := fetch(t, h, path); str(g.body, "displayName") != "Sales EMEA" {
		t.Errorf("displayName = %q, want Sales EMEA", str(g.body, "displayName"))
	}

	// 5. Add two members, $ref null; then the same again (idempotent).
	add := patchBody(`{"op":"Add","path":"members","value":[{"$ref":null,"value":"` + u1 + `"},{"$ref":null,"value":"` + u2 + `"}]}`)
	patchOK(t, h, path, add)
	g := fetch(t, h, path)
	if diff := cmp.Diff(sorted(u1, u2), memberIDs(g)); diff != "" {
		t.Errorf("members after add (-want +got):\n%s", diff)
	}
	if str(g.body, "displayName") != "Sales EMEA" || str(g.body, "externalId") != "8aa1" {
		t.Errorf("adding members changed other attributes: %s", g.raw)
	}
	patchOK(t, h, path, add)
	if diff := cmp.Diff(sorted(u1, u2), memberIDs(fetch(t, h, path))); diff != "" {
		t.Errorf("members after adding them again (-want +got):\n%s", diff)
	}
	// The users see their group.
	if gs := list(fetch(t, h, "/Users/"+u1).body, "groups"); len(gs) != 1 || str(gs[0], "value") != gid {
		t.Errorf("user 1 groups = %v, want [%s]", gs, gid)
	}

	// 6. Remove one, default form: path "members" and a value array.
	patchOK(t, h, path, patchBody(`{"op":"Remove","path":"members","value":[{"value":"`+u1+`"}]}`))
	if diff := cmp.Diff([]string{u2}, memberIDs(fetch(t, h, path))); diff != "" {
		t.Errorf("members after removing one by value array (-want +got):\n%s", diff)
	}
	if gs := list(fetch(t, h, "/Users/"+u1).body, "groups"); len(gs) != 0 {
		t.Errorf("removed user 1 still lists groups %v", gs)
	}

	// 6. Remove, flag form: members[value eq "id"].
	patchOK(t, h, path, patchBody(`{"op":"remove","path":"members[value eq \"`+u2+`\"]"}`))
	g = fetch(t, h, path)
	if ids := memberIDs(g); len(ids) != 0 {
		t.Errorf("members after removing the last by filter = %v, want none", ids)
	}
	if str(g.body, "displayName") != "Sales EMEA" {
		t.Errorf("displayName after member removals = %q", str(g.body, "displayName"))
	}
}

// Add and remove of the same member in one request keep the request's order.
func TestPatchGroupAddRemoveSameMemberInOrder(t *testing.T) {
	h := newHandler(t)
	u := createUser(t, h, userBody("order@example.com"))
	gid := createGroup(t, h, `{"displayName":"Order"}`)
	patchOK(t, h, "/Groups/"+gid, patchBody(
		`{"op":"add","path":"members","value":[{"value":"`+u+`"}]}`,
		`{"op":"remove","path":"members[value eq \"`+u+`\"]"}`))
	if ids := memberIDs(fetch(t, h, "/Groups/"+gid)); len(ids) != 0 {
		t.Errorf("add then remove: members %v, want none", ids)
	}
	patchOK(t, h, "/Groups/"+gid, patchBody(
		`{"op":"remove","path":"members[value eq \"`+u+`\"]"}`,
		`{"op":"add","path":"members","value":[{"value":"`+u+`"}]}`))
	if diff := cmp.Diff([]string{u}, memberIDs(fetch(t, h, "/Groups/"+gid))); diff != "" {
		t.Errorf("remove then add: members (-want +got):\n%s", diff)
	}
	// remove with path "members" and no value: all of them.
	patchOK(t, h, "/Groups/"+gid, patchBody(`{"op":"remove","path":"members"}`))
	if ids := memberIDs(fetch(t, h, "/Groups/"+gid)); len(ids) != 0 {
		t.Errorf("remove all: members %v, want none", ids)
	}
	if gs := list(fetch(t, h, "/Users/"+u).body, "groups"); len(gs) != 0 {
		t.Errorf("remove all: the user still lists groups %v", gs)
	}
}

// Okta renames and changes members in one request; the general path must
// keep the members the group already had.
func TestPatchOktaGroupRenameAndAddMembers(t *testing.T) {
	h := newHandler(t)
	u0 := createUser(t, h, userBody("okta0@example.com"))
	u1 := createUser(t, h, userBody("okta1@example.com"))
	u2 := createUser(t, h, userBody("okta2@example.com"))
	gid := createGroup(t, h, `{"displayName":"Okta Group","members":[{"value":"`+u0+`"}]}`)
	patchOK(t, h, "/Groups/"+gid, patchBody(
		`{"op":"replace","value":{"id":"`+gid+`","displayName":"Okta Group Renamed"}}`,
		`{"op":"add","path":"members","value":[{"value":"`+u1+`","display":"okta1@example.com"},{"value":"`+u2+`","display":"Two"}]}`,
	))
	g := fetch(t, h, "/Groups/"+gid)
	if str(g.body, "displayName") != "Okta Group Renamed" || str(g.body, "id") != gid {
		t.Errorf("group after rename + add = %s", g.raw)
	}
	if diff := cmp.Diff(sorted(u0, u1, u2), memberIDs(g)); diff != "" {
		t.Errorf("members after rename + add (-want +got):\n%s", diff)
	}
	for _, m := range list(g.body, "members") {
		if str(m, "value") == u2 && str(m, "display") != "Two" {
			t.Errorf("member %s display = %q, want Two as sent", u2, str(m, "display"))
		}
	}
	// The old name is free again, the new one taken.
	if r := do(t, h, http.MethodPost, "/Groups", `{"displayName":"okta group renamed"}`); r.status != http.StatusConflict {
		t.Errorf("POST a group with the new name = %s, want 409", r)
	}
	createGroup(t, h, `{"displayName":"Okta Group"}`)

	// Okta's member removal.
	patchOK(t, h, "/Groups/"+gid, patchBody(`{"op":"remove","path":"members[value eq \"`+u0+`\"]"}`))
	if diff := cmp.Diff(sorted(u1, u2), memberIDs(fetch(t, h, "/Groups/"+gid))); diff != "" {
		t.Errorf("members after Okta removal (-want +got):\n%s", diff)
	}
}

func TestPatchGroupExcludedMembersAnswers200WithoutMembers(t *testing.T) {
	h := newHandler(t)
	u := createUser(t, h, userBody("excl@example.com"))
	gid := createGroup(t, h, `{"displayName":"Excl"}`)
	r := do(t, h, http.MethodPatch, "/Groups/"+gid+"?excludedAttributes=members",
		patchBody(`{"op":"add","path":"members","value":[{"value":"`+u+`"}]}`))
	wantStatus(t, r, http.StatusOK, "PATCH ?excludedAttributes=members")
	if _, ok := r.body["members"]; ok {
		t.Errorf("response has members despite excludedAttributes=members: %s", r.raw)
	}
	if str(r.body, "id") != gid || str(r.body, "displayName") != "Excl" {
		t.Errorf("response lacks id or displayName: %s", r.raw)
	}
	if r.header.Get("ETag") == "" || r.header.Get("ETag") != fetch(t, h, "/Groups/"+gid).header.Get("ETag") {
		t.Errorf("response ETag %q is not the group's current one", r.header.Get("ETag"))
	}
	if diff := cmp.Diff([]string{u}, memberIDs(fetch(t, h, "/Groups/"+gid))); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	// attributes= asks for the resource too.
	r = do(t, h, http.MethodPatch, "/Groups/"+gid+"?attributes=displayName", patchBody(`{"op":"replace","path":"displayName","value":"Excl2"}`))
	wantStatus(t, r, http.StatusOK, "PATCH ?attributes=displayName")
	if str(r.body, "displayName") != "Excl2" || r.body["members"] != nil {
		t.Errorf("PATCH ?attributes=displayName = %s, want displayName Excl2 and no members", r.raw)
	}
}

// --- preconditions, errors and atomicity ---

func TestPatchIfMatchStaleIs412(t *testing.T) {
	h := newHandler(t)
	u := createUser(t, h, userBody("m412@example.com"))
	uid := createUser(t, h, `{"userName":"stale@example.com","title":"A"}`)
	gid := createGroup(t, h, `{"displayName":"Stale"}`)
	for _, tc := range []struct{ path, change, stale string }{
		{"/Users/" + uid, `{"op":"replace","path":"title","value":"B"}`, `{"op":"replace","path":"title","value":"C"}`},
		{"/Groups/" + gid, `{"op":"replace","path":"displayName","value":"Stale B"}`, `{"op":"replace","path":"displayName","value":"Stale C"}`},
		// member-only: the MemberPatcher fast path checks If-Match too
		{"/Groups/" + gid, `{"op":"replace","path":"displayName","value":"Stale D"}`, `{"op":"add","path":"members","value":[{"value":"` + u + `"}]}`},
	} {
		v1 := fetch(t, h, tc.path).header.Get("ETag")
		r := patchOK(t, h, tc.path, patchBody(tc.change), "If-Match", v1)
		if v2 := r.header.Get("ETag"); v2 == "" || v2 == v1 {
			t.Errorf("%s: PATCH with current If-Match answered ETag %q, want a new one (was %q)", tc.path, v2, v1)
		}
		before := fetch(t, h, tc.path)
		checkError(t, do(t, h, http.MethodPatch, tc.path, patchBody(tc.stale), "If-Match", v1), http.StatusPreconditionFailed, "")
		checkUnchanged(t, h, tc.path, before, "a PATCH refused with 412")
	}
}

func TestPatchUnknownIDIs404(t *testing.T) {
	h := newHandler(t)
	u := createUser(t, h, userBody("p404@example.com"))
	for _, tc := range []struct{ path, body string }{
		{"/Users/nope", patchBody(`{"op":"replace","path":"active","value":false}`)},
		{"/Groups/nope", patchBody(`{"op":"replace","path":"displayName","value":"x"}`)},
		{"/Groups/nope", patchBody(`{"op":"add","path":"members","value":[{"value":"` + u + `"}]}`)},
		{"/Groups/nope", patchBody(`{"op":"remove","path":"members[value eq \"` + u + `\"]"}`)},
		{"/Groups/nope", patchBody()},
		{"/Users/" + u + "x", patchBody()},
	} {
		t.Run(tc.path+" "+tc.body, func(t *testing.T) {
			checkError(t, do(t, h, http.MethodPatch, tc.path, tc.body), http.StatusNotFound, "", "not found")
		})
	}
}

func TestPatchFailingOpChangesNothing(t *testing.T) {
	h := newHandler(t)
	uid := createUser(t, h, `{"userName":"atomic@example.com","displayName":"Before","active":true}`)
	path := "/Users/" + uid
	before := fetch(t, h, path)
	r := do(t, h, http.MethodPatch, path, patchBody(
		`{"op":"replace","path":"displayName","value":"After"}`,
		`{"op":"replace","path":"active","value":5}`))
	checkError(t, r, http.StatusBadRequest, "invalidValue", "active")
	checkUnchanged(t, h, path, before, "a PATCH whose second operation fails")

	// The same on a group, through the general path (rename) and the
	// member-only path.
	u := createUser(t, h, userBody("atomic-member@example.com"))
	gid := createGroup(t, h, `{"displayName":"Atomic","members":[{"value":"`+u+`"}]}`)
	gpath := "/Groups/" + gid
	before = fetch(t, h, gpath)
	for _, body := range []string{
		patchBody(`{"op":"replace","path":"displayName","value":"Atomic 2"}`, `{"op":"add","path":"members","value":[{"value":"ghost-1"}]}`),
		patchBody(`{"op":"remove","path":"members[value eq \"`+u+`\"]"}`, `{"op":"add","path":"members","value":[{"value":"ghost-1"}]}`),
	} {
		checkError(t, do(t, h, http.MethodPatch, gpath, body), http.StatusBadRequest, "invalidValue", "ghost-1")
		checkUnchanged(t, h, gpath, before, "a group PATCH naming an unknown member")
	}
}

func TestPatchErrors(t *testing.T) {
	h := newHandler(t)
	uid := createUser(t, h, `{"userName":"errors@example.com","displayName":"E"}`)
	gid := createGroup(t, h, `{"displayName":"Errors"}`)
	for _, tc := range []struct {
		name, path, body string
		status           int
		scimType         string
		words            []string
	}{
		{"remove without path", "/Users/" + uid, patchBody(`{"op":"remove"}`), 400, "noTarget", []string{"path"}},
		{"remove without path on a group", "/Groups/" + gid, patchBody(`{"op":"remove","value":[{"value":"x"}]}`), 400, "noTarget", []string{"path"}},
		{"replace id", "/Users/" + uid, patchBody(`{"op":"replace","path":"id","value":"other"}`), 400, "mutability", []string{"id"}},
		{"replace meta", "/Users/" + uid, patchBody(`{"op":"replace","path":"meta","value":{}}`), 400, "mutability", []string{"meta"}},
		{"wrong type", "/Users/" + uid, patchBody(`{"op":"replace","path":"active","value":5}`), 400, "invalidValue", []string{"active"}},
		{"unknown op", "/Users/" + uid, patchBody(`{"op":"merge","path":"title","value":"x"}`), 400, "invalidSyntax", []string{"merge"}},
		{"no Operations", "/Users/" + uid, `{"schemas":["` + patchOpURN + `"]}`, 400, "invalidSyntax", []string{"Operations"}},
		{"bad path", "/Users/" + uid, patchBody(`{"op":"replace","path":"emails[type eq","value":"x"}`), 400, "invalidPath", nil},
		{"remove userName (required)", "/Users/" + uid, patchBody(`{"op":"remove","path":"userName"}`), 400, "", []string{"userName"}},
		{"unknown member", "/Groups/" + gid, patchBody(`{"op":"add","path":"members","value":[{"value":"no-such-user-42"}]}`), 400, "invalidValue", []string{"no-such-user-42"}},
		{"unknown member with a rename", "/Groups/" + gid, patchBody(`{"op":"replace","path":"displayName","value":"E2"}`, `{"op":"add","path":"members","value":[{"value":"no-such-user-43"}]}`), 400, "invalidValue", []string{"no-such-user-43"}},
		{"not JSON", "/Users/" + uid, `{"Operations":[`, 400, "invalidSyntax", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := fetch(t, h, tc.path)
			checkError(t, do(t, h, http.MethodPatch, tc.path, tc.body), tc.status, tc.scimType, tc.words...)
			checkUnchanged(t, h, tc.path, before, "a refused PATCH")
		})
	}
}

// A Store without the MemberPatcher capability: every member PATCH goes
// through Update.
type plainStore struct{ store.Store }

func TestPatchUnknownMemberWithoutMemberPatcher(t *testing.T) {
	h := newHandler(t, func(c *scim.Config) { c.Store = plainStore{c.Store} })
	u := createUser(t, h, userBody("plain@example.com"))
	gid := createGroup(t, h, `{"displayName":"Plain"}`)
	checkError(t, do(t, h, http.MethodPatch, "/Groups/"+gid, patchBody(`{"op":"add","path":"members","value":[{"value":"ghost-7"}]}`)),
		http.StatusBadRequest, "invalidValue", "ghost-7")
	patchOK(t, h, "/Groups/"+gid, patchBody(`{"op":"Add","path":"members","value":[{"$ref":null,"value":"`+u+`"}]}`))
	if diff := cmp.Diff([]string{u}, memberIDs(fetch(t, h, "/Groups/"+gid))); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	patchOK(t, h, "/Groups/"+gid, patchBody(`{"op":"Remove","path":"members","value":[{"value":"`+u+`"}]}`))
	if ids := memberIDs(fetch(t, h, "/Groups/"+gid)); len(ids) != 0 {
		t.Errorf("members after remove = %v, want none", ids)
	}
}

// Compat per tenant: one tenant speaks RFC only, the other Entra's dialect.
func TestPatchStrictCompatPerTenant(t *testing.T) {
	h := newHandler(t, func(c *scim.Config) {
		c.Auth = auth.StaticTokens(
			auth.Token{Secret: "strict-token", Tenant: "strict"},
			auth.Token{Secret: "loose-token", Tenant: "loose"},
		)
		c.Compat = func(tenant string) patch.Compat { return patch.Compat{Strict: tenant == "strict"} }
	})
	as := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	ids := map[string]string{}
	for _, tok := range []string{"strict-token", "loose-token"} {
		r := do(t, h, http.MethodPost, "/Users", userBody("compat@example.com"), as(tok)...)
		wantStatus(t, r, http.StatusCreated, "POST as "+tok)
		ids[tok] = str(r.body, "id")
	}
	entra := patchBody(`{"op":"Replace","path":"displayName","value":"Entra"}`)

	spath := "/Users/" + ids["strict-token"]
	before := do(t, h, http.MethodGet, spath, "", as("strict-token")...)
	checkError(t, do(t, h, http.MethodPatch, spath, entra, as("strict-token")...), http.StatusBadRequest, "", "Replace")
	if after := do(t, h, http.MethodGet, spath, "", as("strict-token")...); after.raw != before.raw {
		t.Errorf("a strict refusal changed the user: %s", after.raw)
	}
	checkError(t, do(t, h, http.MethodPatch, spath, patchBody(`{"op":"replace","path":"active","value":"False"}`), as("strict-token")...), http.StatusBadRequest, "")
	r := do(t, h, http.MethodPatch, spath, patchBody(`{"op":"replace","path":"displayName","value":"RFC"}`), as("strict-token")...)
	if r.status != http.StatusOK || str(r.body, "displayName") != "RFC" {
		t.Errorf("strict tenant, RFC PATCH = %s, want 200 with displayName RFC", r)
	}

	lpath := "/Users/" + ids["loose-token"]
	r = do(t, h, http.MethodPatch, lpath, entra, as("loose-token")...)
	if r.status != http.StatusOK || str(r.body, "displayName") != "Entra" {
		t.Errorf("loose tenant, Entra PATCH = %s, want 200 with displayName Entra", r)
	}
	if g := do(t, h, http.MethodGet, lpath, "", as("loose-token")...); str(g.body, "displayName") != "Entra" {
		t.Errorf("loose tenant GET = %s", g.raw)
	}
}

func TestPatchResponseModes(t *testing.T) {
	for _, tc := range []struct {
		mode              scim.PatchResponse
		query             string
		userWant, grpWant int
	}{
		{scim.PatchResponseAuto, "", 200, 204},
		{scim.PatchResponseAuto, "?attributes=displayName", 200, 200},
		{scim.PatchResponseAuto, "?excludedAttributes=members", 200, 200},
		{scim.PatchResponseResource, "", 200, 200},
		{scim.PatchResponseNoContent, "", 204, 204},
	} {
		t.Run(fmt.Sprintf("mode%d%s", tc.mode, tc.query), func(t *testing.T) {
			h := newHandler(t, func(c *scim.Config) { c.PatchResponse = tc.mode })
			u := createUser(t, h, userBody("mode@example.com"))
			uid := createUser(t, h, userBody("mode-user@example.com"))
			gid := createGroup(t, h, `{"displayName":"Mode"}`)
			for _, x := range []struct {
				path, body string
				want       int
			}{
				{"/Users/" + uid, patchBody(`{"op":"replace","path":"displayName","value":"New Name"}`), tc.userWant},
				{"/Groups/" + gid, patchBody(`{"op":"replace","path":"displayName","value":"New Name"}`), tc.grpWant},
				{"/Groups/" + gid, patchBody(`{"op":"add","path":"members","value":[{"value":"` + u + `"}]}`), tc.grpWant},
			} {
				r := do(t, h, http.MethodPatch, x.path+tc.query, x.body)
				if r.status != x.want {
					t.Errorf("PATCH %s%s: %s, want %d", x.path, tc.query, r, x.want)
					continue
				}
				cur := fetch(t, h, x.path)
				if r.header.Get("ETag") == "" || r.header.Get("ETag") != cur.header.Get("ETag") {
					t.Errorf("PATCH %s: ETag %q, want the current %q", x.path, r.header.Get("ETag"), cur.header.Get("ETag"))
				}
				switch r.status {
				case http.StatusNoContent:
					if r.raw != "" {
						t.Errorf("PATCH %s: 204 with a body %q", x.path, r.raw)
					}
				case http.StatusOK:
					if str(r.body, "id") == "" || str(r.body, "displayName") != "New Name" {
						t.Errorf("PATCH %s: 200 body %s, want the patched resource", x.path, r.raw)
					}
					if tc.query == "" && r.body["meta"] == nil {
						t.Errorf("PATCH %s: 200 body without meta: %s", x.path, r.raw)
					}
				}
			}
		})
	}
}

func TestServiceProviderConfigPatchSupported(t *testing.T) {
	h := newHandler(t)
	r := fetch(t, h, "/ServiceProviderConfig")
	if got := get(r.body, "patch.supported"); got != true {
		t.Errorf("patch.supported = %#v, want true", got)
	}
}

// RFC 7232 §3.1: a stale If-Match fails even when the PATCH would change
// nothing (empty Operations).
func TestPatchEmptyOperationsStaleIfMatchIs412(t *testing.T) {
	h := newHandler(t)
	uid := createUser(t, h, userBody("empty412@example.com"))
	gid := createGroup(t, h, `{"displayName":"Empty 412"}`)
	for _, path := range []string{"/Users/" + uid, "/Groups/" + gid} {
		checkError(t, do(t, h, http.MethodPatch, path, patchBody(), "If-Match", `W/"999999"`), http.StatusPreconditionFailed, "")
	}
}

// A PATCH on a group that does not touch its members must leave them as
// they were: a member stored without display keeps showing its user's
// current name, as it does in a group never PATCHed.
func TestPatchGroupRenameKeepsDerivedMemberDisplay(t *testing.T) {
	h := newHandler(t)
	u := createUser(t, h, userBody("before@example.com"))
	patched := createGroup(t, h, `{"displayName":"Patched","members":[{"value":"`+u+`"}]}`)
	untouched := createGroup(t, h, `{"displayName":"Untouched","members":[{"value":"`+u+`"}]}`)
	patchOK(t, h, "/Groups/"+patched, patchBody(`{"op":"replace","path":"displayName","value":"Patched 2"}`))
	patchOK(t, h, "/Users/"+u, patchBody(`{"op":"replace","path":"userName","value":"after@example.com"}`))
	for _, gid := range []string{untouched, patched} {
		if d := str(fetch(t, h, "/Groups/"+gid).body, "members.0.display"); d != "after@example.com" {
			t.Errorf("group %s: member display = %q, want the user's current name after@example.com", gid, d)
		}
	}
}

func TestPatchAdvancesLastModified(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	st := memory.NewWithConfig(memory.Config{Clock: func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }})
	tick := func() { mu.Lock(); clock = clock.Add(time.Minute); mu.Unlock() }
	h := newHandler(t, func(c *scim.Config) { c.Store = st })
	u := createUser(t, h, userBody("lm@example.com"))
	gid := createGroup(t, h, `{"displayName":"LM"}`)
	for _, tc := range []struct{ path, body string }{
		{"/Users/" + u, patchBody(`{"op":"replace","path":"title","value":"x"}`)},
		{"/Groups/" + gid, patchBody(`{"op":"replace","path":"displayName","value":"LM2"}`)},
		{"/Groups/" + gid, patchBody(`{"op":"add","path":"members","value":[{"value":"` + u + `"}]}`)},
	} {
		b := fetch(t, h, tc.path)
		before, created := str(b.body, "meta.lastModified"), str(b.body, "meta.created")
		tick()
		patchOK(t, h, tc.path, tc.body)
		g := fetch(t, h, tc.path)
		if after := str(g.body, "meta.lastModified"); after == before {
			t.Errorf("PATCH %s %s: lastModified stayed %s", tc.path, tc.body, after)
		}
		if c := str(g.body, "meta.created"); c != created || created == "" {
			t.Errorf("PATCH %s: created = %s, want it kept (%s)", tc.path, c, created)
		}
	}
}

// A member sent as a bare id string (the Azure collection's garbage form)
// is accepted when the id exists; the 400 is for ids that name nothing.
func TestPatchGroupAddBareStringMember(t *testing.T) {
	h := newHandler(t)
	u := createUser(t, h, userBody("bare@example.com"))
	gid := createGroup(t, h, `{"displayName":"Bare"}`)
	patchOK(t, h, "/Groups/"+gid, patchBody(`{"op":"add","path":"members","value":"`+u+`"}`))
	if diff := cmp.Diff([]string{u}, memberIDs(fetch(t, h, "/Groups/"+gid))); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	before := fetch(t, h, "/Groups/"+gid)
	checkError(t, do(t, h, http.MethodPatch, "/Groups/"+gid, `{"id":"`+gid+`","Operations":[{"op":"add","path":"members","value":"string id 1"}],"schemas":["`+patchOpURN+`"]}`),
		http.StatusBadRequest, "invalidValue", "string id 1")
	checkUnchanged(t, h, "/Groups/"+gid, before, "adding a member that does not exist")
}
