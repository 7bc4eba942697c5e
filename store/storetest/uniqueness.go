package storetest

import (
	"strings"
	"testing"

	"github.com/scimkit/scimkit/store"
)

func (s *suite) testUniqueness(t *testing.T) {
	t.Run("userName case-insensitive", func(t *testing.T) {
		e := s.env(t)
		first := e.create(t, newUser(attrs{"userName": "Alice@Example.com"}))
		for _, dup := range []string{"Alice@Example.com", "alice@example.com", "ALICE@EXAMPLE.COM"} {
			_, err := e.s.Create(e.ctx, newUser(attrs{"userName": dup}))
			checkConflict(t, "Create "+dup, err, "userName")
		}
		if ids := e.allIDs(t, store.User); len(ids) != 1 || ids[0] != first.ID {
			t.Errorf("users after conflicting creates = %v, want only [%s]", ids, first.ID)
		}
	})

	t.Run("group displayName case-insensitive", func(t *testing.T) {
		e := s.env(t)
		first := e.create(t, newGroup("Sales Team"))
		for _, dup := range []string{"Sales Team", "sales team", "SALES TEAM"} {
			_, err := e.s.Create(e.ctx, newGroup(dup))
			checkConflict(t, "Create group "+dup, err, "displayName")
		}
		if ids := e.allIDs(t, store.Group); len(ids) != 1 || ids[0] != first.ID {
			t.Errorf("groups after conflicting creates = %v, want only [%s]", ids, first.ID)
		}
	})

	t.Run("per tenant", func(t *testing.T) {
		e := s.env(t)
		ctxB := e.tenant(tenantB)
		e.create(t, newUser(attrs{"userName": "shared@example.com"}))
		e.create(t, newGroup("Shared"))
		mustCreate(t, ctxB, e.s, newUser(attrs{"userName": "SHARED@example.com"}))
		mustCreate(t, ctxB, e.s, newGroup("shared"))
		_, err := e.s.Create(ctxB, newUser(attrs{"userName": "shared@EXAMPLE.com"}))
		checkConflict(t, "second Create in tenant B", err, "userName")
	})

	t.Run("user and group may share a name", func(t *testing.T) {
		e := s.env(t)
		e.create(t, newUser(attrs{"userName": "ops", "displayName": "ops"}))
		e.create(t, newGroup("ops"))
		e.create(t, newGroup("Ops Team"))
		e.create(t, newUser(attrs{"userName": "ops team"}))
	})

	t.Run("only userName and group displayName are unique", func(t *testing.T) {
		e := s.env(t)
		e.create(t, newUser(attrs{"userName": "a", "displayName": "Same Name", "externalId": "same-ext"}))
		e.create(t, newUser(attrs{"userName": "b", "displayName": "Same Name", "externalId": "same-ext"}))
		e.create(t, newResource(store.Group, attrs{"displayName": "g1", "externalId": "same-ext"}))
		e.create(t, newResource(store.Group, attrs{"displayName": "g2", "externalId": "same-ext"}))
	})

	t.Run("rename into a taken name", func(t *testing.T) {
		e := s.env(t)
		e.create(t, newUser(attrs{"userName": "taken"}))
		u := e.create(t, newUser(attrs{"userName": "free"}))
		e.create(t, newGroup("Taken"))
		g := e.create(t, newGroup("Free"))
		_, err := e.s.Update(e.ctx, store.User, u.ID, "", setUpdate(attrs{"userName": "TAKEN"}))
		checkConflict(t, "Update userName to TAKEN", err, "userName")
		_, err = e.s.Update(e.ctx, store.Group, g.ID, "", setUpdate(attrs{"displayName": "taken"}))
		checkConflict(t, "Update displayName to taken", err, "displayName")
		e.checkUnchanged(t, "a conflicting Update", u)
		e.checkUnchanged(t, "a conflicting Update", g)
	})

	t.Run("rename to another case of its own name", func(t *testing.T) {
		e := s.env(t)
		u := e.create(t, newUser(attrs{"userName": "alice@example.com"}))
		g := e.create(t, newGroup("admins"))
		if got := e.update(t, store.User, u.ID, setUpdate(attrs{"userName": "Alice@Example.COM"})); got.UniqueValue("userName") != "Alice@Example.COM" {
			t.Errorf("Update: userName = %q", got.UniqueValue("userName"))
		}
		if got := e.update(t, store.Group, g.ID, setUpdate(attrs{"displayName": "Admins"})); got.UniqueValue("displayName") != "Admins" {
			t.Errorf("Update: displayName = %q", got.UniqueValue("displayName"))
		}
		// The name is still taken, in its new spelling.
		_, err := e.s.Create(e.ctx, newUser(attrs{"userName": "alice@example.com"}))
		checkConflict(t, "Create alice@example.com after the rename", err, "userName")
		_, err = e.s.Create(e.ctx, newGroup("ADMINS"))
		checkConflict(t, "Create ADMINS after the rename", err, "displayName")
	})

	t.Run("freed names can be taken", func(t *testing.T) {
		e := s.env(t)
		renamed := e.create(t, newUser(attrs{"userName": "old-name"}))
		deleted := e.create(t, newUser(attrs{"userName": "deleted-name"}))
		renamedG := e.create(t, newGroup("old group"))
		deletedG := e.create(t, newGroup("deleted group"))
		e.update(t, store.User, renamed.ID, setUpdate(attrs{"userName": "new-name"}))
		e.update(t, store.Group, renamedG.ID, setUpdate(attrs{"displayName": "new group"}))
		for _, r := range []*store.Resource{deleted, deletedG} {
			if err := e.s.Delete(e.ctx, r.Type, r.ID, ""); err != nil {
				t.Fatalf("Delete: %v", err)
			}
		}
		e.create(t, newUser(attrs{"userName": "OLD-NAME"}))
		e.create(t, newUser(attrs{"userName": "Deleted-Name"}))
		e.create(t, newGroup("Old Group"))
		e.create(t, newGroup("Deleted Group"))
	})

	// Two names clash exactly when the filter `userName eq` (and
	// `displayName eq` for groups) would match one with the other: the
	// Unicode simple case folding of strings.EqualFold. Otherwise Entra's
	// "GET ?filter=userName eq …, then POST" either finds nothing and gets
	// a 409, or creates a second account for one person.
	t.Run("name folding agrees with filter eq", func(t *testing.T) {
		cases := []struct{ first, second string }{
			{"Νικόλας", "ΝΙΚΌΛΑΣ"},               // final sigma ς and capital Σ fold together
			{"Kelvin", "\u212aelvin"},            // KELVIN SIGN folds with K
			{"İnan", "inan"},                     // U+0130 has no simple case folding to i
			{"straße", "STRASSE"},                // ß is not SS under simple folding
			{"Ǆemal", "ǆemal"},                   // title case and lower case digraphs
			{"ﬃ@example.com", "ffi@example.com"}, // ligature: no simple folding
		}
		e := s.env(t)
		for _, c := range cases {
			for _, typ := range []string{store.User, store.Group} {
				attr, mk := "userName", func(n string) *store.Resource { return newUser(attrs{"userName": n}) }
				if typ == store.Group {
					attr, mk = "displayName", func(n string) *store.Resource { return newGroup(n) }
				}
				first := e.create(t, mk(c.first))
				clash := compileFilter(t, typ, attr+` eq "`+c.second+`"`)
				matches, err := clash.Match(e.get(t, typ, first.ID))
				if err != nil {
					t.Fatal(err)
				}
				_, err = e.s.Create(e.ctx, mk(c.second))
				switch {
				case matches && err == nil:
					t.Errorf("%s %q created beside %q, though %s eq %q matches %q", typ, c.second, c.first, attr, c.second, c.first)
				case matches:
					checkConflict(t, "Create "+typ+" "+c.second, err, attr)
				case err != nil:
					t.Errorf("%s %q refused beside %q (%v), though %s eq %q does not match %q", typ, c.second, c.first, err, attr, c.second, c.first)
				}
				if strings.EqualFold(c.first, c.second) != matches {
					t.Fatalf("test setup: filter and strings.EqualFold disagree on %q and %q", c.first, c.second)
				}
			}
		}
	})
}
