package sqlstore_test

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/scimtest"
	"github.com/scimkit/scimkit/store"
)

func handlerOver(t testing.TB, st store.Store) http.Handler {
	t.Helper()
	h, err := scim.NewHandler(scim.Config{
		Store:  st,
		Auth:   auth.StaticTokens(auth.Token{Secret: "t", Tenant: "acme"}),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// The provisioning clients' real sequences, through the Handler.
func TestReplays(t *testing.T) {
	for name, open := range map[string]func(testing.TB) store.Store{
		"sqlite":   func(t testing.TB) store.Store { return newSQLite(t) },
		"postgres": func(t testing.TB) store.Store { return newPostgres(t) },
	} {
		t.Run(name, func(t *testing.T) {
			h := handlerOver(t, open(t))
			o := scimtest.Options{Token: "t"}
			scimtest.Entra(t, h, o)
			scimtest.EntraFlagged(t, h, o)
			scimtest.Okta(t, h, o)
		})
	}
}
