// Package entramix replays Microsoft Entra ID's provisioning mix against a
// SCIM endpoint and measures it next to two floors: what a bare net/http
// server serves for the same traffic with canned answers, and with the one
// SQL statement each request minimally needs on PostgreSQL.
//
// # The mix
//
// A [Driver] runs N concurrent clients (16 by default) over keep-alive
// connections. Each client loops over Entra steps, one new user each:
//
//	GET   /Users?filter=userName eq "<new name>"   200, totalResults 0
//	POST  /Users                                    201, Entra's create body
//	GET   /Users?filter=userName eq "<new name>"   200, totalResults 1
//	PATCH /Users/{id}                               200 or 204, five operations in Entra's shape
//	GET   /Users/{id}                               200
//
// and every tenth step also adds the new user to one of a few groups the
// driver creates at the start (PATCH /Groups/{id}, 200 or 204). Every
// status and the ids in the answers are checked; a failed check counts an
// error, keeps the first answers that failed, and abandons the step. A run
// is bounded by a number of steps or a duration, and the driver talks only
// to a loopback IP address (it refuses any other base URL, and its dialer
// any other address). [Driver.Seed] fills a server with a population first
// (users spread over groups), so that indexes matter.
//
// # The floors
//
// [Canned] answers every route with a canned body; it keeps only a map from
// userName to id so that the filter after a create finds the user.
// [PostgresFloor] sends one SQL statement per request over a pgx pool:
// an indexed lookup by user_name for the filter, one INSERT for a create,
// one UPDATE … SET doc = doc || $2 RETURNING doc for a PATCH (the merge is
// computed crudely from the operations: it is a floor, not PATCH), one
// SELECT by id for a GET and one INSERT … ON CONFLICT DO NOTHING for a
// member add. [Serve] starts either, or a scimkit Handler, on 127.0.0.1
// under /scim/v2.
//
// # Running the comparison
//
// A plain go test checks the driver and the floors briefly (PostgreSQL
// parts are skipped without SCIMKIT_POSTGRES_DSN). The comparison is a
// benchmark. BenchmarkEntraMix has four sub-benchmarks run one after the
// other, canned, scimkit-memory, postgres-floor and scimkit-postgres; each
// serves its server on 127.0.0.1, seeds 10,000 users in 20 groups (on
// PostgreSQL then VACUUM ANALYZE and CHECKPOINT: autovacuum may be off),
// replays the mix in batches of 800 steps for the bench time, and reports
// req/s, errors and, for scimkit, %of-floor: its req/s as a percentage of
// its floor's. BenchmarkEntraMixPaired (memory, postgres) starts the floor
// and scimkit side by side and alternates half-second slices of the mix
// between them, so that both see the same background load: on a busy
// machine its %of-floor is the steadier number.
//
//	SCIMKIT_POSTGRES_DSN='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//	    go test -run '^$' -bench EntraMix -benchtime 20s ./internal/entramix
//
// Each PostgreSQL server works in a fresh schema of that database, dropped
// at its end, with a pool of 16 connections on both sides (the default of
// scimkit's PostgreSQL opener). The clients and the server share the
// machine, as they did when the numbers of the issue were taken. A request
// that fails its check, or a warning or error scimkit logs, fails the
// benchmark and shows the first of them.
//
// To point the mix at any scimkit server already running on this machine:
//
//	go run ./internal/entramix/cmd/mixload -url http://127.0.0.1:8080/scim/v2 -token secret -duration 20s
package entramix
