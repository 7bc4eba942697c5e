package canon_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/internal/canon"
	"github.com/scimkit/scimkit/scim/schema"
)

const acme = `{"id":"urn:ietf:params:scim:schemas:extension:acme:2.0:User","name":"AcmeUser","description":"Acme",
 "attributes":[
  {"name":"tag","type":"string","multiValued":false,"required":false,"caseExact":false,"mutability":"readWrite","returned":"default","uniqueness":"none"},
  {"name":"level","type":"integer","multiValued":false,"required":false,"mutability":"readWrite","returned":"default","uniqueness":"none"},
  {"name":"badge","type":"complex","multiValued":true,"required":false,"mutability":"readWrite","returned":"default",
   "subAttributes":[{"name":"value","type":"string","multiValued":false,"required":false,"caseExact":true,"mutability":"readWrite","returned":"default","uniqueness":"none"},
                    {"name":"primary","type":"boolean","multiValued":false,"required":false,"mutability":"readWrite","returned":"default"}]}]}`

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSplitURN(t *testing.T) {
	rt := schema.NewRegistry().ResourceType("User")
	for _, tc := range []struct{ in, schema, rest string }{
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", schema.EnterpriseUserURN, "manager"},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager", schema.EnterpriseUserURN, "manager"},
		{"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER", schema.EnterpriseUserURN, ""},
		{"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName", schema.UserURN, "name.givenName"},
	} {
		s, rest, ok := canon.SplitURN(rt, tc.in)
		if !ok || s.ID != tc.schema || rest != tc.rest {
			t.Errorf("SplitURN(%q) = %v, %q, %v", tc.in, s, rest, ok)
		}
	}
	if _, _, ok := canon.SplitURN(rt, "urn:other:thing:attr"); ok {
		t.Error("SplitURN matched an unregistered URN")
	}
}

func TestCanonicalize(t *testing.T) {
	reg := schema.NewRegistry()
	if err := reg.AddExtensionJSON("User", []byte(acme)); err != nil {
		t.Fatal(err)
	}
	rt := reg.ResourceType("User")
	got, err := canon.Canonicalize(rt, decode(t, `{
	  "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"], "id":"client-id", "meta":{"resourceType":"User"},
	  "USERNAME":"bjensen", "Active":"False", "externalID":"x1",
	  "emails":{"value":"b@example.com","primary":"True"},
	  "name.givenName":"Barbara", "name":{"familyName":"Jensen"},
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"m-1","department":"Ops"},
	  "urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"tag":"vip","level":3,"badge":[{"value":"gold","primary":"true"}]},
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"701984",
	  "groups":[{"value":"g1"}], "password":"hunter2", "roles":[], "nickName":null, "unknownThing":1,
	  "urn:unknown:schema":{"a":1}
	}`), canon.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := decode(t, `{
	  "userName":"bjensen","active":false,"externalId":"x1",
	  "emails":[{"value":"b@example.com","primary":true}],
	  "name":{"givenName":"Barbara","familyName":"Jensen"},
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m-1"},"department":"Ops","employeeNumber":"701984"},
	  "urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"tag":"vip","level":3,"badge":[{"value":"gold","primary":true}]}
	}`)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCanonicalizeErrors(t *testing.T) {
	reg := schema.NewRegistry()
	if err := reg.AddExtensionJSON("User", []byte(acme)); err != nil {
		t.Fatal(err)
	}
	rt := reg.ResourceType("User")
	for _, tc := range []struct{ body, path string }{
		{`{"userName":12}`, "userName"},
		{`{"active":5}`, "active"},
		{`{"active":"yes"}`, "active"},
		{`{"name":"Barbara"}`, "name"},
		{`{"emails":[{"value":1}]}`, "emails.value"},
		{`{"emails":[{"primary":"maybe"}]}`, "emails.primary"},
		{`{"displayName":["a","b"]}`, "displayName"},
		{`{"urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"level":"3"}}`, "level"},
		{`{"urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"level":1.5}}`, "level"},
		{`{"urn:ietf:params:scim:schemas:extension:acme:2.0:User":"vip"}`, "acme"},
	} {
		_, err := canon.Canonicalize(rt, decode(t, tc.body), canon.Options{})
		var ve *canon.ValueError
		if !errors.As(err, &ve) || !strings.Contains(ve.Error(), tc.path) {
			t.Errorf("Canonicalize(%s) = %v, want a *ValueError naming %s", tc.body, err, tc.path)
		}
	}
	if _, err := canon.Canonicalize(rt, decode(t, `{"userName":"a","adreses":[]}`), canon.Options{Strict: true}); err == nil {
		t.Error("Strict accepted an unknown attribute")
	}
	if got := canon.MissingRequired(rt, map[string]any{"userName": ""}); len(got) != 1 || got[0] != "userName" {
		t.Errorf("MissingRequired = %v", got)
	}
}

func TestChangedImmutable(t *testing.T) {
	reg := schema.NewRegistry()
	err := reg.AddExtensionJSON("User", []byte(`{"id":"urn:x:badge:2.0:User","attributes":[
	  {"name":"badgeId","type":"string","multiValued":false,"required":false,"caseExact":true,"mutability":"immutable","returned":"default","uniqueness":"none"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	rt := reg.ResourceType("User")
	if !canon.HasImmutable(rt) || canon.HasImmutable(schema.NewRegistry().ResourceType("User")) {
		t.Fatal("HasImmutable wrong")
	}
	set := decode(t, `{"userName":"a","urn:x:badge:2.0:User":{"badgeId":"B1"}}`)
	for _, tc := range []struct {
		before, after map[string]any
		want          string
	}{
		{set, decode(t, `{"userName":"b","urn:x:badge:2.0:User":{"badgeId":"B1"}}`), ""},
		{set, decode(t, `{"userName":"a","urn:x:badge:2.0:User":{"badgeId":"B2"}}`), "badgeId"},
		{set, decode(t, `{"userName":"a"}`), "badgeId"},
		{decode(t, `{"userName":"a"}`), set, ""}, // setting it the first time is allowed
		{map[string]any{"urn:x:badge:2.0:User": json.RawMessage(`{"badgeId":"B1"}`)}, set, ""},
		{map[string]any{"urn:x:badge:2.0:User": json.RawMessage(`{"badgeId":"B9"}`)}, set, "badgeId"},
	} {
		if got := canon.ChangedImmutable(rt, tc.before, tc.after); got != tc.want {
			t.Errorf("ChangedImmutable(%v, %v) = %q, want %q", tc.before, tc.after, got, tc.want)
		}
	}
}
