package store_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
)

func TestChangedPaths(t *testing.T) {
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	for _, tc := range []struct {
		name          string
		before, after string
		want          []string
	}{
		{"nothing", `{"userName":"a","active":true}`, `{"active":true,"userName":"a"}`, nil},
		{"whitespace and key order", `{"name":{"givenName":"A","familyName":"B"}}`, `{"name": {"familyName":"B", "givenName":"A"}}`, nil},
		{"a value", `{"displayName":"A"}`, `{"displayName":"B"}`, []string{"displayName"}},
		{"added and removed", `{"title":"x"}`, `{"nickName":"y"}`, []string{"nickName", "title"}},
		{"a sub-attribute", `{"name":{"givenName":"A","familyName":"B"}}`, `{"name":{"givenName":"C","familyName":"B"}}`, []string{"name.givenName"}},
		{"a multi-valued attribute is one path", `{"emails":[{"value":"a@x"}]}`, `{"emails":[{"value":"b@x"}]}`, []string{"emails"}},
		{"an extension's attribute", `{"` + ent + `":{"department":"A","manager":{"value":"1"}}}`, `{"` + ent + `":{"department":"A","manager":{"value":"2"}}}`, []string{ent + ":manager"}},
		{"an extension added", `{}`, `{"` + ent + `":{"department":"A"}}`, []string{ent}},
		{"case of a key is not a change", `{"displayName":"A"}`, `{"displayname":"A"}`, nil},
		{"numbers equal as JSON", `{"n":1.0}`, `{"n":1}`, nil},
		{"from nothing", ``, `{"a":1}`, []string{"a"}},
		{"an array spaced differently", `{"emails":[{"value":"a","type":"work"}]}`, `{"emails": [ {"type": "work", "value": "a"} ]}`, nil},
		{"an array one longer", `{"emails":[{"value":"a"}]}`, `{"emails":[{"value":"a"},{"value":"b"}]}`, []string{"emails"}},
		{"an object in an extension in another order", `{"` + ent + `":{"manager":{"value":"1","displayName":"M"}}}`, `{"` + ent + `":{"manager":{"displayName":"M","value":"1"}}}`, nil},
		{"an object with one more key", `{"` + ent + `":{"manager":{"value":"1"}}}`, `{"` + ent + `":{"manager":{"value":"1","displayName":"M"}}}`, []string{ent + ":manager"}},
		{"an array becomes an object", `{"x":[1]}`, `{"x":{"a":1}}`, []string{"x"}},
		{"the stored form of a user, and a PATCH of its title", benchStoredBefore, benchWrittenAfter, []string{"title"}},
		{"an escaped string and the same string", `{"title":"caf\u00e9"}`, `{"title":"café"}`, nil},
		{"a repeated key: the last value counts", `{"name":{"givenName":"A","givenName":"B"}}`, `{"name":{"givenName":"B"}}`, nil},
	} {
		got := store.ChangedPaths(json.RawMessage(tc.before), json.RawMessage(tc.after))
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestChanges(t *testing.T) {
	user := func(attrs string) *store.Resource {
		return &store.Resource{Type: store.User, ID: "u", Version: "2", Attributes: json.RawMessage(attrs)}
	}
	kinds := func(evs []store.Event) []store.EventKind {
		var ks []store.EventKind
		for _, e := range evs {
			ks = append(ks, e.Kind)
		}
		return ks
	}
	for _, tc := range []struct {
		name          string
		before, after *store.Resource
		want          []store.EventKind
	}{
		{"create", nil, user(`{"active":true}`), []store.EventKind{store.Created}},
		{"disable", user(`{"active":true}`), user(`{"active":false}`), []store.EventKind{store.Deactivated}},
		{"disable from absent", user(`{}`), user(`{"active":false}`), []store.EventKind{store.Deactivated}},
		{"enable", user(`{"active":false}`), user(`{"active":true}`), []store.EventKind{store.Reactivated}},
		{"enable by removing active", user(`{"active":false}`), user(`{}`), []store.EventKind{store.Reactivated}},
		{"active set to true from absent", user(`{}`), user(`{"active":true}`), []store.EventKind{store.Updated}},
		{"no change", user(`{"active":false}`), user(`{"active":false}`), nil},
		{"delete", &store.Resource{Type: store.User, ID: "u", Groups: []store.GroupRef{{Value: "g1"}, {Value: "g2"}}}, nil,
			[]store.EventKind{store.Deleted, store.MemberRemoved, store.MemberRemoved}},
		{"group members", &store.Resource{Type: store.Group, ID: "g", Members: []store.Member{{Value: "a"}, {Value: "b"}}},
			&store.Resource{Type: store.Group, ID: "g", Members: []store.Member{{Value: "b"}, {Value: "c"}}},
			[]store.EventKind{store.MemberAdded, store.MemberRemoved}},
		{"group created with a member", nil, &store.Resource{Type: store.Group, ID: "g", Members: []store.Member{{Value: "a"}}},
			[]store.EventKind{store.Created, store.MemberAdded}},
		{"neither", nil, nil, nil},
	} {
		evs := store.Changes(tc.before, tc.after)
		if diff := cmp.Diff(tc.want, kinds(evs)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	evs := store.Changes(&store.Resource{Type: store.User, ID: "u", Display: "Ada", Groups: []store.GroupRef{{Value: "g1"}}}, nil)
	if m := evs[1].Member; evs[1].ResourceID != "g1" || evs[1].Type != store.Group || m == nil || *m != (store.Member{Value: "u", Type: store.User, Display: "Ada"}) {
		t.Errorf("a deleted user leaving g1: %+v (member %+v)", evs[1], m)
	}
}
