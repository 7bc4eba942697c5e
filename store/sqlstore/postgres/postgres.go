package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"

	"github.com/scimkit/scimkit/store/sqlstore"
)

// MaxConns is the pool size Open sets (PostgreSQL allows 100 connections
// by default, shared by every replica); change it with
// Store.DB().SetMaxOpenConns.
const MaxConns = 16

// Open connects to PostgreSQL with pgx (which caches each statement,
// prepared, per connection) and returns a Store, migrated unless
// cfg.NoMigrate. With the change feed enabled (cfg.Feed) and no
// cfg.Feed.Listen, consumers are woken by LISTEN/NOTIFY on a connection of
// their own (Listener), opened at the first Wait.
func Open(ctx context.Context, dsn string, cfg sqlstore.Config) (*sqlstore.Store, error) {
	if cfg.Feed.Enabled && cfg.Feed.Listen == nil {
		cfg.Feed.Listen = Listener(dsn)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db.SetMaxOpenConns(MaxConns)
	db.SetMaxIdleConns(MaxConns)
	// Connections are replaced now and then, so that a pool recovers
	// evenly after a failover or a restart of the database.
	db.SetConnMaxLifetime(30 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connecting: %w", err)
	}
	s, err := sqlstore.New(ctx, db, sqlstore.Postgres(), cfg)
	if err != nil {
		db.Close()
	}
	return s, err
}
