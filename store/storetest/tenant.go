package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/scimkit/scimkit/store"
)

func (s *suite) testTenants(t *testing.T) {
	t.Run("another tenant sees nothing", func(t *testing.T) {
		e := s.env(t)
		ctxB := e.tenant(tenantB)
		u := e.create(t, newUser(fullUser("alice@example.com")))
		g := e.create(t, newGroup("Admins", u.ID))
		wantU, wantG := e.get(t, store.User, u.ID), e.get(t, store.Group, g.ID)

		for _, r := range []*store.Resource{wantU, wantG} {
			if got, err := e.s.Get(ctxB, r.Type, r.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("tenant B: Get %s of tenant A: %v, error %v; want ErrNotFound", r.Type, got, err)
			}
			called := false
			_, err := e.s.Update(ctxB, r.Type, r.ID, "", func(*store.Resource) error { called = true; return nil })
			checkErr(t, "tenant B: Update "+r.Type+" of tenant A", err, store.ErrNotFound)
			if called {
				t.Errorf("tenant B: Update %s of tenant A called fn", r.Type)
			}
			checkErr(t, "tenant B: Delete "+r.Type+" of tenant A", e.s.Delete(ctxB, r.Type, r.ID, ""), store.ErrNotFound)
			checkErr(t, "tenant B: Delete "+r.Type+" of tenant A with ifMatch *", e.s.Delete(ctxB, r.Type, r.ID, "*"), store.ErrNotFound)
		}
		for typ, filters := range map[string][]string{
			store.User:  {"", `id eq "` + u.ID + `"`, `userName eq "alice@example.com"`, `externalId eq "` + u.ExternalID + `"`, `userName pr`, `groups pr`},
			store.Group: {"", `id eq "` + g.ID + `"`, `displayName eq "Admins"`, `members eq "` + u.ID + `"`},
		} {
			for _, f := range filters {
				q := store.Query{StartIndex: 1, Count: everything}
				if f != "" {
					q.Filter = compileFilter(t, typ, f)
				}
				page := mustList(t, ctxB, e.s, typ, q)
				if len(page.Resources) != 0 || page.TotalResults != 0 {
					t.Errorf("tenant B: List %s filter=%q: %d resources, TotalResults %d; want none", typ, f, len(page.Resources), page.TotalResults)
				}
			}
		}
		if mp, ok := e.s.(store.MemberPatcher); ok {
			_, err := mp.PatchMembers(ctxB, g.ID, "", nil, []string{u.ID})
			checkErr(t, "tenant B: PatchMembers on a group of tenant A", err, store.ErrNotFound)
		}
		e.checkUnchanged(t, "tenant B", wantU)
		e.checkUnchanged(t, "tenant B", wantG)
	})

	t.Run("members from another tenant are unknown", func(t *testing.T) {
		e := s.env(t)
		ctxB := e.tenant(tenantB)
		u := e.create(t, newUser(attrs{"userName": "alice"}))
		_, err := e.s.Create(ctxB, newGroup("B group", u.ID))
		checkInvalidMember(t, "tenant B: Create with a member of tenant A", err, u.ID)
		gB := mustCreate(t, ctxB, e.s, newGroup("B group"))
		_, err = e.s.Update(ctxB, store.Group, gB.ID, "", func(r *store.Resource) error {
			r.Members = []store.Member{{Value: u.ID}}
			return nil
		})
		checkInvalidMember(t, "tenant B: Update with a member of tenant A", err, u.ID)
		if mp, ok := e.s.(store.MemberPatcher); ok {
			_, err = mp.PatchMembers(ctxB, gB.ID, "", []store.Member{{Value: u.ID}}, nil)
			checkInvalidMember(t, "tenant B: PatchMembers adding a member of tenant A", err, u.ID)
		}
		if got := mustGet(t, ctxB, e.s, store.Group, gB.ID); len(got.Members) != 0 {
			t.Errorf("tenant B group has members %v", got.Members)
		}
		if got := e.get(t, store.User, u.ID); len(got.Groups) != 0 {
			t.Errorf("tenant A user is in groups %v", got.Groups)
		}
	})

	t.Run("same names in two tenants stay apart", func(t *testing.T) {
		e := s.env(t)
		ctxB := e.tenant(tenantB)
		uA := e.create(t, newUser(attrs{"userName": "same", "title": "A"}))
		uB := mustCreate(t, ctxB, e.s, newUser(attrs{"userName": "same", "title": "B"}))
		gA := e.create(t, newGroup("same", uA.ID))
		gB := mustCreate(t, ctxB, e.s, newGroup("same", uB.ID))
		e.update(t, store.User, uA.ID, setUpdate(attrs{"userName": "same", "title": "A2"}))
		if err := e.s.Delete(e.ctx, store.Group, gA.ID, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.s.Delete(e.ctx, store.User, uA.ID, ""); err != nil {
			t.Fatal(err)
		}
		gotU := mustGet(t, ctxB, e.s, store.User, uB.ID)
		if a := decode(t, gotU); a["title"] != "B" {
			t.Errorf("tenant B user title = %v, want B", a["title"])
		}
		if ids := groupIDs(gotU); len(ids) != 1 || ids[0] != gB.ID {
			t.Errorf("tenant B user groups = %v, want [%s]", ids, gB.ID)
		}
		if ids := memberIDs(mustGet(t, ctxB, e.s, store.Group, gB.ID)); len(ids) != 1 || ids[0] != uB.ID {
			t.Errorf("tenant B group members = %v, want [%s]", ids, uB.ID)
		}
		f := compileFilter(t, store.User, `userName eq "same"`)
		if p := mustList(t, ctxB, e.s, store.User, store.Query{Filter: f, Count: 10}); len(p.Resources) != 1 || p.Resources[0].ID != uB.ID {
			t.Errorf("tenant B: userName eq same = %v, want [%s]", ids(p.Resources), uB.ID)
		}
	})

	t.Run("no tenant in context", func(t *testing.T) {
		e := s.env(t)
		u := e.create(t, newUser(attrs{"userName": "alice"}))
		g := e.create(t, newGroup("Admins", u.ID))
		none := context.WithoutCancel(t.Context())
		check := func(what string, got any, isNil bool, err error) {
			t.Helper()
			if !errors.Is(err, store.ErrNoTenant) {
				t.Errorf("%s without a tenant: error = %v, want store.ErrNoTenant", what, err)
			}
			if !isNil {
				t.Errorf("%s without a tenant returned %+v", what, got)
			}
		}
		r, err := e.s.Create(none, newUser(attrs{"userName": "nobody's"}))
		check("Create", r, r == nil, err)
		r, err = e.s.Get(none, store.User, u.ID)
		check("Get", r, r == nil, err)
		called := false
		r, err = e.s.Update(none, store.User, u.ID, "", func(*store.Resource) error { called = true; return nil })
		check("Update", r, r == nil, err)
		if called {
			t.Error("Update without a tenant called fn")
		}
		check("Delete", nil, true, e.s.Delete(none, store.User, u.ID, ""))
		p, err := e.s.List(none, store.User, store.Query{Count: everything})
		check("List", p, p == nil || len(p.Resources) == 0, err)
		if mp, ok := e.s.(store.MemberPatcher); ok {
			r, err = mp.PatchMembers(none, g.ID, "", nil, []string{u.ID})
			check("PatchMembers", r, r == nil, err)
		}
		e.get(t, store.User, u.ID)
		if ids := memberIDs(e.get(t, store.Group, g.ID)); len(ids) != 1 {
			t.Errorf("group members = %v after calls without a tenant", ids)
		}
		if ids := e.allIDs(t, store.User); len(ids) != 1 {
			t.Errorf("tenant A users = %v after a Create without a tenant", ids)
		}
		// Nor did the Create land in a tenant named "".
		if p, err := e.s.List(store.WithTenant(none, ""), store.User, store.Query{Count: everything}); err == nil && len(p.Resources) > 0 {
			t.Errorf(`tenant "" has users %v after a Create without a tenant`, ids(p.Resources))
		}
	})
}
