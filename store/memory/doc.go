// Package memory is scimkit's embedded, in-process Store: what the
// quickstart runs on and what tests use. Nothing survives a restart.
//
// Equality lookups on userName, externalId, id and a group's displayName
// are index hits; group membership is a set, so adding or removing one
// member never copies the member list; a user's groups come from a reverse
// index. Each tenant has its own lock: tenants never wait for each other.
// Lists page by startIndex or by cursor (store.CursorPager): a cursor is
// the sort key and creation sequence of the last resource returned, so a
// walk stays exact while resources are created and deleted.
package memory
