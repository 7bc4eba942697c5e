// Package sqlite opens a sqlstore.Store on a SQLite file through
// modernc.org/sqlite (pure Go). Importing it links that driver and nothing
// of PostgreSQL.
//
//	st, err := sqlite.Open(ctx, "scim.db", sqlstore.Config{})
package sqlite
