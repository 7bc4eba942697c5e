package storetest

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
)

const ent = enterpriseURN + ":"

// filterCase is a filter over the population and the keys it should
// select. want is nil where the answer depends on the store (ids,
// timestamps): there the in-memory evaluator alone is the reference.
type filterCase struct {
	filter string
	want   []string
}

func none() []string { return []string{} }

func keys(k ...string) []string { return k }

var userFilters = []filterCase{
	// userName: case-insensitive.
	{`userName eq "alice"`, keys("alice")},
	{`userName eq "ALICE"`, keys("alice")},
	{`USERNAME eq "alice"`, keys("alice")},
	{`userName eq "frank@contoso.com"`, keys("frank")},
	{`userName eq "ΝΙΚΌΛΑΣ"`, keys("nikolas")},
	{`userName eq "nobody"`, none()},
	{`userName ne "alice"`, keys("bob", "carol", "dave", "eve", "frank", "nikolas", "barbara")},
	{`userName co "A"`, keys("alice", "carol", "dave", "frank", "barbara")},
	{`userName sw "b"`, keys("bob")},
	{`userName ew "@CONTOSO.COM"`, keys("frank", "barbara")},
	{`userName gt "carol"`, keys("dave", "eve", "frank", "nikolas", "barbara")},
	{`userName ge "carol"`, keys("carol", "dave", "eve", "frank", "nikolas", "barbara")},
	{`userName lt "CAROL"`, keys("alice", "bob")},
	{`userName le "carol"`, keys("alice", "bob", "carol")},
	{`userName pr`, keys("alice", "bob", "carol", "dave", "eve", "frank", "nikolas", "barbara")},
	{`userName sw "νικ"`, keys("nikolas")},

	// Values that mean something in SQL LIKE or SQL text.
	{`userName sw "a_i"`, none()},
	{`userName co "%"`, none()},
	{`userName co "_user_"`, keys("barbara")},
	{`userName ew "\\"`, none()},
	{`userName eq "alice' OR '1'='1"`, none()},
	{`displayName co "'; DROP TABLE users; --"`, none()},
	{`userName co "\""`, none()},

	// externalId and id: case-exact.
	{`externalId eq "EXT-1"`, keys("alice")},
	{`externalId eq "ext-1"`, keys("bob")},
	{`externalId eq "Ext-1"`, none()},
	{`externalId eq "shared"`, keys("eve", "frank")},
	{`externalId sw "ext"`, keys("bob", "carol")},
	{`externalId co "X"`, keys("alice")},
	{`externalId pr`, keys("alice", "bob", "carol", "eve", "frank", "barbara")},
	{`not (externalId pr)`, keys("dave", "nikolas")},
	{`id eq "{id:carol}"`, keys("carol")},
	{`id eq "{ID:carol}"`, nil},
	{`id ne "{id:carol}"`, keys("alice", "bob", "dave", "eve", "frank", "nikolas", "barbara")},
	{`id eq "{id:admins}"`, none()},
	{`id eq "{id:alice}" or id eq "{id:bob}"`, keys("alice", "bob")},

	// Other string, boolean and complex attributes.
	{`title eq "ENGINEER"`, keys("alice", "bob", "eve")},
	{`title pr`, keys("alice", "bob", "carol", "eve")},
	{`not (title pr)`, keys("dave", "frank", "nikolas", "barbara")},
	{`displayName eq "alice smith"`, keys("alice")},
	{`displayName co "νικόλας"`, keys("nikolas")},
	{`nickName eq "EVIE"`, keys("eve")},
	{`active eq true`, keys("alice", "carol", "dave", "nikolas", "barbara")},
	{`active eq false`, keys("bob", "frank")},
	{`active ne true`, keys("bob", "eve", "frank")},
	{`active pr`, keys("alice", "bob", "carol", "dave", "frank", "nikolas", "barbara")},
	{`name pr`, keys("alice", "bob", "barbara")},
	{`name.givenName pr`, keys("alice", "barbara")},
	{`name.familyName sw "J"`, keys("bob", "barbara")},
	{`name.formatted co "jensen iii"`, keys("barbara")},

	// Multi-valued attributes and value paths.
	{`emails co "example.com"`, keys("alice", "bob", "eve", "frank")},
	{`emails.value ew "@contoso.com"`, keys("frank", "barbara")},
	{`emails.type eq "other"`, keys("frank")},
	{`emails pr`, keys("alice", "bob", "carol", "eve", "frank", "barbara")},
	{`emails[type eq "work"].value eq "alice@example.com"`, keys("alice")},
	{`emails[type eq "work"].value eq "EVE@example.com"`, keys("eve")},
	{`emails[type eq "home"].value eq "alice@example.com"`, none()},
	{`emails[type eq "work"].value eq "f@example.com"`, none()},
	{`emails[type eq "work" and value ew ".org"]`, keys("carol")},
	{`emails[type eq "home"]`, keys("alice", "bob")},
	{`emails[primary eq true]`, keys("alice", "frank", "barbara")},
	{`emails[not (type eq "work")]`, keys("alice", "bob", "frank")},

	// Logic.
	{`userName eq "alice" or userName eq "bob"`, keys("alice", "bob")},
	{`userName eq "alice" and active eq true`, keys("alice")},
	{`userName eq "alice" and active eq false`, none()},
	{`userName eq "alice" and externalId eq "EXT-1"`, keys("alice")},
	{`externalId eq "EXT-1" and userName eq "bob"`, none()},
	{`externalId eq "shared" and not (active eq false)`, keys("eve")},
	{`(title eq "engineer" or title eq "manager") and active eq true`, keys("alice", "carol")},
	{`not (userName eq "alice" or active eq true)`, keys("bob", "eve", "frank")},
	{`title eq "Engineer" and not (emails[type eq "work"])`, keys("bob")},
	{`not (not (userName sw "a"))`, keys("alice")},

	// The enterprise extension, qualified and (Entra's legacy form) not.
	{ent + `employeeNumber eq "1001"`, keys("alice")},
	{ent + `department eq "sales"`, keys("alice")},
	{ent + `employeeNumber gt "1002"`, keys("carol", "frank", "barbara")},
	{ent + `employeeNumber pr`, keys("alice", "bob", "carol", "frank", "barbara")},
	{`not (` + ent + `employeeNumber pr)`, keys("dave", "eve", "nikolas")},
	{ent + `manager.value eq "mgr-42"`, keys("carol")},
	{`manager eq "mgr-42"`, keys("carol")},
	{`userName eq "Test_User_00aa00aa@contoso.com" and ` + ent + `employeeNumber eq "701984"`, keys("barbara")},
	{ent + `department eq "Sales" and userName sw "A"`, keys("alice")},

	// meta.
	{`meta.created gt "2000-01-01T00:00:00Z"`, keys("alice", "bob", "carol", "dave", "eve", "frank", "nikolas", "barbara")},
	{`meta.created lt "2000-01-01T00:00:00Z"`, none()},
	{`meta.created ge "{created:carol}"`, nil},
	{`meta.created gt "{created:carol}"`, nil},
	{`meta.created le "{created:carol}"`, nil},
	{`meta.created lt "{created:carol}"`, nil},
	{`meta.created eq "{created:carol}"`, nil},
	{`meta.lastModified gt "{created:barbara}"`, nil},
	{`meta.lastModified ge "{modified:eve}"`, nil},
	{`meta.lastModified lt "{modified:eve}"`, nil},
	{`meta.created ge "{created:dave}" and meta.created le "{created:frank}"`, nil},
	{`meta.resourceType eq "User"`, keys("alice", "bob", "carol", "dave", "eve", "frank", "nikolas", "barbara")},

	// A user's groups (direct memberships only).
	{`groups.value eq "{id:admins}"`, keys("alice", "bob")},
	{`groups.display eq "ENGINEERS"`, keys("carol", "eve")},
	{`groups eq "{id:sales}"`, keys("frank")},
	{`groups pr`, keys("alice", "bob", "carol", "eve", "frank")},
	{`not (groups pr)`, keys("dave", "nikolas", "barbara")},

	// Attributes the schema does not know.
	{`unknownAttr eq "x"`, none()},
	{`unknownAttr pr`, none()},
	{`not (unknownAttr pr)`, keys("alice", "bob", "carol", "dave", "eve", "frank", "nikolas", "barbara")},
	{`name.nickname eq "x"`, none()},
}

