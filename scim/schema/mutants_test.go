package schema_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim/schema"
)

func TestTypeString(t *testing.T) {
	for _, tc := range []struct {
		t    schema.Type
		want string
	}{
		{schema.String, "string"},
		{schema.Boolean, "boolean"},
		{schema.Complex, "complex"}, // the last known type
		{schema.Complex + 1, "unknown"},
		{255, "unknown"},
	} {
		if got := tc.t.String(); got != tc.want {
			t.Errorf("Type(%d).String() = %q, want %q", tc.t, got, tc.want)
		}
	}
}

const props = `{"id":"urn:example:props","attributes":[
  {"name":"s","type":"string","mutability":"readWrite","returned":"default"},
  {"name":"n","type":"integer","mutability":"readOnly","returned":"always"},
  {"name":"d","type":"dateTime","mutability":"immutable","returned":"never"},
  {"name":"w","type":"binary","mutability":"writeOnly","returned":"request"},
  {"name":"c","type":"complex","multiValued":true,"mutability":"readWrite","returned":"default",
   "subAttributes":[{"name":"Value","type":"string","mutability":"readWrite","returned":"default"}]}]}`

// TestCompiledAttributeProperties checks the properties a schema document
// gives its attributes survive compilation.
func TestCompiledAttributeProperties(t *testing.T) {
	reg := schema.NewRegistry()
	if err := reg.AddExtensionJSON("User", []byte(props)); err != nil {
		t.Fatal(err)
	}
	s := reg.Schema("urn:example:props")
	type prop struct {
		Type       schema.Type
		Mutability schema.Mutability
		Returned   schema.Returned
	}
	for _, tc := range []struct {
		name string
		want prop
	}{
		{"s", prop{schema.String, schema.ReadWrite, schema.ReturnedDefault}},
		{"n", prop{schema.Integer, schema.ReadOnly, schema.ReturnedAlways}},
		{"d", prop{schema.DateTime, schema.Immutable, schema.ReturnedNever}},
		{"w", prop{schema.Binary, schema.WriteOnly, schema.ReturnedRequest}},
		{"c", prop{schema.Complex, schema.ReadWrite, schema.ReturnedDefault}},
	} {
		a := s.Attribute(tc.name)
		if a == nil {
			t.Fatalf("attribute %q missing", tc.name)
		}
		if diff := cmp.Diff(tc.want, prop{a.Type, a.Mutability, a.Returned}); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	if sub := s.Attribute("c").Sub("value"); sub == nil || sub.Name != "Value" {
		t.Errorf("c.Sub(value) = %v, want the sub-attribute Value", sub)
	}
	if sub := s.Attribute("s").Sub("value"); sub != nil {
		t.Errorf("s.Sub(value) = %v on a string attribute, want nil", sub)
	}
}

// TestSchemaJSON checks RFC 7643 §7's rendering: which keys are present
// for which attribute types, and the defaults.
func TestSchemaJSON(t *testing.T) {
	s := &schema.Schema{ID: "urn:example:json", Name: "J", Description: "JSON", Attributes: []*schema.Attribute{
		{Name: "plain", Type: schema.String},
		{Name: "unique", Type: schema.String, CaseExact: true, Uniqueness: "server", Description: "U"},
		{Name: "flag", Type: schema.Boolean},
		{Name: "ref", Type: schema.Reference, ReferenceTypes: []string{"User"}, CanonicalValues: []string{"a"}, Uniqueness: "global"},
		{Name: "comp", Type: schema.Complex, Mutability: schema.ReadOnly, Returned: schema.ReturnedAlways,
			SubAttributes: []*schema.Attribute{{Name: "v", Type: schema.Integer, Required: true}}},
	}}
	base := func(name, typ string) map[string]any {
		return map[string]any{"name": name, "type": typ, "multiValued": false, "required": false,
			"mutability": "readWrite", "returned": "default"}
	}
	with := func(m map[string]any, kv ...any) map[string]any {
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	want := map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Schema"},
		"id":      "urn:example:json", "name": "J", "description": "JSON",
		"attributes": []any{
			with(base("plain", "string"), "caseExact", false, "uniqueness", "none"),
			with(base("unique", "string"), "caseExact", true, "uniqueness", "server", "description", "U"),
			base("flag", "boolean"),
			with(base("ref", "reference"), "caseExact", false, "uniqueness", "global",
				"referenceTypes", []string{"User"}, "canonicalValues", []string{"a"}),
			with(base("comp", "complex"), "mutability", "readOnly", "returned", "always",
				"subAttributes", []any{with(base("v", "integer"), "required", true, "caseExact", false, "uniqueness", "none")}),
		},
	}
	if diff := cmp.Diff(want, s.JSON()); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
	anon := (&schema.Schema{ID: "urn:example:anon"}).JSON()
	for _, k := range []string{"name", "description"} {
		if _, ok := anon[k]; ok {
			t.Errorf("a schema without %s renders %q: %v", k, k, anon[k])
		}
	}
}

func TestResourceTypeJSON(t *testing.T) {
	reg := schema.NewRegistry()
	group := reg.ResourceType("Group").JSON()
	if _, ok := group["schemaExtensions"]; ok {
		t.Errorf("Group has no extensions but renders schemaExtensions: %v", group["schemaExtensions"])
	}
	if group["description"] != "Group" {
		t.Errorf("Group description = %v, want Group", group["description"])
	}
	user := reg.ResourceType("User").JSON()
	want := []any{map[string]any{"schema": schema.EnterpriseUserURN, "required": false}}
	if diff := cmp.Diff(want, user["schemaExtensions"]); diff != "" {
		t.Errorf("User schemaExtensions (-want +got):\n%s", diff)
	}
	dev := &schema.ResourceType{Name: "Device", Endpoint: "/Devices", Schema: &schema.Schema{ID: "urn:example:device"}}
	if err := reg.AddResourceType(dev); err != nil {
		t.Fatal(err)
	}
	if d, ok := dev.JSON()["description"]; ok {
		t.Errorf("a resource type without a description renders one: %v", d)
	}
}

// TestSubAttributeNamesChecked: a bad sub-attribute name is refused even
// after a good sibling.
func TestSubAttributeNamesChecked(t *testing.T) {
	reg := schema.NewRegistry()
	rt := &schema.ResourceType{Name: "Device", Endpoint: "/Devices", Schema: &schema.Schema{ID: "urn:example:device",
		Attributes: []*schema.Attribute{{Name: "c", Type: schema.Complex, SubAttributes: []*schema.Attribute{
			{Name: "ok", Type: schema.String}, {Name: "bad name", Type: schema.String}}}}}}
	if err := reg.AddResourceType(rt); err == nil {
		t.Error("AddResourceType accepted a sub-attribute called \"bad name\"")
	}
}
