package sqlstore_test

import (
	"testing"

	"github.com/scimkit/scimkit/store"
)

// TestDifferentialRegressions holds the disagreements the differential
// test found in the stores as they were when it was written: each subtest
// is one List that some store answered differently from the memory store,
// or that the memory store answered wrongly. All are fixed; they stay as
// regression tests (knownBugs would keep the generators from making such
// cases again, should one come back before its fix).
func TestDifferentialRegressions(t *testing.T) {
	env := newDiffEnv(t, newPopulation(1))
	for _, c := range []struct {
		name string
		dc   diffCase
	}{
		// knownBugs.invalidUTF8: PostgreSQL fails the List with "invalid
		// byte sequence for encoding UTF8" (SQLSTATE 22021); the memory
		// store and SQLite match nothing. A URL's %FF puts such a byte in
		// a filter. The literal reaches PostgreSQL through the externalId
		// index (external_id = $n), the id column, and the jsonb narrowing
		// of caseExact attributes (profileUrl, x509Certificates.value).
		{"invalidUTF8/externalId", diffCase{typ: store.User, text: "externalId eq \"ext-\xff\"", start: 1, count: 100}},
		{"invalidUTF8/externalId-and", diffCase{typ: store.User, text: "externalId eq \"\xc3\" and active eq true", start: 1, count: 100}},
		{"invalidUTF8/id", diffCase{typ: store.Group, text: "id eq \"\xff\"", start: 1, count: 100}},
		{"invalidUTF8/profileUrl", diffCase{typ: store.User, text: "profileUrl eq \"https://example.com/u/ann\xff\"", start: 1, count: 100}},
		{"invalidUTF8/x509Certificates", diffCase{typ: store.User, text: "x509Certificates eq \"\xc2\xff\xa0\"", start: 1, count: 100}},

		// knownBugs.emptyExternalID: the SQL stores answer externalId eq ""
		// from their external_id column, which holds "" for a resource
		// without externalId too, so they list every such resource (and,
		// whole, skip Match); the memory store's externalId index holds no
		// empty value, so it lists none. (Filter.Match alone would list
		// the resources whose externalId is "" and not the others.)
		{"emptyExternalID/users", diffCase{typ: store.User, text: `externalId eq ""`, start: 1, count: 100}},
		{"emptyExternalID/users-and", diffCase{typ: store.User, text: `externalId eq "" and userName pr`, start: 1, count: 100}},
		{"emptyExternalID/groups", diffCase{typ: store.Group, text: `externalId eq ""`, start: 1, count: 100}},

		// knownBugs.memorySortByMembers: the memory store reads a group's
		// members only for a filter it evaluates, so sortBy=members.*
		// without a filter, or with one its index answers alone, sorts
		// every group as memberless (creation order); the SQL stores sort
		// by the members, as Query.Sort says. Here the memory store is the
		// one that is wrong.
		{"memorySortByMembers/no-filter", diffCase{typ: store.Group, sortBy: "members.display", start: 1, count: 100}},
		{"memorySortByMembers/indexed", diffCase{typ: store.Group, text: `externalId eq "g%1"`, sortBy: "members.display", start: 1, count: 100}},
	} {
		t.Run(c.name, func(t *testing.T) {
			env.check(t, c.dc, nil)
			if c.dc.sortBy != "" {
				// One order or the other shows the bug, whatever the keys.
				c.dc.desc = !c.dc.desc
				env.check(t, c.dc, nil)
			}
		})
	}
}
