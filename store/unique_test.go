package store_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
)

const assetExt = `{"id":"urn:example:2.0:Asset","attributes":[
  {"name":"tag","type":"string","multiValued":false,"required":false,"caseExact":true,"mutability":"readWrite","returned":"default","uniqueness":"server"},
  {"name":"codes","type":"string","multiValued":true,"required":false,"caseExact":true,"mutability":"readWrite","returned":"default","uniqueness":"server"},
  {"name":"size","type":"integer","multiValued":false,"required":false,"mutability":"readWrite","returned":"default","uniqueness":"server"}]}`

// UniqueValues lists what the schema keeps unique: single-valued text
// attributes with uniqueness server, in the core schema or an extension,
// with the key they are compared by.
func TestUniqueValues(t *testing.T) {
	reg := registry(t)
	if err := reg.AddExtensionJSON("User", []byte(assetExt)); err != nil {
		t.Fatal(err)
	}
	rt := reg.ResourceType("User")
	got := store.UniqueValues(rt, map[string]any{
		"userName": "Bjensen", "displayName": "B", "externalId": "x",
		"urn:example:2.0:Asset": map[string]any{"tag": "T-1", "codes": []any{"a"}, "size": 3},
	})
	want := []store.Unique{
		{Attribute: "userName", Value: "Bjensen"},
		{Attribute: "urn:example:2.0:Asset:tag", Value: "T-1", CaseExact: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("UniqueValues (-want +got):\n%s", diff)
	}
	if got[0].Key() != store.FoldKey("bjensen") || got[1].Key() != "T-1" {
		t.Errorf("keys %q, %q", got[0].Key(), got[1].Key())
	}
	if got := store.UniqueValues(rt, map[string]any{"userName": ""}); len(got) != 0 {
		t.Errorf("an empty userName is no unique value: %v", got)
	}
	if g := store.UniqueValues(reg.ResourceType("Group"), map[string]any{"displayName": "Ops"}); len(g) != 1 || g[0].Attribute != "displayName" {
		t.Errorf("a group's displayName is unique in scimkit's schema: %v", g)
	}

	for expr, want := range map[string]struct {
		attr, key string
		whole, ok bool
	}{
		`userName eq "BJensen"`:                         {"userName", store.FoldKey("BJensen"), true, true},
		`userName eq "b" and title pr`:                  {"userName", store.FoldKey("b"), false, true},
		`title pr and urn:example:2.0:Asset:tag eq "T"`: {"urn:example:2.0:Asset:tag", "T", false, true},
		`userName eq "a" or userName eq "b"`:            {},
		`userName co "a"`:                               {},
		`displayName eq "a"`:                            {},
		`urn:example:2.0:Asset:size eq 3`:               {},
		`not (userName eq "a")`:                         {},
	} {
		f, err := compile(t, rt, expr)
		if err != nil {
			t.Fatal(err)
		}
		attr, key, whole, ok := f.UniqueEquality()
		if attr != want.attr || key != want.key || whole != want.whole || ok != want.ok {
			t.Errorf("UniqueEquality(%s) = %q, %q, %v, %v; want %+v", expr, attr, key, whole, ok, want)
		}
	}
}
