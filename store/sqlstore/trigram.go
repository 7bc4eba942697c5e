package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// trigramIndex creates, in PostgreSQL with the pg_trgm extension
// installed, a trigram index on users' case-folded userName, so that
// "userName co …", "sw" and "ew" find their rows without a scan. Without
// pg_trgm nothing happens: the extension is used when present, never
// required (CREATE EXTENSION pg_trgm, then restart, to get the index;
// building it on a large table takes a while and blocks writes).
//
// It runs in migrate's transaction, under the migration lock, so replicas
// starting together do not race to build it.
func (s *Store) trigramIndex(ctx context.Context, tx *sql.Tx) error {
	if s.d.name != "postgres" {
		return nil
	}
	var ns string
	err := tx.QueryRowContext(ctx, `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`).Scan(&ns)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlstore: looking for pg_trgm: %w", err)
	}
	q := `CREATE INDEX IF NOT EXISTS scimkit_resources_username_trgm ON scimkit_resources
		USING gin ((lower(translate((attributes ->> 'userName'), '` + "\u212a\u0130" + `', 'ki') COLLATE "C")) "` + strings.ReplaceAll(ns, `"`, `""`) + `".gin_trgm_ops)`
	if _, err := tx.ExecContext(ctx, s.sql(q)); err != nil {
		return fmt.Errorf("sqlstore: creating the userName trigram index: %w", err)
	}
	return nil
}
