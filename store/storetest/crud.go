package storetest

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/scimkit/scimkit/store"
)

// fullUser is a user as Entra provisions it, canonicalised.
func fullUser(userName string) attrs {
	return attrs{
		"userName":    userName,
		"externalId":  "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
		"displayName": "Barbara Jensen",
		"active":      true,
		"title":       "Tour Guide",
		"name":        attrs{"givenName": "Barbara", "familyName": "Jensen", "formatted": "Ms. Barbara J Jensen III"},
		"emails": []any{
			attrs{"type": "work", "value": userName, "primary": true},
			attrs{"type": "home", "value": "babs@jensen.example.org"},
		},
		enterpriseURN: attrs{"employeeNumber": "701984", "department": "Tour Operations"},
	}
}

// rawUser is a user whose attributes are not in the key order or escaping
// encoding/json produces: a Store must still return the same JSON object.
const rawUser = `{"userName":"zo\u00eb@example.com","name":{"givenName":"Zo\u00eb","familyName":"O'Brien"},` +
	`"displayName":"Zo\u00eb \"Z\" O'Brien <z&z> \u2603","active":true,` +
	`"emails":[{"value":"zoe@example.com","type":"work","primary":true}],"nickName":"\\ \/ \t"}`

func (s *suite) testCRUD(t *testing.T) {
	t.Run("create and get user", func(t *testing.T) {
		e := s.env(t)
		start := time.Now()
		in := newUser(fullUser("bjensen@example.com"))
		got := e.create(t, in)
		checkWritten(t, "Create", in, got)
		checkTimes(t, got, start)
		if len(got.Groups) != 0 || len(got.Members) != 0 {
			t.Errorf("Create: new user has Groups %v, Members %v", got.Groups, got.Members)
		}
		if diff := diffResource(got, e.get(t, store.User, got.ID)); diff != "" {
			t.Errorf("Get differs from what Create returned (-create +get):\n%s", diff)
		}
		all := e.all(t, store.User, store.Query{})
		if len(all) != 1 {
			t.Fatalf("List: %d users, want 1", len(all))
		}
		if diff := diffResource(got, all[0]); diff != "" {
			t.Errorf("List differs from what Create returned (-create +list):\n%s", diff)
		}
	})

	t.Run("create and get group", func(t *testing.T) {
		e := s.env(t)
		start := time.Now()
		in := newResource(store.Group, attrs{"displayName": "Tour Guides", "externalId": "g-42"})
		got := e.create(t, in)
		checkWritten(t, "Create", in, got)
		checkTimes(t, got, start)
		if diff := diffResource(got, e.get(t, store.Group, got.ID)); diff != "" {
			t.Errorf("Get differs from what Create returned (-create +get):\n%s", diff)
		}
		if ids := e.allIDs(t, store.Group); len(ids) != 1 || ids[0] != got.ID {
			t.Errorf("List groups = %v, want [%s]", ids, got.ID)
		}
		if ids := e.allIDs(t, store.User); len(ids) != 0 {
			t.Errorf("List users = %v, want none", ids)
		}
	})

	t.Run("create sets what the store owns", func(t *testing.T) {
		e := s.env(t)
		g := e.create(t, newGroup("existing"))
		long := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
		start := time.Now()
		in := newUser(attrs{"userName": "forger"})
		in.ID, in.Version, in.Created, in.LastModified = "forged-id", "forged-version", long, long
		in.Groups = []store.GroupRef{{Value: g.ID, Display: "existing"}}
		in.Members = []store.Member{{Value: g.ID}}
		got := e.create(t, in)
		if got.ID == "forged-id" || got.Version == "forged-version" {
			t.Errorf("Create kept the caller's ID %q or Version %q", got.ID, got.Version)
		}
		checkTimes(t, got, start)
		got = e.get(t, store.User, got.ID)
		if len(got.Groups) != 0 || len(got.Members) != 0 {
			t.Errorf("Create stored a user's Groups %v or Members %v", got.Groups, got.Members)
		}
		if ids := memberIDs(e.get(t, store.Group, g.ID)); len(ids) != 0 {
			t.Errorf("group %s has members %v after a Create naming it in a user's Groups", g.ID, ids)
		}
	})

	t.Run("attributes round-trip", func(t *testing.T) {
		e := s.env(t)
		in := &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: "zoë@example.com"}}, Display: `Zoë "Z" O'Brien <z&z> ☃`, Attributes: json.RawMessage(rawUser)}
		got := e.create(t, in)
		checkWritten(t, "Create", in, got)
		checkWritten(t, "Get", in, e.get(t, store.User, got.ID))
		all := e.all(t, store.User, store.Query{})
		if len(all) != 1 {
			t.Fatalf("List: %d users, want the 1 created", len(all))
		}
		checkWritten(t, "List", in, all[0])

		next := json.RawMessage(`{"userName":"zo\u00eb@example.com","active":false,"title":"\u00c9tude"}`)
		upd := e.update(t, store.User, got.ID, func(r *store.Resource) error {
			r.Attributes = next
			return nil
		})
		if !SameJSON(upd.Attributes, next) {
			t.Errorf("Update: Attributes = %s, want %s", upd.Attributes, next)
		}
		if a := e.get(t, store.User, got.ID).Attributes; !SameJSON(a, next) {
			t.Errorf("Get after Update: Attributes = %s, want %s", a, next)
		}
	})

	t.Run("ids unique across users and groups", func(t *testing.T) {
		// Members name users and groups by id alone, so one id must not
		// stand for both.
		e := s.env(t)
		seen := map[string]string{}
		for i := range 10 {
			for _, r := range []*store.Resource{
				newUser(attrs{"userName": "user" + strconv.Itoa(i)}),
				newGroup("group" + strconv.Itoa(i)),
			} {
				got := e.create(t, r)
				if prev, dup := seen[got.ID]; dup {
					t.Fatalf("id %q given to %s and to %s %s", got.ID, prev, r.Type, name(r))
				}
				seen[got.ID] = r.Type + " " + name(r)
			}
		}
	})

	t.Run("update user", func(t *testing.T) {
		e := s.env(t)
		old := e.create(t, newUser(fullUser("bjensen@example.com")))
		time.Sleep(10 * time.Millisecond)
		next := fullUser("barbara.jensen@example.com")
		next["title"] = "Head of Tours"
		next["displayName"] = "Barbara J."
		next["externalId"] = "new-external-id"
		in := newUser(next)
		got := e.update(t, store.User, old.ID, setUpdate(next))
		checkWritten(t, "Update", in, got)
		if got.ID != old.ID {
			t.Errorf("Update: ID = %q, want %q", got.ID, old.ID)
		}
		if !got.Created.Equal(old.Created) {
			t.Errorf("Update: Created = %v, want %v (unchanged)", got.Created, old.Created)
		}
		if !got.LastModified.After(old.LastModified) {
			t.Errorf("Update 10ms later: LastModified = %v, want after %v", got.LastModified, old.LastModified)
		}
		if got.Version == old.Version {
			t.Errorf("Update: Version stayed %q", got.Version)
		}
		if diff := diffResource(got, e.get(t, store.User, old.ID)); diff != "" {
			t.Errorf("Get differs from what Update returned (-update +get):\n%s", diff)
		}
	})

	t.Run("update group", func(t *testing.T) {
		e := s.env(t)
		old := e.create(t, newResource(store.Group, attrs{"displayName": "Guides", "externalId": "g-1"}))
		time.Sleep(10 * time.Millisecond)
		next := attrs{"displayName": "Tour Guides"}
		got := e.update(t, store.Group, old.ID, setUpdate(next))
		checkWritten(t, "Update", newResource(store.Group, next), got)
		if got.ID != old.ID || !got.Created.Equal(old.Created) {
			t.Errorf("Update: ID, Created = %q, %v; want %q, %v", got.ID, got.Created, old.ID, old.Created)
		}
		if !got.LastModified.After(old.LastModified) {
			t.Errorf("Update 10ms later: LastModified = %v, want after %v", got.LastModified, old.LastModified)
		}
		if got.Version == old.Version {
			t.Errorf("Update: Version stayed %q", got.Version)
		}
		if diff := diffResource(got, e.get(t, store.Group, old.ID)); diff != "" {
			t.Errorf("Get differs from what Update returned (-update +get):\n%s", diff)
		}
	})

	t.Run("update passes the current resource", func(t *testing.T) {
		e := s.env(t)
		u := e.create(t, newUser(fullUser("bjensen@example.com")))
		g := e.create(t, newGroup("Guides", u.ID))
		for _, want := range []*store.Resource{e.get(t, store.User, u.ID), e.get(t, store.Group, g.ID)} {
			e.update(t, want.Type, want.ID, func(r *store.Resource) error {
				if diff := diffResource(want, r); diff != "" {
					t.Errorf("Update %s: fn got a resource other than Get's (-get +fn):\n%s", want.Type, diff)
				}
				return nil
			})
		}
	})

	t.Run("update keeps ID and Created", func(t *testing.T) {
		e := s.env(t)
		old := e.create(t, newUser(attrs{"userName": "kept"}))
		long := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
		got := e.update(t, store.User, old.ID, func(r *store.Resource) error {
			r.ID, r.Created, r.LastModified, r.Version = "forged-id", long, long, "forged-version"
			return nil
		})
		if got.ID != old.ID || !got.Created.Equal(old.Created) {
			t.Errorf("Update: ID, Created = %q, %v; want %q, %v", got.ID, got.Created, old.ID, old.Created)
		}
		if got.LastModified.Equal(long) || got.Version == "forged-version" {
			t.Errorf("Update: LastModified, Version = %v, %q: the store must set them", got.LastModified, got.Version)
		}
		if _, err := e.s.Get(e.ctx, store.User, "forged-id"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get forged-id: error = %v, want ErrNotFound", err)
		}
		e.get(t, store.User, old.ID)
	})

	t.Run("update ignores a user's groups", func(t *testing.T) {
		e := s.env(t)
		u := e.create(t, newUser(attrs{"userName": "member"}))
		other := e.create(t, newUser(attrs{"userName": "other"}))
		g := e.create(t, newGroup("G", u.ID))
		got := e.update(t, store.User, u.ID, func(r *store.Resource) error {
			r.Groups = nil
			return nil
		})
		if ids := groupIDs(got); len(ids) != 1 || ids[0] != g.ID {
			t.Errorf("Update clearing Groups: Groups = %v, want [%s] (groups are read-only)", got.Groups, g.ID)
		}
		e.update(t, store.User, other.ID, func(r *store.Resource) error {
			r.Groups = []store.GroupRef{{Value: g.ID, Display: "G"}}
			return nil
		})
		if got := e.get(t, store.User, other.ID); len(got.Groups) != 0 {
			t.Errorf("Update setting Groups: Groups = %v, want none (groups are read-only)", got.Groups)
		}
		if ids := memberIDs(e.get(t, store.Group, g.ID)); len(ids) != 1 || ids[0] != u.ID {
			t.Errorf("group members = %v, want [%s]", ids, u.ID)
		}
	})

	t.Run("version changes on every write", func(t *testing.T) {
		e := s.env(t)
		r := e.create(t, newUser(attrs{"userName": "v", "title": "A"}))
		versions := map[string]int{r.Version: 0}
		writes := []func(*store.Resource) error{
			setUpdate(attrs{"userName": "v", "title": "B"}),
			setUpdate(attrs{"userName": "v", "title": "A"}), // back to the first content
			func(*store.Resource) error { return nil },      // no change at all
		}
		for i, fn := range writes {
			got := e.update(t, store.User, r.ID, fn)
			if prev, seen := versions[got.Version]; seen {
				t.Errorf("write %d: Version %q was already the version after write %d", i+1, got.Version, prev)
			}
			versions[got.Version] = i + 1
		}
	})

	t.Run("reads do not change version", func(t *testing.T) {
		e := s.env(t)
		u := e.create(t, newUser(attrs{"userName": "reader"}))
		g := e.create(t, newGroup("readers", u.ID))
		for _, want := range []*store.Resource{e.get(t, store.User, u.ID), e.get(t, store.Group, g.ID)} {
			e.get(t, want.Type, want.ID)
			e.all(t, want.Type, store.Query{Filter: compileFilter(t, want.Type, `id eq "`+want.ID+`"`)})
			e.all(t, want.Type, store.Query{})
			got := e.get(t, want.Type, want.ID)
			if got.Version != want.Version || !got.LastModified.Equal(want.LastModified) {
				t.Errorf("%s after reads: Version, LastModified = %q, %v; want %q, %v",
					want.Type, got.Version, got.LastModified, want.Version, want.LastModified)
			}
		}
	})

	t.Run("schemas kept", func(t *testing.T) {
		e := s.env(t)
		in := newUser(fullUser("ext@example.com"))
		if len(in.Schemas) != 1 || in.Schemas[0] != enterpriseURN {
			t.Fatalf("test setup: Schemas = %v", in.Schemas)
		}
		got := e.create(t, in)
		checkWritten(t, "Get", in, e.get(t, store.User, got.ID))
		plain := attrs{"userName": "ext@example.com"}
		e.update(t, store.User, got.ID, setUpdate(plain))
		checkWritten(t, "Get after dropping the extension", newUser(plain), e.get(t, store.User, got.ID))
		e.update(t, store.User, got.ID, setUpdate(fullUser("ext@example.com")))
		checkWritten(t, "Get after adding it back", in, e.get(t, store.User, got.ID))
	})

	t.Run("callers own resources", func(t *testing.T) {
		// Callers may change what they pass in and what they get back
		// without reaching into the store.
		scribble := func(rs ...*store.Resource) {
			for _, r := range rs {
				for i := range r.Attributes {
					r.Attributes[i] = ' '
				}
				for i := range r.Schemas {
					r.Schemas[i] = "urn:scribbled"
				}
				for i := range r.Members {
					r.Members[i] = store.Member{Value: "scribbled"}
				}
				for i := range r.Groups {
					r.Groups[i] = store.GroupRef{Value: "scribbled"}
				}
			}
		}
		for _, c := range []struct {
			name string
			// change gets the user and group as created, and the
			// arguments Create got, and changes what the case names.
			change func(t *testing.T, e *env, u, g, inU, inG *store.Resource)
		}{
			{"Create's argument", func(t *testing.T, e *env, u, g, inU, inG *store.Resource) { scribble(inU, inG) }},
			{"Create's result", func(t *testing.T, e *env, u, g, inU, inG *store.Resource) { scribble(u, g) }},
			{"Get's result", func(t *testing.T, e *env, u, g, inU, inG *store.Resource) {
				scribble(e.get(t, store.User, u.ID), e.get(t, store.Group, g.ID))
			}},
			{"List's result", func(t *testing.T, e *env, u, g, inU, inG *store.Resource) {
				scribble(e.all(t, store.User, store.Query{})...)
				scribble(e.all(t, store.Group, store.Query{})...)
			}},
			{"Update's result", func(t *testing.T, e *env, u, g, inU, inG *store.Resource) {
				noop := func(*store.Resource) error { return nil }
				scribble(e.update(t, store.User, u.ID, noop), e.update(t, store.Group, g.ID, noop))
			}},
			{"Update fn's resource", func(t *testing.T, e *env, u, g, inU, inG *store.Resource) {
				var kept []*store.Resource
				keep := func(r *store.Resource) error { kept = append(kept, r); return nil }
				e.update(t, store.User, u.ID, keep)
				e.update(t, store.Group, g.ID, keep)
				scribble(kept...)
			}},
		} {
			t.Run(c.name, func(t *testing.T) {
				e := s.env(t)
				inU := newUser(fullUser("alias@example.com"))
				u := e.create(t, inU)
				inG := newGroup("aliases", u.ID)
				g := e.create(t, inG)
				c.change(t, e, u, g, inU, inG)
				// The store still holds what was created.
				gotU, gotG := clone(e.get(t, store.User, u.ID)), clone(e.get(t, store.Group, g.ID))
				checkWritten(t, "user after the change", newUser(fullUser("alias@example.com")), gotU)
				checkWritten(t, "group after the change", newGroup("aliases"), gotG)
				if len(gotG.Members) != 1 || gotG.Members[0].Value != u.ID {
					t.Errorf("group members after the change: %v", gotG.Members)
				}
				if len(gotU.Groups) != 1 || gotU.Groups[0].Value != g.ID {
					t.Errorf("user groups after the change: %v", gotU.Groups)
				}
			})
		}
	})

	t.Run("delete user", func(t *testing.T) {
		e := s.env(t)
		keep := e.create(t, newUser(attrs{"userName": "keep"}))
		gone := e.create(t, newUser(attrs{"userName": "gone"}))
		if err := e.s.Delete(e.ctx, store.User, gone.ID, ""); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		e.checkDeleted(t, gone)
		if ids := e.allIDs(t, store.User); len(ids) != 1 || ids[0] != keep.ID {
			t.Errorf("List after Delete = %v, want [%s]", ids, keep.ID)
		}
		e.checkUnchanged(t, "deleting another user", keep)
	})

	t.Run("delete group", func(t *testing.T) {
		e := s.env(t)
		keep := e.create(t, newGroup("keep"))
		gone := e.create(t, newGroup("gone"))
		if err := e.s.Delete(e.ctx, store.Group, gone.ID, ""); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		e.checkDeleted(t, gone)
		if ids := e.allIDs(t, store.Group); len(ids) != 1 || ids[0] != keep.ID {
			t.Errorf("List after Delete = %v, want [%s]", ids, keep.ID)
		}
		e.checkUnchanged(t, "deleting another group", keep)
	})

	t.Run("deleted resources leave the indexes", func(t *testing.T) {
		e := s.env(t)
		gone := e.create(t, newUser(attrs{"userName": "gone", "externalId": "ext-shared"}))
		kept := e.create(t, newUser(attrs{"userName": "kept", "externalId": "ext-shared"}))
		if err := e.s.Delete(e.ctx, store.User, gone.ID, ""); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{`externalId eq "ext-shared"`, `userName eq "gone"`, `id eq "` + gone.ID + `"`} {
			got := e.all(t, store.User, store.Query{Filter: compileFilter(t, store.User, f), Count: 10})
			for _, r := range got {
				if r.ID == gone.ID {
					t.Errorf("filter %s still finds the deleted user", f)
				}
			}
			if f == `externalId eq "ext-shared"` && (len(got) != 1 || got[0].ID != kept.ID) {
				t.Errorf("filter %s = %d users, want the one kept", f, len(got))
			}
		}
		e.create(t, newUser(attrs{"userName": "GONE"})) // its unique value is free again
	})

	t.Run("types apart", func(t *testing.T) {
		s.skipUnlessAnyType(t)
		e := s.env(t)
		u := e.create(t, newUser(attrs{"userName": "typed"}))
		d := e.create(t, newDevice(attrs{"serialNumber": "typed"}))
		if r, err := e.s.Get(e.ctx, deviceTypeName, u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get a user's id as a Device: %v, %v; want ErrNotFound", r, err)
		}
		if r, err := e.s.Get(e.ctx, store.User, d.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get a device's id as a User: %v, %v; want ErrNotFound", r, err)
		}
		if ids := e.allIDs(t, store.User); len(ids) != 1 || ids[0] != u.ID {
			t.Errorf("List User = %v, want only the user", ids)
		}
		if p, err := e.s.List(e.ctx, "Widget", store.Query{Count: 10}); err == nil && len(p.Resources) > 0 {
			t.Errorf("List Widget (never written) returned %d resources", len(p.Resources))
		}
	})
}

