package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
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
		// 3: uniqueness of any attribute of any resource type: one row per
		// unique value a resource holds (the primary key is the check), and
		// the values themselves in the resource's row. Users' userName and
		// groups' displayName move there from unique_key, whose unique
		// index goes: every replica must run this version or a later one.
		`CREATE TABLE IF NOT EXISTS scimkit_unique (
			tenant    TEXT NOT NULL,
			type      TEXT NOT NULL,
			attribute TEXT NOT NULL,
			key       TEXT NOT NULL,
			id        TEXT NOT NULL,
			PRIMARY KEY (tenant, type, attribute, key)
		);
		CREATE INDEX IF NOT EXISTS scimkit_unique_id ON scimkit_unique (tenant, type, id);
		ALTER TABLE scimkit_resources ADD COLUMN unique_values TEXT NOT NULL DEFAULT '';
		INSERT INTO scimkit_unique (tenant, type, attribute, key, id)
			SELECT tenant, type, CASE WHEN type = 'User' THEN 'userName' ELSE 'displayName' END, unique_key, id
			FROM scimkit_resources WHERE unique_key <> '';
		UPDATE scimkit_resources SET unique_values = ` + d.uniqueBackfill() + ` WHERE unique_key <> '';
		UPDATE scimkit_resources SET display_name = user_name WHERE type = 'User' AND display_name = '';
		DROP INDEX IF EXISTS scimkit_resources_unique;
		UPDATE scimkit_resources SET unique_key = '';`,
		// 4: values too long for a btree entry (about 2.7 KB in
		// PostgreSQL) are indexed by a hash or a prefix; lastModified is
		// indexed, for clients that page by it.
		d.longValuesSQL() + `
		CREATE INDEX IF NOT EXISTS scimkit_resources_modified ON scimkit_resources (tenant, type, modified_ns, id);`,
		// 5: the values of multi-valued complex attributes (emails,
		// phoneNumbers …), indexed for filters such as
		// emails[type eq "work" and value eq "x"] (PostgreSQL).
		d.valuesIndexSQL(),
		// 6: the change feed (feed.go): events in commit order per
		// tenant, each tenant's head (the last Seq handed out; its row
		// lock orders a tenant's writers), and each consumer's position
		// and lease per tenant.
		`CREATE TABLE IF NOT EXISTS scimkit_feed (
			tenant      TEXT   NOT NULL,
			seq         BIGINT NOT NULL,
			id          TEXT   NOT NULL,
			kind        TEXT   NOT NULL,
			type        TEXT   NOT NULL,
			resource_id TEXT   NOT NULL,
			version     TEXT   NOT NULL DEFAULT '',
			paths       TEXT   NOT NULL DEFAULT '',
			member      TEXT   NOT NULL DEFAULT '',
			before_doc  TEXT   NOT NULL DEFAULT '',
			after_doc   TEXT   NOT NULL DEFAULT '',
			principal   TEXT   NOT NULL DEFAULT '',
			request_id  TEXT   NOT NULL DEFAULT '',
			time_ns     BIGINT NOT NULL,
			PRIMARY KEY (tenant, seq)
		);
		CREATE INDEX IF NOT EXISTS scimkit_feed_time ON scimkit_feed (time_ns);
		CREATE TABLE IF NOT EXISTS scimkit_feed_heads (
			tenant TEXT   NOT NULL PRIMARY KEY,
			seq    BIGINT NOT NULL
		);
		CREATE TABLE IF NOT EXISTS scimkit_feed_consumers (
			consumer   TEXT   NOT NULL,
			tenant     TEXT   NOT NULL,
			acked      BIGINT NOT NULL DEFAULT 0,
			lease      TEXT   NOT NULL DEFAULT '',
			until_ns   BIGINT NOT NULL DEFAULT 0,
			claimed_ns BIGINT NOT NULL DEFAULT 0,
			PRIMARY KEY (consumer, tenant)
		);`,
	}
}

// valuesIndexSQL creates scimkit_values(document): "attribute:value" for
// the string "value" of every element of every top-level multi-valued
// attribute, case-folded as Go's strings.EqualFold folds ASCII text (the
// KELVIN SIGN and the long s read as k and s) — and a GIN index on it.
// List adds "scimkit_values(r.attributes) @> ARRAY[…]" to a filter that
// requires such a value, so that the index finds the candidates.
func (d Dialect) valuesIndexSQL() string {
	if d.name != "postgres" {
		return ``
	}
	return `CREATE OR REPLACE FUNCTION scimkit_values(doc jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
		SELECT coalesce(array_agg(DISTINCT a.key || ':' || lower(translate(e ->> 'value', '` + "\u212a\u017f" + `', 'ks') COLLATE "C")), '{}')
		FROM jsonb_each(CASE WHEN jsonb_typeof(doc) = 'object' THEN doc ELSE '{}'::jsonb END) a,
			jsonb_array_elements(CASE WHEN jsonb_typeof(a.value) = 'array' THEN a.value ELSE '[]'::jsonb END) e
		WHERE jsonb_typeof(e) = 'object' AND jsonb_typeof(e -> 'value') = 'string'
	$f$;
	CREATE INDEX IF NOT EXISTS scimkit_resources_values ON scimkit_resources USING gin (scimkit_values(attributes));`
}

