package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/scimkit/scimkit/store"
)

// Store is a store.Store over a SQL database. It is safe for concurrent
// use, and several Stores (replicas) may share one database.
type Store struct {
	db    *sql.DB
	d     Dialect
	stmts statements

	maxFallback int

	now    func() time.Time
	mu     sync.Mutex
	lastNs int64 // last timestamp handed out: stamps are strictly increasing

	feed feedState
}

var (
	_ store.Store         = (*Store)(nil)
	_ store.MemberPatcher = (*Store)(nil)
	_ store.Feed          = (*Store)(nil)
)

// Config configures a Store built by New. The zero value is the default.
type Config struct {
	// Clock returns the current time, for Created, LastModified and the
	// default order. Nil: time.Now.
	Clock func() time.Time

	// MaxFallbackRows bounds the rows List reads to filter or sort in Go,
	// for a filter or sortBy SQL cannot decide exactly (see List); past
	// it List fails with store.ErrFilterTooCostly. Zero means
	// DefaultMaxFallbackRows.
	MaxFallbackRows int

	// TablePrefix starts the names of the store's tables, indexes and
	// functions (default "scimkit_"): lower-case letters, digits and _.
	// To keep them in a PostgreSQL schema of their own, set search_path
	// in the DSN instead (postgres://…?search_path=scim).
	TablePrefix string

	// NoMigrate: New does not create or migrate tables; it checks that
	// the database is at the schema version this package needs and fails
	// otherwise. For teams that apply DDL themselves (see Migrations).
	NoMigrate bool

	// Feed configures the change feed (store.Feed), off by default.
	Feed FeedConfig
}

// New returns a Store over db, a database of dialect d, creating or
// migrating its tables first.
func New(ctx context.Context, db *sql.DB, d Dialect, cfg Config) (*Store, error) {
	prefix, err := tablePrefix(cfg)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, d: d, now: cfg.Clock, stmts: statements{prefix: prefix}, maxFallback: cfg.MaxFallbackRows}
	if s.maxFallback <= 0 {
		s.maxFallback = DefaultMaxFallbackRows
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.migrate(ctx, cfg.NoMigrate); err != nil {
		return nil, err
	}
	s.feed.init(cfg.Feed)
	return s, nil
}

// Close stops the feed's listener, if any, and closes the database.
func (s *Store) Close() error {
	s.feed.stop()
	return s.db.Close()
}

// CheckHealth reports whether the database answers, within ctx.
func (s *Store) CheckHealth(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return s.d.unavailable(ctx, "CheckHealth", err)
	}
	return nil
}

// DB returns the database, for health checks and the like.
func (s *Store) DB() *sql.DB { return s.db }

// stamp returns the current time in Unix nanoseconds, strictly after the
// last stamp this Store handed out (creation order is the default order).
func (s *Store) stamp() int64 {
	ns := s.now().UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	if ns <= s.lastNs {
		ns = s.lastNs + 1
	}
	s.lastNs = ns
	return ns
}

// stamps reserves n consecutive stamps and returns the first.
func (s *Store) stamps(n int) int64 {
	ns := s.now().UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	if ns <= s.lastNs {
		ns = s.lastNs + 1
	}
	s.lastNs = ns + int64(max(n, 1)) - 1
	return ns
}

func tenantOf(ctx context.Context) (string, error) {
	t, ok := store.Tenant(ctx)
	if !ok {
		return "", store.ErrNoTenant
	}
	return t, nil
}

// checkType refuses a resource type name no schema could have given.
func checkType(typ string) error {
	if typ == "" || len(typ) > 128 {
		return fmt.Errorf("sqlstore: resource type %q: want a type name", typ)
	}
	return nil
}

func notFound(typ, id string) error { return fmt.Errorf("%w: %s %q", store.ErrNotFound, typ, id) }
