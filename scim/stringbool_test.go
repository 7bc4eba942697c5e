package scim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
)

// Entra sends booleans as strings ("active":"False"), and scimkit turns
// "True"/"False" into JSON booleans where the schema says boolean. A
// string attribute given "True" or "False" keeps the string, as sent:
// not a JSON boolean, not lower-cased; by PATCH with a path, with a value
// filter, without a path, and by POST and PUT. A boolean next to it is
// still converted.
func TestTrueFalseForStringAttributes(t *testing.T) {
	h := newHandler(t)

	// wantStrings GETs the user and checks the raw JSON: "True" and true
	// decode differently, and "true" is not "True".
	wantStrings := func(t *testing.T, r result, what string, want map[string]string) {
		t.Helper()
		for path, v := range want {
			var got any
			if ext, ok := strings.CutPrefix(path, enterpriseURN+":"); ok {
				got = get(r.body[enterpriseURN], ext)
			} else {
				got = get(r.body, path)
			}
			if got != v {
				t.Errorf("%s: %s = %#v, want the string %q; body %s", what, path, got, v, r.raw)
			}
		}
		if get(r.body, "active") != false {
			t.Errorf("%s: active = %#v, want the JSON boolean false; body %s", what, get(r.body, "active"), r.raw)
		}
	}
	check := func(t *testing.T, r result, id, what string, want map[string]string) {
		t.Helper()
		wantStrings(t, r, what+" (response)", want)
		g := do(t, h, http.MethodGet, "/Users/"+id, "")
		wantStatus(t, g, http.StatusOK, "GET /Users/"+id)
		wantStrings(t, g, what+" (GET)", want)
	}
	all := func(v string) map[string]string {
		return map[string]string{"title": v, "nickName": v, "name.givenName": v, enterpriseURN + ":department": v}
	}
	userWith := func(userName, v string) string {
		return fmt.Sprintf(`{"schemas":[%q,%q],"userName":%q,"active":"False","title":%q,"nickName":%q,"name":{"givenName":%q},%q:{"department":%q}}`,
			userURN, enterpriseURN, userName, v, v, v, enterpriseURN, v)
	}

	for i, v := range []string{"True", "False", "TRUE", "false"} {
		n := fmt.Sprint(i) // userName is unique regardless of case
		t.Run(v, func(t *testing.T) {
			// POST.
			r := do(t, h, http.MethodPost, "/Users", userWith("post-"+n+"@example.com", v))
			wantStatus(t, r, http.StatusCreated, "POST /Users")
			id := str(r.body, "id")
			check(t, r, id, "POST", all(v))

			// PUT.
			r = do(t, h, http.MethodPut, "/Users/"+id, userWith("put-"+n+"@example.com", v))
			wantStatus(t, r, http.StatusOK, "PUT /Users/"+id)
			check(t, r, id, "PUT", all(v))

			// PATCH with a path, as Entra sends it, one attribute at a time
			// (the user starts with other values so a no-op cannot pass).
			id = createUser(t, h, userWith("patch-"+n+"@example.com", "x"))
			r = patchOK(t, h, "/Users/"+id, patchBody(
				`{"op":"Replace","path":"title","value":"`+v+`"}`,
				`{"op":"Add","path":"nickName","value":"`+v+`"}`,
				`{"op":"Replace","path":"name.givenName","value":"`+v+`"}`,
				`{"op":"Replace","path":"`+enterpriseURN+`:department","value":"`+v+`"}`,
				`{"op":"Replace","path":"active","value":"False"}`))
			check(t, r, id, "PATCH by path", all(v))

			// PATCH by path with the value wrapped in an array, and a
			// complex attribute's string sub-attribute.
			id = createUser(t, h, userWith("wrapped-"+n+"@example.com", "x"))
			r = patchOK(t, h, "/Users/"+id, patchBody(
				`{"op":"Replace","path":"title","value":["`+v+`"]}`,
				`{"op":"Replace","path":"nickName","value":[{"value":"`+v+`"}]}`,
				`{"op":"Replace","path":"name","value":{"givenName":"`+v+`"}}`,
				`{"op":"Replace","path":"`+enterpriseURN+`","value":{"department":"`+v+`"}}`))
			check(t, r, id, "PATCH by path, wrapped", all(v))

			// Path-less PATCH: core, sub-attribute and extension keys.
			id = createUser(t, h, userWith("pathless-"+n+"@example.com", "x"))
			r = patchOK(t, h, "/Users/"+id, patchBody(
				`{"op":"Replace","value":{"title":"`+v+`","nickName":"`+v+`","name.givenName":"`+v+`","`+enterpriseURN+`:department":"`+v+`","active":"False"}}`))
			check(t, r, id, "path-less PATCH", all(v))

			// A value filter comparing a string sub-attribute with "True"
			// compares strings: the email typed "True" is the one changed.
			id = createUser(t, h, fmt.Sprintf(`{"userName":"filter-%s@example.com","active":false,"emails":[{"type":%q,"value":"a@example.com"},{"type":"work","value":"w@example.com"}]}`, n, v))
			r = patchOK(t, h, "/Users/"+id, patchBody(`{"op":"Replace","path":"emails[type eq \"`+v+`\"].value","value":"b@example.com"}`))
			g := do(t, h, http.MethodGet, "/Users/"+id, "")
			for _, res := range []result{r, g} {
				emails := list(res.body, "emails")
				if len(emails) != 2 || get(emails[0], "type") != v || str(emails[0], "value") != "b@example.com" || str(emails[1], "value") != "w@example.com" {
					t.Errorf(`emails[type eq %q].value: emails = %v, want the %q one changed to b@example.com`, v, emails, v)
				}
			}
		})
	}
}

