package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are applied in order; each runs once per database. Never edit
// one that has shipped: add another.
func (d Dialect) migrations() []string {
	return []string{
		// 1: resources and memberships.
		`CREATE TABLE IF NOT EXISTS scimkit_resources (
			tenant       TEXT    NOT NULL,
			type         TEXT    NOT NULL,
			id           TEXT    NOT NULL,
			unique_key   TEXT    NOT NULL,
			user_name    TEXT    NOT NULL DEFAULT '',
			display_name TEXT    NOT NULL DEFAULT '',
			external_id  TEXT    NOT NULL DEFAULT '',
			attributes   ` + d.jsonType + ` NOT NULL,
			schemas      TEXT    NOT NULL DEFAULT '',
			created_ns   BIGINT  NOT NULL,
			modified_ns  BIGINT  NOT NULL,
			version      BIGINT  NOT NULL,
			PRIMARY KEY (tenant, type, id)
		);
		CREATE UNIQUE INDEX IF NOT EXISTS scimkit_resources_unique ON scimkit_resources (tenant, type, unique_key);
		CREATE INDEX IF NOT EXISTS scimkit_resources_external ON scimkit_resources (tenant, type, external_id);
		CREATE INDEX IF NOT EXISTS scimkit_resources_order ON scimkit_resources (tenant, type, created_ns, id);
		CREATE INDEX IF NOT EXISTS scimkit_resources_id ON scimkit_resources (tenant, id);
		CREATE TABLE IF NOT EXISTS scimkit_members (
			tenant      TEXT   NOT NULL,
			group_id    TEXT   NOT NULL,
			member_id   TEXT   NOT NULL,
			member_type TEXT   NOT NULL,
			display     TEXT   NOT NULL DEFAULT '',
			added_ns    BIGINT NOT NULL,
			PRIMARY KEY (tenant, group_id, member_id)
		);
		CREATE INDEX IF NOT EXISTS scimkit_members_member ON scimkit_members (tenant, member_id);`,
		// 2: earlier scimkit versions stored a password set by PATCH, and the
		// manager's $ref built from a request's Host header. Neither is
		// stored any more: remove what older versions left.
		d.scrubSQL(),
	}
}

// scrubSQL removes users' top-level "password" and the enterprise
// manager's "$ref" from stored documents.
func (d Dialect) scrubSQL() string {
	const mgr = `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`
	if d.name == "postgres" {
		return `UPDATE scimkit_resources
			SET attributes = (attributes - 'password') #- '{` + mgr + `,manager,$ref}'
			WHERE type = 'User' AND (attributes ? 'password' OR attributes #> '{` + mgr + `,manager,$ref}' IS NOT NULL);`
	}
	return `UPDATE scimkit_resources
		SET attributes = json_remove(attributes, '$.password', '$."` + mgr + `".manager."$ref"')
		WHERE type = 'User' AND (json_type(attributes, '$.password') IS NOT NULL OR json_type(attributes, '$."` + mgr + `".manager."$ref"') IS NOT NULL);`
}

// migrate brings the schema up to date. It is safe to run from several
// processes at once: the first takes the lock and migrates, the others
// wait and find nothing to do.
func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: migrating: %w", err)
	}
	defer tx.Rollback()
	if s.d.migrateSQL != "" {
		if _, err := tx.ExecContext(ctx, s.d.migrateSQL); err != nil {
			return fmt.Errorf("sqlstore: taking the migration lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS scimkit_schema_version (
		version    INTEGER PRIMARY KEY,
		applied_ns BIGINT  NOT NULL)`); err != nil {
		return fmt.Errorf("sqlstore: creating scimkit_schema_version: %w", err)
	}
	var current sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM scimkit_schema_version`).Scan(&current); err != nil {
		return fmt.Errorf("sqlstore: reading the schema version: %w", err)
	}
	ms := s.d.migrations()
	if int(current.Int64) > len(ms) {
		return fmt.Errorf("sqlstore: the database is at schema version %d, newer than this scimkit (%d); upgrade scimkit", current.Int64, len(ms))
	}
	for v := int(current.Int64) + 1; v <= len(ms); v++ {
		if _, err := tx.ExecContext(ctx, ms[v-1]); err != nil {
			return fmt.Errorf("sqlstore: migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO scimkit_schema_version (version, applied_ns) VALUES (?, ?)`), v, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("sqlstore: recording migration %d: %w", v, err)
		}
	}
	return tx.Commit()
}
