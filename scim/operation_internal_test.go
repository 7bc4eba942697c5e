package scim

import (
	"testing"

	"github.com/scimkit/scimkit/scim/schema"
)

func TestFilterOperation(t *testing.T) {
	reg := schema.NewRegistry()
	user, group := reg.ResourceType("User"), reg.ResourceType("Group")
	tests := []struct {
		rt     *schema.ResourceType
		filter string
		want   Operation
	}{
		{user, `userName eq "7f3c2a51-0e7b-4c77-9c1d-2f2a9d0c9a1e"`, OperationTestConnection},
		{user, `USERNAME EQ "7F3C2A51-0E7B-4C77-9C1D-2F2A9D0C9A1E"`, OperationTestConnection},
		{user, `externalId eq "7f3c2a51-0e7b-4c77-9c1d-2f2a9d0c9a1e"`, OperationMatch},
		{group, `displayName eq "7f3c2a51-0e7b-4c77-9c1d-2f2a9d0c9a1e"`, OperationTestConnection},
		{user, `displayName eq "7f3c2a51-0e7b-4c77-9c1d-2f2a9d0c9a1e"`, OperationMatch},
		{user, `userName eq "jdoe@contoso.com"`, OperationMatch},
		{user, `externalId eq jyoung`, OperationMatch},
		{user, `emails[type eq "work"].value eq "a b@contoso.com"`, OperationMatch},
		{user, `userName eq "with \" quote and space"`, OperationMatch},
		{user, `userName eq "a" and active eq true`, OperationList},
		{user, `userName sw "a"`, OperationList},
		{user, `userName eq`, OperationList},
		{user, `userName eq "unterminated`, OperationList},
		{user, ``, OperationList},
	}
	for _, tt := range tests {
		if got := filterOperation(tt.rt, tt.filter); got != tt.want {
			t.Errorf("filterOperation(%s, %s) = %q, want %q", tt.rt.Name, tt.filter, got, tt.want)
		}
	}
}

// FuzzSingleEquality: any filter is classified without a panic, and a
// recognised equality's parts come from the filter.
func FuzzSingleEquality(f *testing.F) {
	for _, s := range []string{`userName eq "x"`, `emails[type eq "work"].value eq "a"`, `a eq "\"`, `[[ eq ]]`, `a eq b eq c`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, filter string) {
		attr, value, ok := singleEquality(filter)
		if !ok {
			return
		}
		if attr == "" || len(attr)+len(value) > len(filter) {
			t.Errorf("singleEquality(%q) = %q, %q", filter, attr, value)
		}
	})
}
