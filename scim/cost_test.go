package scim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// noMemberPatcher hides the store's MemberPatcher, so every group PATCH
// takes the general path.
type noMemberPatcher struct{ store.Store }

// Okta re-sends a group's name with each membership update, so a PATCH of
// many member changes to a large group takes the general path. Each change
// must cost what it changes, not the group's size: with a work limit just
// above one pass over the group, 300 changes to a group of 3,000 pass.
func TestMembershipPatchOnLargeGroupCostsItsChanges(t *testing.T) {
	h := newHandler(t, func(c *scim.Config) {
		c.Store = noMemberPatcher{c.Store}
		c.Limits.MaxPatchWork = 5_000
	})
	var ids []string
	for i := range 3100 {
		ids = append(ids, createUser(t, h, userBody(fmt.Sprintf("m%04d@example.com", i))))
	}
	members := make([]string, 3000)
	for i := range members {
		members[i] = fmt.Sprintf(`{"value":%q}`, ids[i])
	}
	gid := createGroup(t, h, fmt.Sprintf(`{"displayName":"Big","members":[%s]}`, strings.Join(members, ",")))

	ops := []string{fmt.Sprintf(`{"op":"replace","value":{"id":%q,"displayName":"Big"}}`, gid)}
	for i := range 200 {
		ops = append(ops, fmt.Sprintf(`{"op":"remove","path":"members[value eq \"%s\"]"}`, ids[i]))
	}
	var add []string
	for _, id := range ids[3000:] {
		add = append(add, fmt.Sprintf(`{"value":%q}`, id))
	}
	ops = append(ops, `{"op":"add","path":"members","value":[`+strings.Join(add, ",")+`]}`)
	ops = append(ops, fmt.Sprintf(`{"op":"remove","path":"members","value":[{"value":%q}]}`, ids[3099])) // Entra's form
	patchOK(t, h, "/Groups/"+gid, patchBody(ops...))

	g := fetch(t, h, "/Groups/"+gid)
	got := map[string]bool{}
	for _, m := range list(g.body, "members") {
		got[str(m, "value")] = true
	}
	if len(got) != 3000-200+100-1 {
		t.Fatalf("%d members after the PATCH, want %d", len(got), 3000-200+100-1)
	}
	for i, id := range ids {
		want := i >= 200 && i != 3099
		if got[id] != want {
			t.Fatalf("member %d (%s) present = %v, want %v", i, id, got[id], want)
		}
	}
	// Member order is kept: the survivors first, in their order, then the added.
	if first := str(g.body, "members.0.value"); first != ids[200] {
		t.Errorf("first member %s, want %s", first, ids[200])
	}

	// The same changes one pass per operation would cost 200 × 3,000: over the limit.
	removes := []string{}
	for i := 200; i < 1400; i++ {
		removes = append(removes, fmt.Sprintf(`{"op":"replace","path":"members[value eq \"%s\"].display","value":"x"}`, ids[i]))
	}
	r := do(t, h, http.MethodPatch, "/Groups/"+gid, patchBody(removes...))
	checkError(t, r, http.StatusRequestEntityTooLarge, "", "several smaller requests")
}