// longValuesSQL re-keys long unique values (Dialect.indexKey) and indexes
// a prefix of externalId, in PostgreSQL; SQLite has no such limit.
func (d Dialect) longValuesSQL() string {
	if d.name != "postgres" {
		return ``
	}
	return `UPDATE scimkit_unique SET key = '` + hashedPrefix + `' || encode(sha256(convert_to(key, 'UTF8')), 'hex')
			WHERE octet_length(key) > ` + strconv.Itoa(maxKeyBytes) + ` OR key LIKE '` + hashedPrefix + `%';
		DROP INDEX IF EXISTS scimkit_resources_external;
		CREATE INDEX IF NOT EXISTS scimkit_resources_external ON scimkit_resources (tenant, type, left(external_id, 256));`
}

// uniqueBackfill is the SQL expression of a migrated user's or group's
// unique_values: its userName or displayName as a JSON array of one.
func (d Dialect) uniqueBackfill() string {
	attr := `CASE WHEN type = 'User' THEN 'userName' ELSE 'displayName' END`
	value := `CASE WHEN type = 'User' THEN user_name ELSE display_name END`
	if d.name == "postgres" {
		return `json_build_array(json_build_object('attribute', ` + attr + `, 'value', ` + value + `, 'caseExact', false))::text`
	}
	return `json_array(json_object('attribute', ` + attr + `, 'value', ` + value + `, 'caseExact', json('false')))`
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

// Migration is one step of the store's schema. A team whose DBA applies
// DDL with a migration tool sets Config.NoMigrate and applies these
// instead, in order, each once, in one transaction each, recording each
// Version in the schema-version table as New would:
//
//	CREATE TABLE IF NOT EXISTS scimkit_schema_version (version INTEGER PRIMARY KEY, applied_ns BIGINT NOT NULL);
//	-- then, per migration: its SQL, and
//	INSERT INTO scimkit_schema_version (version, applied_ns) VALUES (<Version>, <Unix nanoseconds>);
//
// (with the table prefix of Config.TablePrefix). New with NoMigrate checks
// that the database is at the last Version.
type Migration struct {
	Version int
	SQL     string
}

// Migrations returns the migrations of dialect d, with table, index and
// function names prefixed as cfg says. Tables: <prefix>resources (one row
// per resource: its document and indexed columns), <prefix>members
// (group memberships), <prefix>unique (one row per unique value held; its
// primary key enforces uniqueness), <prefix>feed, <prefix>feed_heads and
// <prefix>feed_consumers (the change feed, created whether or not
// Config.Feed is enabled), <prefix>schema_version. Indexes are
// documented in each migration.
func Migrations(d Dialect, cfg Config) ([]Migration, error) {
	prefix, err := tablePrefix(cfg)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for i, m := range d.migrations() {
		out = append(out, Migration{Version: i + 1, SQL: withPrefix(m, prefix)})
	}
	return out, nil
}

// tablePrefix is cfg's table prefix, checked.
func tablePrefix(cfg Config) (string, error) {
	p := cfg.TablePrefix
	if p == "" {
		return "scimkit_", nil
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !('a' <= c && c <= 'z' || c == '_' || i > 0 && '0' <= c && c <= '9') || len(p) > 40 {
			return "", fmt.Errorf("sqlstore: table prefix %q: want lower-case letters, digits and _, starting with a letter or _", p)
		}
	}
	return p, nil
}

// withPrefix renames scimkit_ tables, indexes and functions in q.
func withPrefix(q, prefix string) string {
	if prefix == "scimkit_" {
		return q
	}
	return strings.ReplaceAll(q, "scimkit_", prefix)
}

// migrate brings the schema up to date. It is safe to run from several
// processes at once: the first takes the lock and migrates, the others
// wait and find nothing to do. With noMigrate it only checks the version.
func (s *Store) migrate(ctx context.Context, noMigrate bool) error {
	prefix := s.stmts.prefix
	ms := s.d.migrations()
	if noMigrate {
		var current sql.NullInt64
		if err := s.db.QueryRowContext(ctx, withPrefix(`SELECT MAX(version) FROM scimkit_schema_version`, prefix)).Scan(&current); err != nil {
			return fmt.Errorf("sqlstore: reading the schema version (Config.NoMigrate is set: apply sqlstore.Migrations first): %w", err)
		}
		if int(current.Int64) != len(ms) {
			return fmt.Errorf("sqlstore: the database is at schema version %d, this scimkit needs %d (Config.NoMigrate is set: apply sqlstore.Migrations)", current.Int64, len(ms))
		}
		return nil
	}
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
	if _, err := tx.ExecContext(ctx, withPrefix(`CREATE TABLE IF NOT EXISTS scimkit_schema_version (
		version    INTEGER PRIMARY KEY,
		applied_ns BIGINT  NOT NULL)`, prefix)); err != nil {
		return fmt.Errorf("sqlstore: creating the schema-version table: %w", err)
	}
	var current sql.NullInt64
	if err := tx.QueryRowContext(ctx, withPrefix(`SELECT MAX(version) FROM scimkit_schema_version`, prefix)).Scan(&current); err != nil {
		return fmt.Errorf("sqlstore: reading the schema version: %w", err)
	}
	if int(current.Int64) > len(ms) {
		return fmt.Errorf("sqlstore: the database is at schema version %d, newer than this scimkit (%d); upgrade scimkit", current.Int64, len(ms))
	}
	for v := int(current.Int64) + 1; v <= len(ms); v++ {
		if _, err := tx.ExecContext(ctx, withPrefix(ms[v-1], prefix)); err != nil {
			return fmt.Errorf("sqlstore: migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, s.sql(`INSERT INTO scimkit_schema_version (version, applied_ns) VALUES (?, ?)`), v, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("sqlstore: recording migration %d: %w", v, err)
		}
	}
	if err := s.trigramIndex(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}
