package sqlite_test

import (
	"context"
	"log"

	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

func ExampleOpen() {
	st, err := sqlite.Open(context.Background(), "scim.db", sqlstore.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
}