var groupFilters = []filterCase{
	{`displayName eq "admins"`, keys("admins")},
	{`displayName eq "ADMINS"`, keys("admins")},
	{`displayName ne "Admins"`, keys("engineers", "empty", "sales")},
	{`displayName sw "e"`, keys("engineers", "empty")},
	{`displayName co "TEAM"`, keys("sales")},
	{`displayName ew "s"`, keys("admins", "engineers")},
	{`displayName gt "empty group"`, keys("engineers", "sales")},
	{`displayName ge "empty group"`, keys("engineers", "empty", "sales")},
	{`displayName lt "Engineers"`, keys("admins", "empty")},
	{`displayName le "engineers"`, keys("admins", "engineers", "empty")},
	{`displayName co "%"`, none()},
	{`externalId eq "g-1"`, keys("admins")},
	{`externalId eq "G-1"`, keys("sales")},
	{`externalId pr`, keys("admins", "sales")},
	{`id eq "{id:admins}"`, keys("admins")},
	{`id eq "{id:alice}"`, none()},
	{`members eq "{id:alice}"`, keys("admins")},
	{`members.value eq "{id:admins}"`, keys("engineers")},
	{`members[value eq "{id:eve}"]`, keys("engineers")},
	{`members[type eq "Group"]`, keys("engineers")},
	{`members[type eq "User"]`, keys("admins", "engineers", "sales")},
	{`members.display eq "alice smith"`, keys("admins")},
	{`members.value eq "{id:dave}"`, none()},
	{`members pr`, keys("admins", "engineers", "sales")},
	{`not (members pr)`, keys("empty")},
	{`displayName eq "Admins" or members eq "{id:frank}"`, keys("admins", "sales")},
	{`externalId pr and displayName sw "A"`, keys("admins")},
	{`meta.created ge "{created:engineers}"`, nil},
	{`meta.lastModified lt "{modified:sales}"`, nil},
	{`userName eq "alice"`, none()},
}

