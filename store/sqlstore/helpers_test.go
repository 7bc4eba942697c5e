package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/scimkit/scimkit/internal/teststore"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

func postgresDSN(t testing.TB) string          { return teststore.PostgresDSN(t) }
func freshSchema(t testing.TB) string          { return teststore.FreshSchema(t) }
func newPostgres(t testing.TB) *sqlstore.Store { return teststore.Postgres(t) }
func newSQLite(t testing.TB) *sqlstore.Store   { return teststore.SQLite(t) }

// newSQLiteFor opens a SQLite store that lives as long as f.
func newSQLiteFor(f *testing.F) *sqlstore.Store {
	st, err := sqlite.Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"), sqlstore.Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	return st
}
