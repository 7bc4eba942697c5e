package otelscim

import (
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of otelscim's tracer and meter.
const ScopeName = "github.com/scimkit/scimkit/otelscim"

// Config configures Telemetry. Every field has a useful zero value.
type Config struct {
	// TracerProvider makes the spans. Nil: otel.GetTracerProvider().
	TracerProvider trace.TracerProvider

	// MeterProvider makes the metrics. Nil: otel.GetMeterProvider().
	MeterProvider metric.MeterProvider

	// Propagator extracts a caller's trace context in Middleware. Nil:
	// otel.GetTextMapPropagator().
	Propagator propagation.TextMapPropagator

	// TenantLabel maps a tenant to the value of the scim.tenant metric
	// label, or "" for none. Nil: metrics carry no tenant (spans always
	// do). Return a bounded set of values (a plan, a region, the tenant
	// itself when there are few): each distinct value multiplies the
	// series of every metric.
	TenantLabel func(tenant string) string
}

// Telemetry turns a scim.Handler's requests, Store calls and JWKS
// fetches into spans and metrics. It is a scim.Observer. Build it with
// New; it is safe for concurrent use.
type Telemetry struct {
	tracer      trace.Tracer
	propagator  propagation.TextMapPropagator
	tenantLabel func(string) string

	requestDuration metric.Float64Histogram
	requests        metric.Int64Counter
	storeDuration   metric.Float64Histogram
	jwksFetches     metric.Int64Counter
	jwksDuration    metric.Float64Histogram
	rewrites        metric.Int64Counter
	events          metric.Int64Counter
}

// The metric names.
const (
	MetricRequestDuration = "http.server.request.duration" // histogram, s (OpenTelemetry HTTP semantic conventions)
	MetricRequests        = "scim.requests"                // counter: request events, by operation, status and Entra code
	MetricStoreDuration   = "scim.store.duration"          // histogram, s: Store calls by method and resource type
	MetricJWKSFetches     = "scim.jwks.fetches"            // counter: signing key fetches, by outcome
	MetricJWKSDuration    = "scim.jwks.fetch.duration"     // histogram, s
	MetricRewrites        = "scim.patch.rewrites"          // counter: PATCH rewrites, by quirk
	MetricEvents          = "scim.events"                  // counter: committed changes (store.Event), by kind and resource type
)

// durationBuckets are the HTTP semantic conventions' boundaries, in
// seconds.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// New returns a Telemetry with the instruments it records into.
func New(cfg Config) (*Telemetry, error) {
	tp, mp, prop := cfg.TracerProvider, cfg.MeterProvider, cfg.Propagator
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	if prop == nil {
		prop = otel.GetTextMapPropagator()
	}
	t := &Telemetry{tracer: tp.Tracer(ScopeName), propagator: prop, tenantLabel: cfg.TenantLabel}
	m := mp.Meter(ScopeName)
	var err error
	if t.requestDuration, err = m.Float64Histogram(MetricRequestDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of HTTP server requests."), metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		return nil, fmt.Errorf("otelscim: %w", err)
	}
	if t.requests, err = m.Int64Counter(MetricRequests, metric.WithUnit("{request}"),
		metric.WithDescription("SCIM requests served, by provisioning operation, status and Entra provisioning-log code.")); err != nil {
		return nil, fmt.Errorf("otelscim: %w", err)
	}
	if t.storeDuration, err = m.Float64Histogram(MetricStoreDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of Store calls."), metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		return nil, fmt.Errorf("otelscim: %w", err)
	}
	if t.jwksFetches, err = m.Int64Counter(MetricJWKSFetches, metric.WithUnit("{fetch}"),
		metric.WithDescription("Fetches of signing keys (JWKS) by the Entra authenticator.")); err != nil {
		return nil, fmt.Errorf("otelscim: %w", err)
	}
	if t.jwksDuration, err = m.Float64Histogram(MetricJWKSDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of signing key (JWKS) fetches."), metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		return nil, fmt.Errorf("otelscim: %w", err)
	}
	if t.rewrites, err = m.Int64Counter(MetricRewrites, metric.WithUnit("{rewrite}"),
		metric.WithDescription("PATCH operations rewritten to RFC 7644 form, by the client quirk they showed.")); err != nil {
		return nil, fmt.Errorf("otelscim: %w", err)
	}
	if t.events, err = m.Int64Counter(MetricEvents, metric.WithUnit("{event}"),
		metric.WithDescription("Committed provisioning changes (created, updated, deactivated, member.added …), by kind and resource type.")); err != nil {
		return nil, fmt.Errorf("otelscim: %w", err)
	}
	return t, nil
}
