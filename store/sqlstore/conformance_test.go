package sqlstore_test

import (
	"testing"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/storetest"
)

func TestConformanceSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return newSQLite(t) }, storetest.SkipCursor("not implemented yet"))
}

func TestConformancePostgres(t *testing.T) {
	postgresDSN(t) // skip (or fail under SCIMKIT_REQUIRE_POSTGRES) before any subtest
	storetest.Run(t, func(t *testing.T) store.Store { return newPostgres(t) }, storetest.SkipCursor("not implemented yet"))
}