// A value filter comparing a case-exact string sub-attribute with "True"
// matches the string "True" only, not "true"; a boolean sub-attribute in
// the same filter still takes "True" for true.
func TestTrueInFilterOnCaseExactString(t *testing.T) {
	reg := schema.NewRegistry()
	err := reg.AddResourceTypeJSON([]byte(`{
	  "resourceType": {"name": "Kiosk", "endpoint": "/Kiosks", "schema": "urn:example:scim:schemas:2.0:Kiosk"},
	  "schemas": [{"id": "urn:example:scim:schemas:2.0:Kiosk", "name": "Kiosk", "attributes": [
	    {"name": "labels", "type": "complex", "multiValued": true, "required": false,
	     "mutability": "readWrite", "returned": "default",
	     "subAttributes": [
	       {"name": "value", "type": "string", "multiValued": false, "required": false, "caseExact": true,
	        "mutability": "readWrite", "returned": "default", "uniqueness": "none"},
	       {"name": "primary", "type": "boolean", "multiValued": false, "required": false,
	        "mutability": "readWrite", "returned": "default"}]}]}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(t, func(c *scim.Config) { c.Schemas = reg })
	for _, tc := range []struct {
		path  string
		wantA bool // the label "True" became primary
		wantB bool // the label "true" became primary
	}{
		{`labels[value eq "True"].primary`, true, false},
		{`labels[value eq "true"].primary`, false, true},
		{`labels[value eq "True" and primary eq "False"].primary`, true, false},
		{`labels[value ne "True"].primary`, false, true},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := do(t, h, http.MethodPost, "/Kiosks", `{"labels":[{"value":"True","primary":false},{"value":"true","primary":false}]}`)
			wantStatus(t, r, http.StatusCreated, "POST /Kiosks")
			id := str(r.body, "id")
			patchOK(t, h, "/Kiosks/"+id, patchBody(`{"op":"Replace","path":"`+strings.ReplaceAll(tc.path, `"`, `\"`)+`","value":"True"}`))
			g := do(t, h, http.MethodGet, "/Kiosks/"+id, "")
			labels := list(g.body, "labels")
			if len(labels) != 2 || get(labels[0], "value") != "True" || get(labels[1], "value") != "true" ||
				get(labels[0], "primary") != tc.wantA || get(labels[1], "primary") != tc.wantB {
				t.Errorf("labels = %v; want the label \"True\" primary %v and \"true\" primary %v", labels, tc.wantA, tc.wantB)
			}
		})
	}
}
