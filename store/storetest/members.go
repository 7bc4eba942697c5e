package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
)

// checkMembers fails unless group gid has exactly the members want, in
// order.
func (e *env) checkMembers(t testing.TB, gid string, want ...store.Member) *store.Resource {
	t.Helper()
	g := e.get(t, store.Group, gid)
	if diff := cmp.Diff(want, g.Members, cmpEmpty); diff != "" {
		t.Errorf("group %s members (-want +got):\n%s", gid, diff)
	}
	return g
}

// checkGroups fails unless user uid's groups are exactly want (in any
// order).
func (e *env) checkGroups(t testing.TB, uid string, want ...store.GroupRef) {
	t.Helper()
	u := e.get(t, store.User, uid)
	if diff := cmp.Diff(want, u.Groups, resourceOpts); diff != "" {
		t.Errorf("user %s groups (-want +got):\n%s", uid, diff)
	}
}

func (s *suite) testMembership(t *testing.T) {
	// setup creates users u0 "Ann Smith" (displayName), u1 "bob" (no
	// displayName), u2 "Cy" and an empty group "Nested".
	setup := func(t *testing.T) (e *env, u []*store.Resource, nested *store.Resource) {
		e = s.env(t)
		u = []*store.Resource{
			e.create(t, newUser(attrs{"userName": "ann", "displayName": "Ann Smith"})),
			e.create(t, newUser(attrs{"userName": "bob"})),
			e.create(t, newUser(attrs{"userName": "cy", "displayName": "Cy"})),
		}
		nested = e.create(t, newGroup("Nested"))
		return e, u, nested
	}

	t.Run("create with members", func(t *testing.T) {
		e, u, nested := setup(t)
		in := newGroup("Team")
		in.Members = []store.Member{
			{Value: u[1].ID},
			{Value: u[0].ID, Display: "Annie"},
			{Value: nested.ID},
		}
		g := e.create(t, in)
		want := []store.Member{
			{Value: u[1].ID, Type: store.User, Display: "bob"},
			{Value: u[0].ID, Type: store.User, Display: "Annie"},
			{Value: nested.ID, Type: store.Group, Display: "Nested"},
		}
		if diff := cmp.Diff(want, g.Members); diff != "" {
			t.Errorf("Create: members (-want +got):\n%s", diff)
		}
		e.checkMembers(t, g.ID, want...)
		e.checkGroups(t, u[0].ID, store.GroupRef{Value: g.ID, Display: "Team"})
		e.checkGroups(t, u[1].ID, store.GroupRef{Value: g.ID, Display: "Team"})
		e.checkGroups(t, u[2].ID)
		if r := e.get(t, store.Group, nested.ID); len(r.Groups) != 0 || len(r.Members) != 0 {
			t.Errorf("nested group: Groups %v, Members %v; want none (groups have no groups attribute)", r.Groups, r.Members)
		}
	})

	t.Run("duplicate members stored once", func(t *testing.T) {
		e, u, _ := setup(t)
		g := e.create(t, newGroup("Dups", u[0].ID, u[1].ID, u[0].ID))
		e.checkMembers(t, g.ID,
			store.Member{Value: u[0].ID, Type: store.User, Display: "Ann Smith"},
			store.Member{Value: u[1].ID, Type: store.User, Display: "bob"})
		e.checkGroups(t, u[0].ID, store.GroupRef{Value: g.ID, Display: "Dups"})
	})

	t.Run("unknown member", func(t *testing.T) {
		e, u, _ := setup(t)
		_, err := e.s.Create(e.ctx, newGroup("Bad", u[0].ID, "no-such-id", u[1].ID, "00000000-0000-0000-0000-000000000000"))
		checkInvalidMember(t, "Create with unknown members", err, "no-such-id", "00000000-0000-0000-0000-000000000000")
		if ids := e.allIDs(t, store.Group); len(ids) != 1 {
			t.Errorf("groups after a failed Create: %v, want only Nested", ids)
		}
		e.checkGroups(t, u[0].ID)
		e.checkGroups(t, u[1].ID)
		// A name taken by the failed Create is free.
		e.create(t, newGroup("Bad"))
	})

	t.Run("derived display follows renames", func(t *testing.T) {
		e, u, nested := setup(t)
		g := e.create(t, newGroup("Team", u[0].ID, u[1].ID, nested.ID))
		e.update(t, store.User, u[0].ID, setUpdate(attrs{"userName": "ann", "displayName": "Ann Jones"}))
		e.update(t, store.User, u[1].ID, setUpdate(attrs{"userName": "robert"}))
		e.update(t, store.Group, nested.ID, setUpdate(attrs{"displayName": "Inner"}))
		e.checkMembers(t, g.ID,
			store.Member{Value: u[0].ID, Type: store.User, Display: "Ann Jones"},
			store.Member{Value: u[1].ID, Type: store.User, Display: "robert"},
			store.Member{Value: nested.ID, Type: store.Group, Display: "Inner"})
		e.update(t, store.Group, g.ID, setUpdate(attrs{"displayName": "Renamed Team"}))
		e.checkGroups(t, u[0].ID, store.GroupRef{Value: g.ID, Display: "Renamed Team"})
	})

	t.Run("update replaces members", func(t *testing.T) {
		e, u, nested := setup(t)
		g := e.create(t, newGroup("Team", u[0].ID, u[1].ID))
		got := e.update(t, store.Group, g.ID, func(r *store.Resource) error {
			r.Members = []store.Member{{Value: u[1].ID}, {Value: u[2].ID}, {Value: nested.ID}}
			return nil
		})
		if got.Version == g.Version {
			t.Errorf("Update of members: Version stayed %q", got.Version)
		}
		if diff := cmp.Diff(sorted([]string{u[1].ID, u[2].ID, nested.ID}), sorted(memberIDs(got))); diff != "" {
			t.Errorf("Update returned members (-want +got):\n%s", diff)
		}
		e.checkGroups(t, u[0].ID)
		e.checkGroups(t, u[1].ID, store.GroupRef{Value: g.ID, Display: "Team"})
		e.checkGroups(t, u[2].ID, store.GroupRef{Value: g.ID, Display: "Team"})

		e.update(t, store.Group, g.ID, func(r *store.Resource) error { r.Members = nil; return nil })
		e.checkMembers(t, g.ID)
		for _, x := range u {
			e.checkGroups(t, x.ID)
		}
	})

	t.Run("update keeps members it is not told about", func(t *testing.T) {
		e, u, _ := setup(t)
		g := e.create(t, newGroup("Team", u[0].ID, u[1].ID))
		e.update(t, store.Group, g.ID, func(r *store.Resource) error {
			return modify(r, func(a attrs) { a["displayName"] = "Team 2" })
		})
		e.checkMembers(t, g.ID,
			store.Member{Value: u[0].ID, Type: store.User, Display: "Ann Smith"},
			store.Member{Value: u[1].ID, Type: store.User, Display: "bob"})
	})

	t.Run("update with an unknown member", func(t *testing.T) {
		e, u, _ := setup(t)
		g := e.create(t, newGroup("Team", u[0].ID))
		was := clone(e.get(t, store.Group, g.ID))
		_, err := e.s.Update(e.ctx, store.Group, g.ID, "", func(r *store.Resource) error {
			r.Members = append(r.Members, store.Member{Value: u[1].ID}, store.Member{Value: "ghost"})
			return nil
		})
		checkInvalidMember(t, "Update adding a ghost", err, "ghost")
		e.checkUnchanged(t, "a failed Update", was)
		e.checkGroups(t, u[1].ID)
	})

	t.Run("deleted user leaves every group", func(t *testing.T) {
		e, u, nested := setup(t)
		g1 := e.create(t, newGroup("One", u[0].ID, u[1].ID))
		g2 := e.create(t, newGroup("Two", u[1].ID, nested.ID))
		e.update(t, store.Group, nested.ID, func(r *store.Resource) error {
			r.Members = []store.Member{{Value: u[1].ID}}
			return nil
		})
		before := map[string]*store.Resource{}
		for _, id := range []string{g1.ID, g2.ID, nested.ID} {
			before[id] = e.get(t, store.Group, id)
		}
		time.Sleep(2 * time.Millisecond)
		if err := e.s.Delete(e.ctx, store.User, u[1].ID, ""); err != nil {
			t.Fatal(err)
		}
		e.checkMembers(t, g1.ID, store.Member{Value: u[0].ID, Type: store.User, Display: "Ann Smith"})
		e.checkMembers(t, g2.ID, store.Member{Value: nested.ID, Type: store.Group, Display: "Nested"})
		e.checkMembers(t, nested.ID)
		for id, was := range before {
			now := e.get(t, store.Group, id)
			if now.Version == was.Version {
				t.Errorf("group %q lost a member but kept Version %q", was.Display, was.Version)
			}
			if now.LastModified.Before(was.LastModified) {
				t.Errorf("group %q: LastModified went back from %v to %v", was.Display, was.LastModified, now.LastModified)
			}
		}
		for _, f := range []string{`members eq "` + u[1].ID + `"`, `members.value eq "` + u[1].ID + `"`} {
			if got := e.all(t, store.Group, store.Query{Filter: compileFilter(t, store.Group, f)}); len(got) != 0 {
				t.Errorf("filter %s still finds %v", f, ids(got))
			}
		}
		// The id is unknown now.
		_, err := e.s.Update(e.ctx, store.Group, g1.ID, "", func(r *store.Resource) error {
			r.Members = append(r.Members, store.Member{Value: u[1].ID})
			return nil
		})
		checkInvalidMember(t, "adding the deleted user", err, u[1].ID)
	})

	t.Run("deleted group leaves its members and parents", func(t *testing.T) {
		e, u, nested := setup(t)
		inner := e.create(t, newGroup("Inner", u[0].ID, u[1].ID))
		outer := e.create(t, newGroup("Outer", inner.ID, u[0].ID))
		e.update(t, store.Group, nested.ID, func(r *store.Resource) error {
			r.Members = []store.Member{{Value: inner.ID}}
			return nil
		})
		was := e.get(t, store.Group, outer.ID)
		if err := e.s.Delete(e.ctx, store.Group, inner.ID, ""); err != nil {
			t.Fatal(err)
		}
		e.checkGroups(t, u[0].ID, store.GroupRef{Value: outer.ID, Display: "Outer"})
		e.checkGroups(t, u[1].ID)
		now := e.checkMembers(t, outer.ID, store.Member{Value: u[0].ID, Type: store.User, Display: "Ann Smith"})
		if now.Version == was.Version {
			t.Errorf("group Outer lost a member but kept Version %q", was.Version)
		}
		e.checkMembers(t, nested.ID)
		if got := e.all(t, store.User, store.Query{Filter: compileFilter(t, store.User, `groups eq "`+inner.ID+`"`)}); len(got) != 0 {
			t.Errorf("groups eq deleted group still finds %v", ids(got))
		}
	})
}

