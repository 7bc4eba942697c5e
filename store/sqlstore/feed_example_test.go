package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

// A store with the change feed, and a consumer that reacts to
// deactivations: Claim, handle, Ack.
func ExampleStore_Claim() {
	dir, err := os.MkdirTemp("", "feed")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "scim.db"), sqlstore.Config{Feed: sqlstore.FeedConfig{Enabled: true}})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	acme := store.WithTenant(ctx, "acme")
	u, err := st.Create(acme, &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: "ann"}},
		Attributes: []byte(`{"userName":"ann","active":true}`)})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := st.Update(acme, store.User, u.ID, "", func(r *store.Resource) error {
		r.Attributes = []byte(`{"userName":"ann","active":false}`) // Entra disables Ann
		return nil
	}); err != nil {
		log.Fatal(err)
	}

	b, err := st.Claim(ctx, "sessions", 100, 30*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range b.Events {
		fmt.Println(e.Seq, e.Tenant, e.Kind, e.Type, e.Paths)
	}
	if err := st.Ack(ctx, b); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 1 acme created User []
	// 2 acme deactivated User [active]
}
