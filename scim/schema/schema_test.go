package schema_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim/schema"
)

const acme = `{"id":"urn:ietf:params:scim:schemas:extension:acme:2.0:User","name":"AcmeUser","description":"Acme",
 "attributes":[
  {"name":"tag","type":"string","multiValued":false,"required":false,"caseExact":false,"mutability":"readWrite","returned":"default","uniqueness":"none"},
  {"name":"level","type":"integer","multiValued":false,"required":false,"mutability":"readWrite","returned":"default","uniqueness":"none"},
  {"name":"badge","type":"complex","multiValued":true,"required":false,"mutability":"readWrite","returned":"default",
   "subAttributes":[{"name":"value","type":"string","multiValued":false,"required":false,"caseExact":true,"mutability":"readWrite","returned":"default","uniqueness":"none"},
                    {"name":"primary","type":"boolean","multiValued":false,"required":false,"mutability":"readWrite","returned":"default"}]}]}`

func TestRegistry(t *testing.T) {
	reg := schema.NewRegistry()
	if err := reg.AddExtensionJSON("user", []byte(acme)); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range reg.Schemas() {
		ids = append(ids, s.ID)
	}
	want := []string{schema.UserURN, schema.GroupURN, schema.EnterpriseUserURN, "urn:ietf:params:scim:schemas:extension:acme:2.0:User"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("schemas (-want +got):\n%s", diff)
	}
	rt := reg.ResourceType("USER")
	if rt == nil || rt.Extension("URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ACME:2.0:USER") == nil {
		t.Fatal("extension not found case-insensitively")
	}
	if got := rt.JSON()["schemaExtensions"].([]any); len(got) != 2 {
		t.Errorf("schemaExtensions = %v, want enterprise and acme", got)
	}
	for _, bad := range []struct{ rt, doc string }{
		{"User", `{`},
		{"User", acme}, // already registered
		{"Device", strings.Replace(acme, "acme", "other", 1)},
		{"User", `{"id":"not-a-urn","attributes":[]}`},
		{"User", `{"id":"urn:x:y","attributes":[{"name":"bad name","type":"string"}]}`},
		{"User", `{"id":"urn:x:z","attributes":[{"name":"a","type":"nosuchtype"}]}`},
	} {
		if err := reg.AddExtensionJSON(bad.rt, []byte(bad.doc)); err == nil {
			t.Errorf("AddExtensionJSON(%s, %.40q) succeeded, want an error", bad.rt, bad.doc)
		}
	}
}

func TestSchemaJSONHasNoNulls(t *testing.T) {
	for _, s := range schema.NewRegistry().Schemas() {
		b, err := json.Marshal(s.JSON())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "null") {
			t.Errorf("%s: JSON contains null: %.200s", s.ID, b)
		}
	}
}
