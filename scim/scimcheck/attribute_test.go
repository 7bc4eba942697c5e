package scimcheck_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/scim/scimcheck"
)

// graphSchema is the shape of Entra's provisioning schema export (Graph
// synchronizationSchema), trimmed.
const graphSchema = `{
  "directories": [],
  "synchronizationRules": [{
    "name": "USER_OUTBOUND_SCIM",
    "objectMappings": [
      {"enabled": true, "sourceObjectName": "User", "targetObjectName": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
       "attributeMappings": [
         {"source": {"expression": "[userPrincipalName]"}, "targetAttributeName": "userName"},
         {"targetAttributeName": "emails[type eq \"work\"].value"},
         {"targetAttributeName": "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:tag"},
         {"targetAttributeName": "userName"}
       ]},
      {"enabled": true, "sourceObjectName": "Group", "targetObjectName": "urn:ietf:params:scim:schemas:core:2.0:Group",
       "attributeMappings": [{"targetAttributeName": "displayName"}, {"targetAttributeName": "members"}]},
      {"enabled": false, "sourceObjectName": "Contact", "targetObjectName": "Contact",
       "attributeMappings": [{"targetAttributeName": "ignored"}]}
    ]}]
}`

func TestParseMapping(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []scimcheck.Attribute
	}{
		{"graph schema export", graphSchema, []scimcheck.Attribute{
			{Resource: "User", Name: "userName"},
			{Resource: "User", Name: `emails[type eq "work"].value`},
			{Resource: "User", Name: "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:tag"},
			{Resource: "Group", Name: "displayName"},
			{Resource: "Group", Name: "members"},
		}},
		{"text", "# my mapping\nuserName\n\nUser name.givenName\r\nGroup externalId\nurn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter\n", []scimcheck.Attribute{
			{Resource: "User", Name: "userName"},
			{Resource: "User", Name: "name.givenName"},
			{Resource: "Group", Name: "externalId"},
			{Resource: "User", Name: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := scimcheck.ParseMapping([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
	for _, bad := range []string{"", "# nothing\n\n", "{", `{"synchronizationRules": []}`, `{"synchronizationRules": "x"}`, "user\x00Name", strings.Repeat("a", 600)} {
		if _, err := scimcheck.ParseMapping([]byte(bad)); !errors.Is(err, scimcheck.ErrMapping) {
			t.Errorf("%.30q: error %v, want ErrMapping", bad, err)
		}
	}
}

func FuzzParseMapping(f *testing.F) {
	f.Add([]byte(graphSchema))
	f.Add([]byte("userName\nGroup displayName\n"))
	f.Add([]byte(`{"synchronizationRules":[{"objectMappings":[{"attributeMappings":[{"targetAttributeName":"a[b"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		attrs, err := scimcheck.ParseMapping(data)
		if err != nil {
			if !errors.Is(err, scimcheck.ErrMapping) {
				t.Fatalf("error %v does not wrap ErrMapping", err)
			}
			return
		}
		if len(attrs) == 0 {
			t.Fatal("no error and no attribute")
		}
		for _, a := range attrs {
			if a.Name == "" || (a.Resource != "User" && a.Resource != "Group") {
				t.Fatalf("attribute %+v", a)
			}
		}
	})
}
