package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	_ "modernc.org/sqlite" // registers "sqlite"

	"github.com/scimkit/scimkit/store/sqlstore"
)

// DSN is the data source name Open uses for the file path: WAL mode with
// full sync (a write that returned survives a crash), transactions that
// take the write lock up front (_txlock=immediate) and a busy timeout, as
// sqlstore.SQLite expects.
func DSN(path string) string {
	return "file:" + path + "?_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(ON)"
}

// Open opens (creating it if needed) the SQLite database file path with
// modernc.org/sqlite (pure Go, no cgo) and returns a Store, migrated
// unless cfg.NoMigrate.
func Open(ctx context.Context, path string, cfg sqlstore.Config) (*sqlstore.Store, error) {
	db, err := sql.Open("sqlite", DSN(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	s, err := sqlstore.New(ctx, db, sqlstore.SQLite(), cfg)
	if err != nil {
		db.Close()
	}
	return s, err
}