func (s *suite) testFilter(t *testing.T) {
	t.Run(`externalId eq ""`, func(t *testing.T) {
		// An empty externalId is a value like another (an index that does
		// not hold it must not answer for it); an absent one is not.
		e := s.env(t)
		empty := e.create(t, newUser(attrs{"userName": "empty", "externalId": ""})).ID
		e.create(t, newUser(attrs{"userName": "absent"}))
		e.create(t, newUser(attrs{"userName": "set", "externalId": "x"}))
		for _, f := range []string{`externalId eq ""`, `externalId eq "" and userName pr`} {
			if got := ids(e.all(t, store.User, store.Query{Filter: compileFilter(t, store.User, f)})); !slices.Equal(got, []string{empty}) {
				t.Errorf("%s: %d users, want the one whose externalId is \"\"", f, len(got))
			}
		}
	})
	p := s.populate(t)
	t.Run("no filter", func(t *testing.T) {
		for _, typ := range []string{store.User, store.Group} {
			got := p.all(t, typ, store.Query{})
			if diff := cmp.Diff(sorted(p.of(typ)), sorted(p.keys(ids(got)))); diff != "" {
				t.Errorf("List %s (-want +got):\n%s", typ, diff)
			}
			for _, r := range got {
				if diff := diffResource(p.byKey[p.keyOf[r.ID]], r); diff != "" {
					t.Errorf("List returned %s %s other than Get does (-get +list):\n%s", typ, r.ID, diff)
				}
			}
		}
	})
	for _, typ := range []string{store.User, store.Group} {
		cases := userFilters
		if typ == store.Group {
			cases = groupFilters
		}
		t.Run(typ, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.filter, func(t *testing.T) { p.checkFilter(t, typ, c) })
			}
		})
	}
}

// checkFilter lists typ with the filter and compares the ids with those
// the in-memory evaluator (Filter.Match) selects from what Get returns.
func (p *population) checkFilter(t *testing.T, typ string, c filterCase) {
	expr := p.expand(c.filter)
	f := compileFilter(t, typ, expr)
	var want []string
	for _, k := range p.of(typ) {
		r := p.get(t, typ, p.byKey[k].ID)
		ok, err := f.Match(r)
		if err != nil {
			t.Fatalf("Match: %v", err)
		}
		if ok {
			want = append(want, k)
		}
	}
	if c.want != nil {
		if diff := cmp.Diff(sorted(c.want), sorted(want), cmpEmpty); diff != "" {
			t.Fatalf("test setup: the in-memory evaluator disagrees with the suite (-suite +evaluator):\n%s", diff)
		}
	}
	page := p.list(t, typ, store.Query{Filter: f, StartIndex: 1, Count: everything})
	got := p.keys(ids(page.Resources))
	if diff := cmp.Diff(sorted(want), sorted(got), cmpEmpty); diff != "" {
		t.Errorf("List %s filter=%s (-in-memory evaluator +store):\n%s", typ, expr, diff)
	}
	if page.TotalResults != len(want) {
		t.Errorf("List %s filter=%s: TotalResults = %d, want %d", typ, expr, page.TotalResults, len(want))
	}
	for _, r := range page.Resources {
		if r.Type != typ {
			t.Errorf("List %s returned a %s", typ, r.Type)
		}
	}
	// One result per page must not change the total.
	one := p.list(t, typ, store.Query{Filter: f, StartIndex: 1, Count: 1})
	if one.TotalResults != len(want) || len(one.Resources) != min(1, len(want)) {
		t.Errorf("List %s filter=%s count=1: %d resources, TotalResults %d; want %d, %d",
			typ, expr, len(one.Resources), one.TotalResults, min(1, len(want)), len(want))
	}
}
