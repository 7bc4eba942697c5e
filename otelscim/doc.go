// Package otelscim reports what a scimkit SCIM endpoint does as
// OpenTelemetry traces and metrics: a server span per request, named by
// its route template and carrying the provisioning operation and the code
// Microsoft Entra's provisioning log shows for the answer; a child span
// per Store call; and metrics of request duration, Store latency, JWKS
// fetches, PATCH rewrites by quirk and request events.
//
// It is a Go module of its own (github.com/scimkit/scimkit/otelscim), so
// that the core module, github.com/scimkit/scimkit, does not depend on
// OpenTelemetry: a service that does not use it builds no OpenTelemetry
// code.
//
// Wire it in three places:
//
//	tel, err := otelscim.New(otelscim.Config{TracerProvider: tp, MeterProvider: mp})
//	h, err := scim.NewHandler(scim.Config{
//		Store:    tel.Store(st),                                 // a child span per Store call
//		Auth:     a,
//		Observer: scim.MultiObserver(scim.NewAccessLog(logger, slog.LevelInfo), tel),
//	})
//	mux.Handle("/scim/v2/", tel.Middleware(http.StripPrefix("/scim/v2", h)))
//
// Middleware starts the server span (skip it when the service already
// wraps its handlers with otelhttp: the observer then names and annotates
// otelhttp's span). With Entra JWT auth, set the authenticator's
// OnKeysFetched to tel.KeysFetched to count its key fetches.
//
// Metric labels are bounded: route templates, never paths or ids; the
// tenant only through Config.TenantLabel.
package otelscim
