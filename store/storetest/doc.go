// Package storetest is a conformance suite for store.Store implementations,
// in the spirit of testing/fstest.TestFS. A Store that passes it behaves as
// scimkit's Handler, and Microsoft Entra ID behind it, expect.
//
// Run it from the implementation's own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			db := openEmptyTestDatabase(t) // registers t.Cleanup to drop it
//			return mystore.New(db)
//		})
//	}
//
// newStore must return a new, EMPTY store on every call: Run calls it for
// each subtest (subtests that only read share one store within their
// group) with that subtest's t. Subtests run one at a time, so a newStore
// that empties one shared database is fine. The store must use the real
// clock: timestamps are checked against time.Now, which catches time-zone
// mistakes.
//
// Failures read like
//
//	TestConformance/storetest/Uniqueness/userName_case-insensitive
//
// and each top-level group can be run alone with -run, for example
// -run 'TestConformance/storetest/Filter'. The groups are CRUD, NotFound,
// Uniqueness, Preconditions, Filter, Paging, Sorting, Tenants, Membership,
// MemberPatcher (skipped unless the store implements store.MemberPatcher),
// Concurrency, CustomTypes and Cursor (run unless the option SkipCursor
// says why not).
//
// The suite uses the Store only through its interface and the default
// schemas (core User and Group and the enterprise User extension). Where
// store.Store's documentation leaves room, the suite takes the reading a
// demanding user of the Handler expects:
//
//   - Attributes come back as the same JSON object (members and values;
//     key order, white space and escaping may change, as jsonb does).
//     Created, LastModified and Version read back exactly as Create or
//     Update returned them. Version changes on every write, including one
//     that changes nothing, and never repeats for a resource.
//   - Callers own what they pass in and what they get back: changing a
//     Resource (its Attributes bytes, Schemas, Members or Groups) after
//     Create, or one returned by Get, List or Update, must not change the
//     store.
//   - Ids are unique across users and groups of a tenant, since a member
//     is named by id alone.
//   - Two userNames (or group displayNames) clash exactly when the filter
//     `userName eq` would match one with the other, that is under the
//     Unicode simple case folding of strings.EqualFold. A SQL column folded
//     with lower() differs (ς and σ, İ and i): fold in Go instead, mapping
//     each rune to the smallest rune of its unicode.SimpleFold orbit.
//   - List returns what the in-memory evaluator (store.Filter.Match over
//     the resources Get returns) selects, for every filter; Query.Sort
//     defines the order of sortBy, comparing strings by bytes (lower-cased
//     unless the attribute is case-exact), so a database must sort with a
//     binary collation. Ties, including resources without a value, are
//     broken the same way on every call, so pages never overlap.
//   - The default order (no sortBy) is stable: updates do not move a
//     resource, deletes only remove it.
//   - Cursor paging walks the same order as startIndex paging, every
//     resource once, and stays exact while other requests create, update
//     and delete resources: a cursor is a keyset position (sort key, then
//     the default order), never an offset. Page.Cursors has a cursor for
//     every resource of a page, NextCursor is the last of them exactly
//     when more results follow, and a cursor that is garbage or was made
//     for another sortBy or sortOrder is an error matching
//     store.ErrInvalidCursor.
//   - A group's Members are a set listed in the order added; a member's
//     derived Display (none was sent) follows the member's renames, and a
//     user's GroupRef.Display follows the group's. Groups are read-only:
//     what Update's fn leaves in a user's Groups is ignored.
//   - A call without a tenant in the context fails with store.ErrNoTenant
//     and returns no data.
//   - Update without ifMatch never fails because of contention, and its fn
//     may be called more than once; the suite's fns only read what they
//     are given.
package storetest
