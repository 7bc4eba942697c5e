package otelscim

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/scimkit/scimkit/scim"
)

// Middleware starts the server span of each request next serves, in the
// request's context, continuing the caller's trace (Config.Propagator).
// The span is named and annotated when the scim.Handler's event reaches
// ObserveRequest, and ended when next returns. A service whose handlers
// are already wrapped by otelhttp does not need it.
func (t *Telemetry) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := t.propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		ctx, span := t.tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
			attribute.String("http.request.method", r.Method),
			attribute.String("url.path", r.URL.Path),
			attribute.String("url.scheme", scheme),
			attribute.String("server.address", r.Host),
			attribute.String("client.address", r.RemoteAddr),
			attribute.String("user_agent.original", r.UserAgent()),
		))
		defer span.End()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// The attributes otelscim sets, beyond OpenTelemetry's HTTP semantic
// conventions (http.request.method, http.route,
// http.response.status_code, http.request.body.size,
// http.response.body.size, error.type).
const (
	AttrOperation      = attribute.Key("scim.operation")     // the provisioning operation: "create", "match", "disable" …
	AttrEntraCode      = attribute.Key("scim.entra_code")    // Entra's provisioning-log code for the answer, or ""
	AttrScimType       = attribute.Key("scim.scim_type")     // the scimType of an error response
	AttrResourceType   = attribute.Key("scim.resource_type") // "User", "Group" …
	AttrResourceID     = attribute.Key("scim.resource_id")   // spans only
	AttrEventKind      = attribute.Key("scim.event_kind")    // scim.events: "created", "deactivated", "member.added" …
	AttrTenant         = attribute.Key("scim.tenant")        // spans; metrics through Config.TenantLabel
	AttrSubject        = attribute.Key("scim.principal.subject")
	AttrAuthMethod     = attribute.Key("scim.principal.method")
	AttrRequestID      = attribute.Key("scim.request_id")
	AttrQuarantineRisk = attribute.Key("scim.quarantine_risk")
	AttrRewrites       = attribute.Key("scim.patch.rewrites") // number of rewrites on a span
	AttrQuirk          = attribute.Key("scim.patch.quirk")
	AttrResults        = attribute.Key("scim.results")
	AttrStoreMethod    = attribute.Key("scim.store.method")
)

// ObserveRequest implements scim.Observer: it names the server span in
// ctx "{method} {route}" and sets the event's attributes on it (with no
// recording span in ctx it makes one, from the event's start and
// duration), and records the request metrics.
func (t *Telemetry) ObserveRequest(ctx context.Context, e *scim.Event) {
	route := e.Route
	name := e.Method
	if route != "" {
		name += " " + route
	}
	status := strconv.Itoa(e.Status)
	span := trace.SpanFromContext(ctx)
	own := !span.IsRecording()
	if own {
		_, span = t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), trace.WithTimestamp(e.Start),
			trace.WithAttributes(attribute.String("http.request.method", e.Method), attribute.String("url.path", e.Path)))
	} else {
		span.SetName(name)
	}
	attrs := make([]attribute.KeyValue, 0, 20)
	attrs = append(attrs,
		attribute.Int("http.response.status_code", e.Status),
		attribute.Int64("http.request.body.size", e.RequestBytes),
		attribute.Int64("http.response.body.size", e.ResponseBytes),
		AttrOperation.String(string(e.Operation)),
		AttrRequestID.String(e.RequestID),
	)
	if route != "" {
		attrs = append(attrs, attribute.String("http.route", route))
	}
	if e.ResourceType != "" {
		attrs = append(attrs, AttrResourceType.String(e.ResourceType))
	}
	if e.ResourceID != "" {
		attrs = append(attrs, AttrResourceID.String(e.ResourceID))
	}
	if e.Tenant != "" {
		attrs = append(attrs, AttrTenant.String(e.Tenant), AttrSubject.String(e.Subject), AttrAuthMethod.String(e.AuthMethod))
	}
	if e.EntraCode != "" {
		attrs = append(attrs, AttrEntraCode.String(e.EntraCode))
	}
	if e.ScimType != "" {
		attrs = append(attrs, AttrScimType.String(string(e.ScimType)))
	}
	if e.QuarantineRisk {
		attrs = append(attrs, AttrQuarantineRisk.Bool(true))
	}
	if len(e.Rewrites) > 0 {
		attrs = append(attrs, AttrRewrites.Int(len(e.Rewrites)))
	}
	switch e.Operation {
	case scim.OperationMatch, scim.OperationTestConnection, scim.OperationList:
		attrs = append(attrs, AttrResults.Int(e.Results))
	}
	if e.Status >= 500 {
		// Server spans: only a 5xx is an error (HTTP semantic conventions).
		attrs = append(attrs, attribute.String("error.type", status))
		span.SetStatus(codes.Error, e.Detail)
		if e.Err != nil {
			var pe *scim.PanicError
			if errors.As(e.Err, &pe) {
				span.RecordError(e.Err, trace.WithAttributes(attribute.String("exception.stacktrace", string(pe.Stack))))
			} else {
				span.RecordError(e.Err)
			}
		}
	}
	span.SetAttributes(attrs...)
	if own {
		span.End(trace.WithTimestamp(e.Start.Add(e.Duration)))
	}

	// Metrics: bounded labels only.
	labels := make([]attribute.KeyValue, 0, 7)
	labels = append(labels,
		attribute.String("http.request.method", e.Method),
		attribute.String("http.route", route),
		attribute.Int("http.response.status_code", e.Status),
		AttrOperation.String(string(e.Operation)),
		AttrEntraCode.String(e.EntraCode),
	)
	if e.Status >= 500 {
		labels = append(labels, attribute.String("error.type", status))
	}
	if t.tenantLabel != nil && e.Tenant != "" {
		if v := t.tenantLabel(e.Tenant); v != "" {
			labels = append(labels, AttrTenant.String(v))
		}
	}
	set := metric.WithAttributeSet(attribute.NewSet(labels...))
	t.requestDuration.Record(ctx, e.Duration.Seconds(), set)
	t.requests.Add(ctx, 1, set)
	for i := 0; i < len(e.Rewrites); {
		q := e.Rewrites[i].Quirk
		j := i
		for j < len(e.Rewrites) && e.Rewrites[j].Quirk == q {
			j++
		}
		t.rewrites.Add(ctx, int64(j-i), metric.WithAttributes(AttrQuirk.String(string(q))))
		i = j
	}
}
