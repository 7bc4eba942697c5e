package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/scimkit/scimkit/internal/teststore"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
	"github.com/scimkit/scimkit/store/storetest"
)

// feedConfig is a Config with the feed on, the clock c and a poll interval
// long enough that a Wait returning early was woken.
func feedConfig(c *storetest.Clock) sqlstore.Config {
	cfg := sqlstore.Config{Feed: sqlstore.FeedConfig{Enabled: true, Values: true, PollInterval: time.Minute}}
	if c != nil {
		cfg.Clock = c.Now
	}
	return cfg
}

// newFeedSQLite opens a SQLite store with cfg in a file of t's.
func newFeedSQLite(t testing.TB, cfg sqlstore.Config) *sqlstore.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "feed.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newFeedPostgres opens a PostgreSQL store with cfg in a fresh schema.
func newFeedPostgres(t testing.TB, cfg sqlstore.Config) *sqlstore.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), teststore.FreshSchema(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	st.DB().SetMaxOpenConns(6)
	st.DB().SetMaxIdleConns(6)
	t.Cleanup(func() { st.Close() })
	return st
}

func TestFeedSQLite(t *testing.T) {
	storetest.RunFeed(t, func(t *testing.T, c *storetest.Clock) storetest.FeedStore {
		return newFeedSQLite(t, feedConfig(c))
	})
}

func TestFeedPostgres(t *testing.T) {
	postgresDSN(t)
	storetest.RunFeed(t, func(t *testing.T, c *storetest.Clock) storetest.FeedStore {
		return newFeedPostgres(t, feedConfig(c))
	})
}

// openFeedDSN opens a PostgreSQL store at dsn with the feed fc and a
// small pool.
func openFeedDSN(dsn string, fc sqlstore.FeedConfig) (*sqlstore.Store, error) {
	st, err := postgres.Open(context.Background(), dsn, sqlstore.Config{Feed: fc})
	if err != nil {
		return nil, err
	}
	st.DB().SetMaxOpenConns(4)
	st.DB().SetMaxIdleConns(4)
	return st, nil
}
