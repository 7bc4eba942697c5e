// Package sqlstore is a store.Store over database/sql, for PostgreSQL
// (jackc/pgx/v5) and SQLite (modernc.org/sqlite, pure Go): the store that
// survives restarts and serves several replicas of one service.
//
//	st, err := postgres.Open(ctx, "postgres://app@db/app", sqlstore.Config{})
//	st, err := sqlite.Open(ctx, "scim.db", sqlstore.Config{})
//	st, err := sqlstore.New(ctx, db, sqlstore.Postgres(), sqlstore.Config{}) // a *sql.DB you already have
//
// The store creates and migrates its own tables (names start with
// scimkit_), versioned and idempotent; two replicas starting at once
// serialise on a lock (an advisory lock in PostgreSQL, the write lock in
// SQLite). Each resource is one row: its attributes as a JSON document
// (jsonb in PostgreSQL) plus indexed columns for what Entra matches on —
// the case-folded userName (users) or displayName (groups), unique per
// tenant in the database itself, and externalId. Group membership is a
// table of its own, so adding or removing a member writes one row.
//
// Filters: an equality on userName, displayName, externalId or id is
// answered by the index. In PostgreSQL, the other string equalities of a
// filter's top-level "and" (emails[type eq "work"].value eq "x",
// name.familyName eq "x", extension attributes) become conditions on the
// jsonb document that keep only rows that can match. What remains is
// evaluated in Go (store.Filter) over those rows, so results are exactly
// those of the in-memory store. Values and JSON keys are always bound as
// parameters, never spliced into SQL. Filters without such equalities
// (co, sw, or, not …) read every row of the tenant and type. Update runs in a transaction that locks the row
// and checks the version, so concurrent writers on any replica never lose
// each other's writes.
//
// Database faults (a lost or refused connection, a server shutting down
// or starting up, too many connections, timeouts, serialisation failures
// and SQLite's busy lock that outlast the retries, I/O errors) are
// returned as a *store.UnavailableError, which the Handler answers with
// 503 and Retry-After; its OutcomeUnknown says that a connection was lost
// during a COMMIT, or before a write's result could be read back. The
// pool drops a connection the server closed once it has failed, and
// pings one idle for over a second before reusing it, so the store
// reconnects by itself; a transaction whose BEGIN meets a dead connection
// runs again on another.
package sqlstore
