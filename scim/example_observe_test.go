package scim_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memory"
)

// An Observer sees one Event per request, named as Entra's provisioning
// log names it.
func ExampleObserverFunc() {
	h, _ := scim.NewHandler(scim.Config{
		Store: memory.New(),
		Auth:  auth.StaticTokens(auth.Token{Secret: "s", Tenant: "acme"}),
		Observer: scim.ObserverFunc(func(ctx context.Context, e *scim.Event) {
			fmt.Println(strings.TrimSpace(fmt.Sprint(e.Method, " ", e.Route, " ", e.Status, " ", e.Operation, " ", e.EntraCode)))
		}),
	})
	send := func(method, path, body string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer s")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	send("GET", "/Users?filter=userName+eq+%227f3c2a51-0e7b-4c77-9c1d-2f2a9d0c9a1e%22", "")
	send("POST", "/Users", `{"userName":"ada@contoso.com"}`)
	send("POST", "/Users", `{"userName":"ada@contoso.com"}`)
	send("GET", "/Users/2819c223", "")
	// Output:
	// GET /Users 200 test connection
	// POST /Users 201 create
	// POST /Users 409 create EntryConflict
	// GET /Users/{id} 404 get InvalidAnchor
}

// The access log and a service's own observer, together; /readyz checks
// the Store and Authenticator.
func ExampleMultiObserver() {
	logger := slog.Default()
	var errors5xx int
	h, _ := scim.NewHandler(scim.Config{
		Store:  memory.New(),
		Auth:   auth.StaticTokens(auth.Token{Secret: "s", Tenant: "acme"}),
		Logger: logger,
		Observer: scim.MultiObserver(
			scim.NewAccessLog(logger, slog.LevelDebug), // successes at DEBUG
			scim.ObserverFunc(func(_ context.Context, e *scim.Event) {
				if e.Status >= 500 {
					errors5xx++
				}
			}),
		),
	})
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	mux.Handle("GET /healthz", h.LivenessHandler())
	mux.Handle("GET /readyz", h.ReadinessHandler(0))
}
