package storetest

import (
	"errors"
	"strconv"
	"testing"

	"github.com/scimkit/scimkit/store"
)

func (s *suite) testPreconditions(t *testing.T) {
	// setup returns a user at its second version and the first version.
	setup := func(t *testing.T) (e *env, cur *store.Resource, stale string) {
		e = s.env(t)
		first := e.create(t, newUser(attrs{"userName": "pre", "title": "one"}))
		cur = e.update(t, store.User, first.ID, setUpdate(attrs{"userName": "pre", "title": "two"}))
		if cur.Version == first.Version {
			t.Fatalf("Update did not change Version %q", cur.Version)
		}
		return e, cur, first.Version
	}

	t.Run("stale ifMatch fails Update", func(t *testing.T) {
		e, cur, stale := setup(t)
		for _, ifMatch := range []string{stale, "not-a-version", stale + "," + stale + "x"} {
			called := false
			_, err := e.s.Update(e.ctx, store.User, cur.ID, ifMatch, func(r *store.Resource) error {
				called = true
				return modify(r, func(a attrs) { a["title"] = "three" })
			})
			checkErr(t, "Update with ifMatch "+ifMatch, err, store.ErrPrecondition)
			if called {
				t.Errorf("Update with ifMatch %q called fn", ifMatch)
			}
		}
		e.checkUnchanged(t, "Update with a stale ifMatch", cur)
	})

	t.Run("stale ifMatch fails Delete", func(t *testing.T) {
		e, cur, stale := setup(t)
		checkErr(t, "Delete with a stale ifMatch", e.s.Delete(e.ctx, store.User, cur.ID, stale), store.ErrPrecondition)
		e.checkUnchanged(t, "Delete with a stale ifMatch", cur)
	})

	t.Run("current ifMatch passes", func(t *testing.T) {
		e, cur, stale := setup(t)
		for _, ifMatch := range []func(version string) string{
			func(string) string { return "" },
			func(string) string { return "*" },
			func(v string) string { return v },
			func(v string) string { return stale + "," + v },
			func(v string) string { return v + ", " + stale },
			func(v string) string { return "x, " + v + " ,y" },
		} {
			ifMatch := ifMatch(cur.Version)
			got, err := e.s.Update(e.ctx, store.User, cur.ID, ifMatch, func(*store.Resource) error { return nil })
			if err != nil {
				t.Errorf("Update with ifMatch %q (version %q): %v", ifMatch, cur.Version, err)
				continue
			}
			cur = got
		}
		for i, ifMatch := range []func(version string) string{
			func(v string) string { return v },
			func(string) string { return "*" },
			func(v string) string { return stale + ", " + v },
		} {
			u := e.create(t, newUser(attrs{"userName": "delete-me-" + strconv.Itoa(i)}))
			if err := e.s.Delete(e.ctx, store.User, u.ID, ifMatch(u.Version)); err != nil {
				t.Errorf("Delete with ifMatch %q (version %q): %v", ifMatch(u.Version), u.Version, err)
				continue
			}
			e.checkDeleted(t, u)
		}
	})

	t.Run("fn error is returned and nothing stored", func(t *testing.T) {
		e := s.env(t)
		u := e.create(t, newUser(fullUser("fn@example.com")))
		g := e.create(t, newGroup("fn group", u.ID))
		other := e.create(t, newUser(attrs{"userName": "other"}))
		boom := errors.New("storetest: fn failed")
		for _, was := range []*store.Resource{clone(e.get(t, store.User, u.ID)), clone(e.get(t, store.Group, g.ID))} {
			_, err := e.s.Update(e.ctx, was.Type, was.ID, "", func(r *store.Resource) error {
				// Change everything, in place too, then fail.
				for i := range r.Attributes {
					r.Attributes[i] = ' '
				}
				_ = modify(r, func(a attrs) { a["userName"], a["displayName"] = "changed", "changed" })
				r.Members = append(r.Members[:0], store.Member{Value: other.ID})
				return boom
			})
			if !errors.Is(err, boom) {
				t.Errorf("Update %s: error = %v, want fn's error %v", was.Type, err, boom)
			}
			e.checkUnchanged(t, "Update whose fn failed", was)
		}
		if got := e.get(t, store.User, other.ID); len(got.Groups) != 0 {
			t.Errorf("user %s is in groups %v after a failed Update", other.ID, got.Groups)
		}
	})
}

// testVersionsNeverRepeat: every write of a resource (Update, a member
// added or removed, a member deleted) gives it a version it never had, so
// an If-Match naming any earlier version fails.
func (s *suite) testVersionsNeverRepeat(t *testing.T) {
	e := s.env(t)
	u := e.create(t, newUser(attrs{"userName": "v1"}))
	u2 := e.create(t, newUser(attrs{"userName": "v2"}))
	g := e.create(t, newGroup("Versions", u.ID))
	seen := map[string]bool{g.Version: true}
	record := func(what, v string) {
		t.Helper()
		if seen[v] {
			t.Errorf("%s: version %q was the group's before", what, v)
		}
		seen[v] = true
	}
	record("Update", e.update(t, store.Group, g.ID, setUpdate(attrs{"displayName": "Versions 2"})).Version)
	if mp, ok := e.s.(store.MemberPatcher); ok {
		r, err := mp.PatchMembers(e.ctx, g.ID, "", []store.Member{{Value: u2.ID}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		record("PatchMembers add", r.Version)
		r, err = mp.PatchMembers(e.ctx, g.ID, "", nil, []string{u2.ID})
		if err != nil {
			t.Fatal(err)
		}
		record("PatchMembers remove", r.Version)
	}
	if err := e.s.Delete(e.ctx, store.User, u.ID, ""); err != nil {
		t.Fatal(err)
	}
	now := e.get(t, store.Group, g.ID)
	if seen[now.Version] {
		t.Errorf("deleting a member left the group at version %q, which it had before", now.Version)
	}
	for v := range seen {
		if _, err := e.s.Update(e.ctx, store.Group, g.ID, v, setUpdate(attrs{"displayName": "stale"})); !errors.Is(err, store.ErrPrecondition) {
			t.Errorf("Update with the earlier version %q: %v, want ErrPrecondition", v, err)
		}
	}
}
