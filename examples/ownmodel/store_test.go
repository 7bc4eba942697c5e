package main

import (
	"testing"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/storetest"
)

// The Store over the product's own tables keeps scimkit's contract, on
// both databases.
func TestStoreConformance(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store {
				return newAccountStore(db.open(t))
			})
		})
	}
}
