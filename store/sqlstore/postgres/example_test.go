package postgres_test

import (
	"context"
	"log"
	"os"

	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
)

// A service whose DBA applies the DDL (sqlstore.Migrations) and keeps
// scimkit's tables under a prefix of the team's choosing.
func ExampleOpen() {
	ctx := context.Background()
	st, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), sqlstore.Config{TablePrefix: "scim_", NoMigrate: true})
	if err != nil {
		log.Fatal(err) // says which schema version the database is at, and which it needs
	}
	defer st.Close()
}
