package storetest

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
)

func (s *suite) testSorting(t *testing.T) {
	t.Run("explicit orders", func(t *testing.T) {
		e := s.env(t)
		byName := map[string]string{}
		for _, a := range []attrs{
			{"userName": "delta", "title": "beta", "externalId": "b"},
			{"userName": "Alpha", "externalId": "B"},
			{"userName": "charlie", "title": "Alpha"},
			{"userName": "echo", "title": "gamma", "externalId": "a"},
			{"userName": "bravo"},
			{"userName": "Foxtrot", "title": "Delta"},
		} {
			r := e.create(t, newUser(a))
			byName[r.ID] = r.UniqueValue("userName")
		}
		names := func(rs []*store.Resource) []string {
			out := make([]string, len(rs))
			for i, r := range rs {
				out[i] = byName[r.ID]
			}
			return out
		}
		for _, c := range []struct {
			sortBy  string
			desc    bool
			want    []string // in this order
			missing []string // then these, in any order
		}{
			// userName sorts case-insensitively.
			{"userName", false, []string{"Alpha", "bravo", "charlie", "delta", "echo", "Foxtrot"}, nil},
			{"userName", true, []string{"Foxtrot", "echo", "delta", "charlie", "bravo", "Alpha"}, nil},
			{"USERNAME", false, []string{"Alpha", "bravo", "charlie", "delta", "echo", "Foxtrot"}, nil},
			// Resources without a value come last in both directions.
			{"title", false, []string{"charlie", "delta", "Foxtrot", "echo"}, []string{"Alpha", "bravo"}},
			{"title", true, []string{"echo", "Foxtrot", "delta", "charlie"}, []string{"Alpha", "bravo"}},
			// externalId is case-exact: byte order.
			{"externalId", false, []string{"Alpha", "echo", "delta"}, []string{"charlie", "bravo", "Foxtrot"}},
			{"externalId", true, []string{"delta", "echo", "Alpha"}, []string{"charlie", "bravo", "Foxtrot"}},
		} {
			q := store.Query{SortBy: compilePath(t, store.User, c.sortBy), SortDescending: c.desc}
			got := names(e.all(t, store.User, q))
			n := len(c.want)
			if len(got) != n+len(c.missing) {
				t.Errorf("sortBy=%s descending=%v: %v, want %v then %v", c.sortBy, c.desc, got, c.want, c.missing)
				continue
			}
			if !slices.Equal(got[:n], c.want) || !cmp.Equal(sorted(got[n:]), sorted(c.missing), cmpEmpty) {
				t.Errorf("sortBy=%s descending=%v: %v, want %v then %v (any order)", c.sortBy, c.desc, got, c.want, c.missing)
			}
		}
	})

	t.Run("same order as Query.Sort", func(t *testing.T) {
		p := s.populate(t)
		for _, c := range []struct {
			typ, sortBy string
		}{
			{store.User, "userName"},
			{store.User, "displayName"},
			{store.User, "title"},
			{store.User, "externalId"},
			{store.User, "id"},
			{store.User, "name.familyName"},
			{store.User, "name.givenName"},
			{store.User, "emails"},
			{store.User, "emails.value"},
			{store.User, "active"},
			{store.User, "meta.created"},
			{store.User, "meta.lastModified"},
			{store.User, ent + "employeeNumber"},
			{store.User, ent + "department"},
			{store.User, "employeeNumber"},
			{store.Group, "displayName"},
			{store.Group, "externalId"},
			{store.Group, "meta.created"},
		} {
			for _, desc := range []bool{false, true} {
				name := c.typ + " " + c.sortBy
				if desc {
					name += " descending"
				}
				t.Run(name, func(t *testing.T) {
					p.checkSorted(t, c.typ, store.Query{SortBy: compilePath(t, c.typ, c.sortBy), SortDescending: desc})
				})
			}
		}
		t.Run("with a filter", func(t *testing.T) {
			q := store.Query{
				Filter:         compileFilter(t, store.User, `emails pr`),
				SortBy:         compilePath(t, store.User, "emails.value"),
				SortDescending: true,
			}
			p.checkSorted(t, store.User, q)
		})
	})

	t.Run("by members without a filter", func(t *testing.T) {
		// A store must read the members to sort by them, even when no
		// filter made it read them.
		e := s.env(t)
		user := map[string]string{}
		for _, n := range []string{"cid", "ann", "bob"} {
			user[n] = e.create(t, newUser(attrs{"userName": n})).ID
		}
		byID := map[string]string{}
		for _, g := range []struct{ name, member string }{{"G1", "cid"}, {"G2", "ann"}, {"G3", ""}, {"G4", "bob"}} {
			var members []string
			if g.member != "" {
				members = append(members, user[g.member])
			}
			byID[e.create(t, newGroup(g.name, members...)).ID] = g.name
		}
		for _, c := range []struct {
			desc bool
			want []string
		}{{false, []string{"G2", "G4", "G1", "G3"}}, {true, []string{"G1", "G4", "G2", "G3"}}} {
			var got []string
			for _, r := range e.all(t, store.Group, store.Query{SortBy: compilePath(t, store.Group, "members.display"), SortDescending: c.desc}) {
				got = append(got, byID[r.ID])
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("Groups sortBy=members.display descending=%v: %v, want %v (memberless last)", c.desc, got, c.want)
			}
		}
	})

	t.Run("unknown sortBy keeps the default order", func(t *testing.T) {
		p := s.populate(t)
		for _, typ := range []string{store.User, store.Group} {
			want := p.allIDs(t, typ)
			got := ids(p.all(t, typ, store.Query{SortBy: compilePath(t, typ, "noSuchAttribute"), SortDescending: true}))
			if !slices.Equal(got, want) {
				t.Errorf("%s sortBy=noSuchAttribute: %v, want the default order %v", typ, p.keys(got), p.keys(want))
			}
		}
	})
}

// checkSorted lists q and checks the order is the one Query.Sort gives,
// that every match is there, and that pages (which must break ties the
// same way every time) concatenate to the same list.
func (p *population) checkSorted(t *testing.T, typ string, q store.Query) {
	t.Helper()
	got := p.all(t, typ, q)
	unsorted := q
	unsorted.SortBy, unsorted.SortDescending = nil, false
	if diff := cmp.Diff(sorted(p.keys(p.allIDsFor(t, typ, unsorted))), sorted(p.keys(ids(got)))); diff != "" {
		t.Errorf("sorted List has other resources than the unsorted one (-unsorted +sorted):\n%s", diff)
	}
	ref := slices.Clone(got)
	q.Sort(ref, func(r *store.Resource) map[string]any {
		a, err := store.DecodeAttributes(r)
		if err != nil {
			t.Fatal(err)
		}
		return a
	})
	if !slices.Equal(ids(got), ids(ref)) {
		t.Errorf("order = %v\nwant %v (as Query.Sort orders)", p.keys(ids(got)), p.keys(ids(ref)))
	}
	for _, size := range []int{1, 3} {
		if pages := p.pages(t, typ, q, size); !slices.Equal(pages, ids(got)) {
			t.Errorf("pages of %d = %v\nwant %v (one page)", size, p.keys(pages), p.keys(ids(got)))
		}
	}
}

func (e *env) allIDsFor(t testing.TB, typ string, q store.Query) []string {
	t.Helper()
	return ids(e.all(t, typ, q))
}
