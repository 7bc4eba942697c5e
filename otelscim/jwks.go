package otelscim

import (
	"context"
	"net/url"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// KeysFetched records one fetch of signing keys from url that took took
// and failed with err (nil: succeeded): the scim.jwks.fetches counter and
// the scim.jwks.fetch.duration histogram, labelled with the URL's host
// (server.address) and the outcome ("ok" or "error"). Its signature is
// that of the Entra authenticator's Config.OnKeysFetched: set that field
// to tel.KeysFetched.
func (t *Telemetry) KeysFetched(rawURL string, took time.Duration, err error) {
	host := ""
	if u, perr := url.Parse(rawURL); perr == nil {
		host = u.Host
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	set := metric.WithAttributeSet(attribute.NewSet(
		attribute.String("server.address", host),
		attribute.String("scim.outcome", outcome),
	))
	ctx := context.Background()
	t.jwksFetches.Add(ctx, 1, set)
	t.jwksDuration.Record(ctx, took.Seconds(), set)
}
