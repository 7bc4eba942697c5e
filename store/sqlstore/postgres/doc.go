// Package postgres opens a sqlstore.Store on PostgreSQL through
// github.com/jackc/pgx/v5. Importing it links pgx and nothing of SQLite:
// a PostgreSQL-only service pays only for its database.
//
//	st, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), sqlstore.Config{})
//
// A team that already has a *sql.DB (from pgx's stdlib, with its own pool
// settings) calls sqlstore.New(ctx, db, sqlstore.Postgres(), cfg) instead.
package postgres