func (s *suite) testMemberPatcher(t *testing.T) {
	if _, ok := s.newStore(t).(store.MemberPatcher); !ok {
		t.Skip("the store does not implement store.MemberPatcher")
	}
	setup := func(t *testing.T) (e *env, mp store.MemberPatcher, u []*store.Resource, g *store.Resource) {
		e = s.env(t)
		mp = e.s.(store.MemberPatcher)
		for _, n := range []string{"ann", "bob", "cy", "di"} {
			u = append(u, e.create(t, newUser(attrs{"userName": n})))
		}
		g = e.create(t, newGroup("Team", u[0].ID))
		return e, mp, u, g
	}
	member := func(r *store.Resource) store.Member {
		return store.Member{Value: r.ID, Type: r.Type, Display: r.Display}
	}

	t.Run("add", func(t *testing.T) {
		e, mp, u, g := setup(t)
		sub := e.create(t, newGroup("Sub"))
		got, err := mp.PatchMembers(e.ctx, g.ID, "", []store.Member{{Value: u[2].ID}, {Value: sub.ID}, {Value: u[1].ID, Display: "Bobby"}}, nil)
		if err != nil {
			t.Fatalf("PatchMembers: %v", err)
		}
		if got == nil {
			t.Fatal("PatchMembers returned nil")
		}
		now := e.checkMembers(t, g.ID, member(u[0]), member(u[2]), store.Member{Value: sub.ID, Type: store.Group, Display: "Sub"},
			store.Member{Value: u[1].ID, Type: store.User, Display: "Bobby"})
		if got.ID != g.ID || got.Version != now.Version || !got.LastModified.Equal(now.LastModified) {
			t.Errorf("PatchMembers returned ID, Version, LastModified %q, %q, %v; Get says %q, %q, %v",
				got.ID, got.Version, got.LastModified, now.ID, now.Version, now.LastModified)
		}
		if now.Version == g.Version {
			t.Errorf("PatchMembers: Version stayed %q", g.Version)
		}
		if len(got.Members) != 0 {
			t.Errorf("PatchMembers returned %d members; the contract says none", len(got.Members))
		}
		for _, x := range []*store.Resource{u[1], u[2]} {
			e.checkGroups(t, x.ID, store.GroupRef{Value: g.ID, Display: "Team"})
		}
		e.checkGroups(t, u[3].ID)
	})

	t.Run("add is idempotent", func(t *testing.T) {
		e, mp, u, g := setup(t)
		for range 2 {
			if _, err := mp.PatchMembers(e.ctx, g.ID, "", []store.Member{{Value: u[1].ID}, {Value: u[0].ID}, {Value: u[1].ID}}, nil); err != nil {
				t.Fatalf("PatchMembers: %v", err)
			}
		}
		e.checkMembers(t, g.ID, member(u[0]), member(u[1]))
		// A display given replaces the stored one; the member keeps its place.
		if _, err := mp.PatchMembers(e.ctx, g.ID, "", []store.Member{{Value: u[0].ID, Display: "Ann!"}}, nil); err != nil {
			t.Fatalf("PatchMembers: %v", err)
		}
		e.checkMembers(t, g.ID, store.Member{Value: u[0].ID, Type: store.User, Display: "Ann!"}, member(u[1]))
	})

	t.Run("remove", func(t *testing.T) {
		e, mp, u, g := setup(t)
		if _, err := mp.PatchMembers(e.ctx, g.ID, "", []store.Member{{Value: u[1].ID}, {Value: u[2].ID}}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := mp.PatchMembers(e.ctx, g.ID, "", nil, []string{u[1].ID, u[3].ID, "no-such-id"}); err != nil {
			t.Fatalf("PatchMembers removing a member, a non-member and an unknown id: %v", err)
		}
		e.checkMembers(t, g.ID, member(u[0]), member(u[2]))
		e.checkGroups(t, u[1].ID)
		e.checkGroups(t, u[2].ID, store.GroupRef{Value: g.ID, Display: "Team"})
	})

	t.Run("add then remove in one call", func(t *testing.T) {
		e, mp, u, g := setup(t)
		if _, err := mp.PatchMembers(e.ctx, g.ID, "", []store.Member{{Value: u[1].ID}}, []string{u[0].ID}); err != nil {
			t.Fatal(err)
		}
		e.checkMembers(t, g.ID, member(u[1]))
		e.checkGroups(t, u[0].ID)
	})

	t.Run("unknown member changes nothing", func(t *testing.T) {
		e, mp, u, g := setup(t)
		was := e.get(t, store.Group, g.ID)
		_, err := mp.PatchMembers(e.ctx, g.ID, "", []store.Member{{Value: u[1].ID}, {Value: "ghost-1"}, {Value: "ghost-2"}}, []string{u[0].ID})
		checkInvalidMember(t, "PatchMembers with ghosts", err, "ghost-1", "ghost-2")
		e.checkUnchanged(t, "a failed PatchMembers", was)
		e.checkGroups(t, u[0].ID, store.GroupRef{Value: g.ID, Display: "Team"})
		e.checkGroups(t, u[1].ID)
	})

	t.Run("ifMatch", func(t *testing.T) {
		e, mp, u, g := setup(t)
		stale := g.Version
		cur := e.update(t, store.Group, g.ID, func(r *store.Resource) error { return modify(r, func(a attrs) { a["externalId"] = "x" }) })
		_, err := mp.PatchMembers(e.ctx, g.ID, stale, []store.Member{{Value: u[1].ID}}, []string{u[0].ID})
		checkErr(t, "PatchMembers with a stale ifMatch", err, store.ErrPrecondition)
		e.checkUnchanged(t, "PatchMembers with a stale ifMatch", cur)
		e.checkGroups(t, u[1].ID)
		for _, ifMatch := range []func(version string) string{
			func(v string) string { return v },
			func(string) string { return "*" },
			func(v string) string { return stale + ", " + v },
		} {
			ifMatch := ifMatch(cur.Version)
			got, err := mp.PatchMembers(e.ctx, g.ID, ifMatch, []store.Member{{Value: u[1].ID}}, nil)
			if err != nil {
				t.Errorf("PatchMembers with ifMatch %q (version %q): %v", ifMatch, cur.Version, err)
				continue
			}
			cur = e.get(t, store.Group, g.ID)
			if got.Version != cur.Version {
				t.Errorf("PatchMembers returned Version %q, Get says %q", got.Version, cur.Version)
			}
		}
	})

	t.Run("not a group", func(t *testing.T) {
		e, mp, u, _ := setup(t)
		for _, id := range []string{u[0].ID, "no-such-group", ""} {
			_, err := mp.PatchMembers(e.ctx, id, "", []store.Member{{Value: u[1].ID}}, nil)
			checkErr(t, "PatchMembers on "+id, err, store.ErrNotFound)
		}
		e.checkGroups(t, u[1].ID)
	})
}
