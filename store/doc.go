// Package store defines what scimkit needs from persistence: the Store
// interface, the Resource it stores, the Query it lists with, the sentinel
// errors it reports, and an in-memory filter evaluator any implementation
// can use for the parts of a filter it cannot push down.
//
// Every call is scoped to a tenant carried in the context (WithTenant and
// Tenant): a Store keeps tenants apart, and the same userName may exist in
// two tenants. The Handler puts the authenticated tenant into the context
// before it calls the Store.
//
// Implementations ship in store/memory (the embedded default). Optional
// capabilities are discovered by type assertion, as io/fs does:
// MemberPatcher, and CursorPager for cursor paging (RFC 9865), whose
// cursors EncodeCursor and DecodeCursor make and read for any Store.
package store
