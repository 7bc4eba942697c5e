// Package sqlstore is a store.Store over database/sql, for PostgreSQL
// (jackc/pgx/v5) and SQLite (modernc.org/sqlite, pure Go): the store that
// survives restarts and serves several replicas of one service.
//
//	st, err := postgres.Open(ctx, "postgres://app@db/app", sqlstore.Config{})
//	st, err := sqlite.Open(ctx, "scim.db", sqlstore.Config{})
//	st, err := sqlstore.New(ctx, db, sqlstore.Postgres(), sqlstore.Config{}) // a *sql.DB you already have
//
// The store creates and migrates its own tables (names start with
// scimkit_, or Config.TablePrefix), versioned and idempotent; two replicas
// starting at once serialise on a lock (an advisory lock in PostgreSQL,
// the write lock in SQLite). A team whose DBA applies DDL itself sets
// Config.NoMigrate and applies Migrations. Each resource is one row: its
// attributes as a JSON document (jsonb in PostgreSQL) plus columns for
// what is indexed. Unique values (userName, a group's displayName, any
// attribute a schema marks unique) have a table of their own whose
// primary key is the uniqueness check, atomic across replicas. Group
// membership is a table of its own, so adding or removing a member writes
// one row.
//
// # Round trips
//
// Each request of Entra's provisioning cycle is as few statements as it
// can be (TestStatementsPerOperation holds them): in PostgreSQL a filter
// (hit or miss), a GET, a create and a member add or remove are one
// statement each — a user's groups and a group's members come in the same
// statement, aggregated in SQL — and a PATCH or PUT is two (a read, then
// an UPDATE … RETURNING that checks the version read, with no
// transaction held). An update that changes a unique value or the member
// list runs in a transaction holding the row lock. pgx prepares and
// caches each statement per connection.
//
// # Filters
//
// Every filter becomes a SQL condition with exactly Match's meaning
// (store.Node documents it): comparisons of strings (co, sw, ew with
// escaped LIKE patterns or instr/substr; case-folded as Go folds ASCII
// text where caseExact is false), booleans, meta.created and
// meta.lastModified, pr, null, and, or, not, value filters over
// multi-valued attributes and over a group's members or a user's groups.
// sortBy on a single-valued string attribute, id and meta dates is an
// ORDER BY. When SQL decides the filter and the order, the page, its
// count and the members come from the database; an equality on a unique
// attribute, externalId or id, an "X.value eq" on a multi-valued attribute
// (scimkit_values, GIN) and meta.lastModified comparisons use indexes,
// and so does userName co/sw/ew when the pg_trgm extension is installed
// (detected at start, never required). Values and JSON keys that are not
// attribute names are bound as parameters, never spliced into SQL.
//
// What SQL cannot decide exactly — numbers and dateTimes inside the
// document, case-insensitive comparisons with a non-ASCII literal, a
// filter of more than store.WorkPerResource comparisons, a sortBy on a
// multi-valued or non-string attribute — becomes a superset condition,
// and List decides the rows it keeps in Go, reading at most
// Config.MaxFallbackRows of them (past that: store.ErrFilterTooCostly,
// which the Handler answers 400 tooMany). Results are the same either way.
//
// Values too long for a btree entry (about 2.7 KB in PostgreSQL) are
// indexed by a hash (unique values) or a prefix (externalId) and compared
// in full; a text no column can hold (U+0000, invalid UTF-8) matches
// nothing instead of failing the statement.
//
// # Indexes
//
// scimkit_resources: its primary key (tenant, type, id); (tenant, id);
// (tenant, type, created_ns, id), the default order and cursor paging;
// (tenant, type, modified_ns, id), meta.lastModified comparisons;
// (tenant, type, left(external_id, 256)) in PostgreSQL, (tenant, type,
// external_id) in SQLite; in PostgreSQL a GIN index on
// scimkit_values(attributes), and, when pg_trgm is installed, a GIN
// trigram index on users' folded userName
// (lower(translate(attributes ->> 'userName', 'KELVIN SIGN + İ', 'ki')
// COLLATE "C") gin_trgm_ops) — with Config.NoMigrate that last one is
// yours to create, as trigram.go writes it. scimkit_unique: its primary
// key (tenant, type, attribute, key) and (tenant, type, id).
// scimkit_members: its primary key (tenant, group_id, member_id) and
// (tenant, member_id).
//
// # Change feed
//
// With Config.Feed.Enabled, the Store is a store.Feed: a transactional
// outbox. Every write — Create, Update (PUT and PATCH), Delete,
// PatchMembers — inserts the events store.Changes computes (stamped by
// store.StampEvents: id, tenant, principal, request id, time) in the
// same statement or transaction as the change, so a committed write
// always has its events and a write that failed or was rolled back has
// none, whatever crashes when. A write that changes nothing inserts
// none. PatchMembers' events are its effective changes (a member already
// there is not added again, removing a non-member is nothing), and a
// deleted user or group leaves one member.removed per group it was in,
// with that group's new version. Whether or
// not the feed is on, a write made with a store.WithCommitted context
// reports its events to store.Committed once committed.
//
// Ordering: each tenant's events carry a Seq that increases in commit
// order with no gaps a consumer could skip: a write bumps its tenant's
// head row (scimkit_feed_heads) as its last step, and the row lock,
// held until the commit, makes the tenant's writers take their Seqs in
// the order they commit. The cost is that writes of one tenant commit one
// after another from that step on (writes of different tenants do not
// wait for each other).
//
// Claim's cost grows with the tenants the feed has met: it looks among
// the consumer's tenants for the one claimed least recently that has
// events (BenchmarkPostgresFeedIdleClaim, a Claim that finds nothing:
// 0.17 ms at 10 tenants, 2.7 ms at 1,000, about 20 ms at 10,000). With
// thousands of tenants, claim large batches (max) and keep the
// PollInterval at seconds: the cost is per Claim, not per event.
//
// Delivery: Claim leases up to max events of one tenant to a consumer
// name; replicas of one consumer share the tenants (in PostgreSQL the
// consumer's row is taken FOR UPDATE SKIP LOCKED: no replica waits for
// another, no tenant is leased twice), and each tenant's events are
// handled in order. Ack advances the consumer's position if the lease is
// still the batch's (else store.ErrLeaseLost). A batch not acknowledged
// before its lease expires — its consumer died, say — is claimed again:
// delivery is at least once, and Event.ID, stable across deliveries, lets
// a consumer skip what it handled. A consumer name new to a tenant starts
// at the oldest event kept. Leases expire by Config.Clock.
//
// Waking: in PostgreSQL the writes pg_notify (delivered on commit) and
// Wait returns when a notification arrives on the LISTEN connection that
// postgres.Open sets up (FeedConfig.Listen; it reconnects by itself), or
// after FeedConfig.PollInterval, to retake expired leases; SQLite
// consumers poll at PollInterval. A Store's own writes wake its own
// waiting consumers at once.
//
// Retention: events older than FeedConfig.Retention (default seven days),
// acknowledged or not, are deleted by PruneFeed, up to 1,000 per call;
// Claim calls it at most once a minute. Tables: scimkit_feed (tenant,
// seq), indexed by time for pruning; scimkit_feed_heads;
// scimkit_feed_consumers (consumer, tenant: position and lease). They
// exist whether or not the feed is on.
//
// Cost (TestStatementsPerOperation, BenchmarkPostgresFeed…): without the
// feed, nothing. With it, in PostgreSQL a create, a PATCH's UPDATE and a
// member add or remove stay one statement each (the events, the head and
// the notification are CTEs of the write; a member patch finds its
// effective changes with RETURNING), and a write that needs a
// transaction adds one statement to it. Measured on loopback (a shared
// 2-core machine), the feed adds 8–11% to a create request and 4% to
// Entra's 5-operation PATCH request through the Handler
// (BenchmarkHandlerFeedOverhead), and 12–14% to a bare Store create or
// Update (BenchmarkPostgresFeedOverhead): about 100 µs of
// database work, the event row, its index entries and the head's new
// version; working out the events in Go (store.Changes) costs 5–14 µs,
// and a write's single event is passed as parameters (a JSON array,
// which PostgreSQL parses more slowly, only for several). In SQLite a write adds two statements to its
// transaction, a PATCH becomes a transaction, and a member patch reads
// the memberships it changes first (create 4 → 6 statements, PATCH 2 →
// 6, member add 6 → 9; SQLite's statements are calls, not round trips).
// Before and After documents are kept only with FeedConfig.Values.
//
// # Health
//
// CheckHealth pings the database within its context, for a readiness
// endpoint.
//
// Drivers: sqlstore links none. Open stores with store/sqlstore/postgres
// (pgx) or store/sqlstore/sqlite (modernc), or hand New a *sql.DB.
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
