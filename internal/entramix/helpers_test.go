package entramix_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
)

// token is the bearer token every server of these tests accepts.
const token = "entramix-token"

// scimkitHandler returns a scimkit Handler over st built as a service
// would build it, and the warnings and errors it logs. Every line is
// formatted as in production, then discarded.
func scimkitHandler(t testing.TB, st store.Store) (http.Handler, *errorLog) {
	t.Helper()
	logs := &errorLog{}
	h, err := scim.NewHandler(scim.Config{
		Store:   st,
		Auth:    auth.StaticTokens(auth.Token{Secret: token, Tenant: "acme", Name: "entramix"}),
		BaseURL: "https://scim.example.com/scim/v2",
		Logger:  slog.New(&captureHandler{Handler: slog.NewTextHandler(io.Discard, nil), log: logs}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, logs
}

// errorLog keeps the first warnings and errors a Handler logged.
type errorLog struct {
	mu    sync.Mutex
	n     int
	lines []string
}

// String returns how many lines were logged and the first of them.
func (l *errorLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("%d warnings and errors logged; the first:\n%s", l.n, strings.Join(l.lines, "\n"))
}

// Len returns the number of warnings and errors logged.
func (l *errorLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// captureHandler passes every record on to Handler and keeps those of
// level warning and up in log.
type captureHandler struct {
	slog.Handler
	log *errorLog
}

func (h *captureHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
		r.Attrs(func(a slog.Attr) bool {
			if a.Key != "stack" {
				fmt.Fprintf(&b, " %s", a)
			}
			return true
		})
		h.log.mu.Lock()
		h.log.n++
		if len(h.log.lines) < 10 {
			h.log.lines = append(h.log.lines, b.String())
		}
		h.log.mu.Unlock()
	}
	return h.Handler.Handle(ctx, r)
}

func (h *captureHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &captureHandler{Handler: h.Handler.WithAttrs(attrs), log: h.log}
}

func (h *captureHandler) WithGroup(name string) slog.Handler {
	return &captureHandler{Handler: h.Handler.WithGroup(name), log: h.log}
}

// openSQLStore opens scimkit's SQL store on the PostgreSQL of dsn the way
// its PostgreSQL opener does: pgx through database/sql, which caches each
// statement prepared per connection, and at most 16 connections.
func openSQLStore(t testing.TB, dsn string) *sqlstore.Store {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	st, err := sqlstore.New(context.Background(), db, sqlstore.Postgres(), sqlstore.Config{})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newPool opens a pgx pool of 16 connections on dsn, as many as
// scimkit's PostgreSQL opener allows.
func newPool(t testing.TB, dsn string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// settle runs VACUUM ANALYZE on every table of the schema dsn's
// search_path names (autovacuum is off on the benchmark machine), then a
// CHECKPOINT when the role may, so that the measurement starts with fresh
// statistics and no pending checkpoint. Statistics matter: on tables never
// analyzed, PostgreSQL has answered scimkit's userName filter with a
// nested loop over every user (about 1 s a filter at 1,000 users).
func settle(t testing.TB, dsn string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT schemaname, tablename FROM pg_tables WHERE schemaname = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (pgx.Identifier, error) {
		var schema, table string
		err := row.Scan(&schema, &table)
		return pgx.Identifier{schema, table}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) == 0 {
		t.Fatal("settle: no tables in the schema of the search_path")
	}
	for _, table := range tables {
		if _, err := conn.Exec(ctx, `VACUUM ANALYZE `+table.Sanitize()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Exec(ctx, `CHECKPOINT`); err != nil {
		t.Logf("no CHECKPOINT before measuring: %v", err)
	}
}
