// Command ownmodel is the starter for a service that already has users:
// its own accounts, teams and sessions tables in SQLite or PostgreSQL
// (schema.go), a store.Store over them with plain database/sql (store.go,
// list.go; accounts.go and teams.go map SCIM onto the columns), a hook
// that ends a deactivated user's sessions (hooks.go), a seat limit kept
// in the Store's transactions (seats.go), and the SCIM Handler mounted
// beside the service's own routes:
//
//	go run ./examples/ownmodel                      # SQLite file ownmodel.db
//	go run ./examples/ownmodel -db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable' -seats 50
//
// It prints the SCIM endpoint and the bearer token to give Entra. Then
// /login?user=USERNAME opens a session for a provisioned user and
// /sessions lists the open ones: disable the user in Entra and its
// sessions are gone.
//
// Its tests run scimkit's Store conformance suite (storetest.Run) on
// SQLite and PostgreSQL, and the Entra and Okta replays: copy those too.
// README.md says what to change for your own schema.
package main
