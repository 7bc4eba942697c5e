package sqlstore_test

import (
	"fmt"
	"log"

	"github.com/scimkit/scimkit/store/sqlstore"
)

// The statements a migration tool applies when the store runs with
// Config.NoMigrate.
func ExampleMigrations() {
	ms, err := sqlstore.Migrations(sqlstore.Postgres(), sqlstore.Config{TablePrefix: "scim_"})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range ms {
		fmt.Printf("V%d__scimkit.sql: %d bytes\n", m.Version, len(m.SQL))
	}
}
