package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// The product's own tables. They are what a service had before it spoke
// SCIM: accounts with the columns its code reads, teams, the members of
// a team, and login sessions. Replace them with yours; accounts.go and
// teams.go are where SCIM attributes meet these columns.
//
// Two columns exist for SCIM alone: user_name_key and name_key hold
// store.FoldKey of the login and the team name, under a unique index, so
// that "Alice@X" and "alice@x" cannot both exist, as Entra expects
// (userName is unique case-insensitively; a 409 is what it handles).
// scim_extra keeps, as JSON, the attributes the product has no column for
// (phone numbers, addresses, the enterprise extension's department …), so
// that a GET returns what Entra wrote and Entra does not PATCH them again
// every cycle. TEXT rather than PostgreSQL's jsonb keeps the DDL portable;
// nothing queries inside it.
//
// sessions has no foreign key to accounts on purpose: sessions often live
// elsewhere (a cache, a token table of another service), and ending them
// is the hook's job (hooks.go), not a cascade's.
func schemaDDL(d dialect) []string {
	ts := d.timestamp
	return []string{
		`CREATE TABLE IF NOT EXISTS accounts (
			id            TEXT PRIMARY KEY,
			tenant        TEXT NOT NULL,
			user_name     TEXT NOT NULL,
			user_name_key TEXT NOT NULL,
			external_id   TEXT,
			display_name  TEXT,
			given_name    TEXT,
			family_name   TEXT,
			email         TEXT,
			active        BOOLEAN,
			manager_id    TEXT,
			scim_extra    TEXT NOT NULL,
			created       ` + ts + ` NOT NULL,
			updated       ` + ts + ` NOT NULL,
			revision      BIGINT NOT NULL
		)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS accounts_user_name_key ON accounts (tenant, user_name_key)`,
		`CREATE INDEX IF NOT EXISTS accounts_external_id ON accounts (tenant, external_id)`,
		`CREATE TABLE IF NOT EXISTS teams (
			id          TEXT PRIMARY KEY,
			tenant      TEXT NOT NULL,
			name        TEXT NOT NULL,
			name_key    TEXT NOT NULL,
			external_id TEXT,
			scim_extra  TEXT NOT NULL,
			created     ` + ts + ` NOT NULL,
			updated     ` + ts + ` NOT NULL,
			revision    BIGINT NOT NULL
		)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS teams_name_key ON teams (tenant, name_key)`,
		`CREATE INDEX IF NOT EXISTS teams_external_id ON teams (tenant, external_id)`,
		// A member is an account or a team (SCIM groups nest): one of the
		// two references is set. Foreign keys make a deleted member leave
		// every team, and stop a member from being deleted while a
		// concurrent write adds it.
		`CREATE TABLE IF NOT EXISTS team_members (
			team_id        TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
			position       BIGINT NOT NULL,
			account_id     TEXT REFERENCES accounts (id) ON DELETE CASCADE,
			member_team_id TEXT REFERENCES teams (id) ON DELETE CASCADE,
			display        TEXT,
			PRIMARY KEY (team_id, position),
			CHECK ((account_id IS NULL) <> (member_team_id IS NULL))
		)`,
		`CREATE INDEX IF NOT EXISTS team_members_account ON team_members (account_id)`,
		// One row per tenant, written when a tenant first takes a seat:
		// the lock on it orders the writes that take seats (seats.go).
		// A product has such a table already (its customers, their
		// plans); lock that row instead.
		`CREATE TABLE IF NOT EXISTS tenants (
			tenant TEXT PRIMARY KEY
		)`,
		`CREATE INDEX IF NOT EXISTS team_members_team ON team_members (member_team_id)`,
		`CREATE TABLE IF NOT EXISTS sessions (
			id         TEXT PRIMARY KEY,
			tenant     TEXT NOT NULL,
			account_id TEXT NOT NULL,
			created    ` + ts + ` NOT NULL
		)`,
		`CREATE INDEX IF NOT EXISTS sessions_account ON sessions (tenant, account_id)`,
	}
}

// createTables creates the tables that are missing. It is idempotent; a
// real service runs its own migrations instead.
func createTables(ctx context.Context, db *sql.DB, d dialect) error {
	for _, stmt := range schemaDDL(d) {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("ownmodel: creating tables: %w", err)
		}
	}
	return nil
}

// openDB opens the database the -db flag names: "sqlite:PATH" (a file,
// created if missing) or a PostgreSQL URL ("postgres://…",
// "postgresql://…"), and creates the tables.
func openDB(ctx context.Context, spec string) (*sql.DB, dialect, error) {
	driver, dsn, d, err := parseDB(spec)
	if err != nil {
		return nil, dialect{}, err
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, dialect{}, fmt.Errorf("ownmodel: %w", err)
	}
	if err := createTables(ctx, db, d); err != nil {
		db.Close()
		return nil, dialect{}, err
	}
	return db, d, nil
}

// parseDB maps a -db value to a database/sql driver name and DSN.
func parseDB(spec string) (driver, dsn string, d dialect, err error) {
	switch {
	case strings.HasPrefix(spec, "sqlite:"):
		path := strings.TrimPrefix(spec, "sqlite:")
		if path == "" || strings.ContainsAny(path, "?#") {
			return "", "", dialect{}, fmt.Errorf("ownmodel: -db %q: want sqlite:PATH, a file path without ? or #", spec)
		}
		// BEGIN IMMEDIATE (so a transaction holds the write lock from its
		// start), waiting for the lock rather than failing, WAL so that
		// readers do not wait for the writer, and foreign keys on.
		return "sqlite", "file:" + path + "?_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(ON)", sqliteDialect, nil
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		return "pgx", spec, postgresDialect, nil
	}
	return "", "", dialect{}, fmt.Errorf("ownmodel: -db %q: want sqlite:PATH or postgres://…", spec)
}