// checkDeleted checks that r is gone: Get, Update and Delete answer
// ErrNotFound.
func (e *env) checkDeleted(t testing.TB, r *store.Resource) {
	t.Helper()
	if got, err := e.s.Get(e.ctx, r.Type, r.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get deleted %s: %v, error %v; want ErrNotFound", r.Type, got, err)
	}
	called := false
	_, err := e.s.Update(e.ctx, r.Type, r.ID, "", func(*store.Resource) error { called = true; return nil })
	checkErr(t, "Update deleted "+r.Type, err, store.ErrNotFound)
	if called {
		t.Errorf("Update deleted %s called fn", r.Type)
	}
	checkErr(t, "Delete deleted "+r.Type, e.s.Delete(e.ctx, r.Type, r.ID, ""), store.ErrNotFound)
	for _, id := range e.allIDs(t, r.Type) {
		if id == r.ID {
			t.Errorf("List still returns deleted %s %s", r.Type, r.ID)
		}
	}
}

func (s *suite) testNotFound(t *testing.T) {
	e := s.env(t)
	u := e.create(t, newUser(attrs{"userName": "someone"}))
	g := e.create(t, newGroup("somegroup", u.ID))
	wantU, wantG := e.get(t, store.User, u.ID), e.get(t, store.Group, g.ID)

	unknown := []string{"00000000-0000-0000-0000-000000000000", "does-not-exist", "1", "", "' OR 1=1 --", u.ID + "x"}
	t.Run("unknown id", func(t *testing.T) {
		for _, typ := range []string{store.User, store.Group} {
			for _, id := range unknown {
				e.checkNotFound(t, typ, id)
			}
		}
	})
	t.Run("user id asked as a group", func(t *testing.T) {
		e.checkNotFound(t, store.Group, u.ID)
		e.checkUnchanged(t, "Update and Delete of the wrong type", wantU)
	})
	t.Run("group id asked as a user", func(t *testing.T) {
		e.checkNotFound(t, store.User, g.ID)
		e.checkUnchanged(t, "Update and Delete of the wrong type", wantG)
	})
	t.Run("ifMatch on an unknown id", func(t *testing.T) {
		_, err := e.s.Update(e.ctx, store.User, unknown[0], "1", func(*store.Resource) error { return nil })
		checkErr(t, "Update with ifMatch", err, store.ErrNotFound)
		checkErr(t, "Delete with ifMatch", e.s.Delete(e.ctx, store.User, unknown[0], "1"), store.ErrNotFound)
	})
}

// checkNotFound checks that Get, Update and Delete of typ and id answer
// ErrNotFound, and that Update does not call fn.
func (e *env) checkNotFound(t testing.TB, typ, id string) {
	t.Helper()
	if got, err := e.s.Get(e.ctx, typ, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get %s %q: %v, error %v; want ErrNotFound", typ, id, got, err)
	}
	called := false
	_, err := e.s.Update(e.ctx, typ, id, "", func(*store.Resource) error { called = true; return nil })
	checkErr(t, "Update "+typ+" "+id, err, store.ErrNotFound)
	if called {
		t.Errorf("Update %s %q called fn", typ, id)
	}
	checkErr(t, "Delete "+typ+" "+id, e.s.Delete(e.ctx, typ, id, ""), store.ErrNotFound)
}
