package main

import (
	"io"
	"log/slog"
	"testing"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/scimtest"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/storetest"
)

// The Store over the product's own model keeps scimkit's contract…
func TestAccountStoreConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return newAccountStore() })
}

// …and Entra and Okta provision through it.
func TestProvisioning(t *testing.T) {
	h, err := scim.NewHandler(scim.Config{
		Store:  newAccountStore(),
		Auth:   auth.StaticTokens(auth.Token{Secret: "t", Tenant: "default"}),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	o := scimtest.Options{Token: "t"}
	scimtest.Entra(t, h, o)
	scimtest.EntraFlagged(t, h, o)
	scimtest.Okta(t, h, o)
}
