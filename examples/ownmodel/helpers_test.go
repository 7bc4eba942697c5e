package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/scimkit/scimkit/internal/teststore"
)

// database is one test database: the product's tables, empty.
type database struct {
	name string
	open func(t testing.TB) (*sql.DB, dialect)
}

// databases are SQLite, in a file of the test's temporary directory, and
// PostgreSQL, in a fresh schema (skipped without SCIMKIT_POSTGRES_DSN,
// failed without it under SCIMKIT_REQUIRE_POSTGRES=1).
var databases = []database{
	{"sqlite", openSQLite},
	{"postgres", openPostgres},
}

func openSQLite(t testing.TB) (*sql.DB, dialect) {
	t.Helper()
	return mustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "ownmodel.db"))
}

func openPostgres(t testing.TB) (*sql.DB, dialect) {
	t.Helper()
	db, d := mustOpen(t, teststore.FreshSchema(t))
	// Parallel test packages share the server's max_connections.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	return db, d
}

func mustOpen(t testing.TB, spec string) (*sql.DB, dialect) {
	t.Helper()
	db, d, err := openDB(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, d
}
