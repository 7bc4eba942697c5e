package otelscim_test

import (
	"log/slog"
	"net/http"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/otelscim"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memory"
)

// Wire otelscim into a Handler: the Store for child spans, the Observer
// for the request's span and metrics, Middleware for the server span.
func ExampleNew() {
	tel, err := otelscim.New(otelscim.Config{}) // the global providers
	if err != nil {
		panic(err)
	}
	logger := slog.Default()
	h, err := scim.NewHandler(scim.Config{
		Store:    tel.Store(memory.New()),
		Auth:     auth.StaticTokens(auth.Token{Secret: "s", Tenant: "acme"}),
		Logger:   logger,
		Observer: scim.MultiObserver(scim.NewAccessLog(logger, slog.LevelInfo), tel),
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", tel.Middleware(http.StripPrefix("/scim/v2", h)))
	// With Entra JWT auth: its Config.OnKeysFetched = tel.KeysFetched.
}
