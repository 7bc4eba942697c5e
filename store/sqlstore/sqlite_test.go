package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

// SQLite has one writer at a time: concurrent writers wait for the lock
// (busy timeout) instead of failing.
func TestSQLiteConcurrentWriters(t *testing.T) {
	st := newSQLite(t)
	ctx := store.WithTenant(context.Background(), "acme")
	var wg sync.WaitGroup
	var mu sync.Mutex
	created, conflicts := 0, 0
	var other []error
	for i := range 64 {
		wg.Go(func() {
			_, err := st.Create(ctx, &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: "same@example.com"}}, Attributes: []byte(`{"userName":"same@example.com"}`)})
			_, err2 := st.Create(ctx, &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: fmt.Sprintf("u%d@example.com", i)}}, Attributes: []byte(`{}`)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				created++
			case errors.Is(err, store.ErrConflict):
				conflicts++
			default:
				other = append(other, err)
			}
			if err2 != nil {
				other = append(other, err2)
			}
		})
	}
	wg.Wait()
	if created != 1 || conflicts != 63 || len(other) > 0 {
		t.Fatalf("created %d, conflicts %d, other errors %v", created, conflicts, other)
	}
}

// Data written survives closing and reopening the file, and reopening a
// migrated file migrates nothing.
func TestSQLiteReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scim.db")
	ctx := store.WithTenant(context.Background(), "acme")
	st, err := sqlite.Open(context.Background(), path, sqlstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.Create(ctx, &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: "kept@example.com"}}, Attributes: []byte(`{"userName":"kept@example.com"}`)})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = sqlite.Open(context.Background(), path, sqlstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Get(ctx, store.User, r.ID)
	if err != nil || got.UniqueValue("userName") != "kept@example.com" {
		t.Fatalf("after reopening: %+v, %v", got, err)
	}
}
