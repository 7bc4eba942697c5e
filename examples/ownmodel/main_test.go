package main

import (
	"io"
	"log/slog"
	"testing"

	"github.com/scimkit/scimkit/scim/scimtest"
)

// Entra and Okta provision through the service, on SQLite.
func TestProvisioning(t *testing.T) {
	db, d := openSQLite(t)
	h, err := newService(db, d, config{Token: "t", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	o := scimtest.Options{Token: "t", Prefix: "/scim/v2"}
	scimtest.Entra(t, h, o)
	scimtest.EntraFlagged(t, h, o)
	scimtest.Okta(t, h, o)
}
