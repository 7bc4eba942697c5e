package otelscim_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/otelscim"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// fixture is a Handler over an instrumented memory store, behind
// Middleware, recording into in-memory exporters.
type fixture struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tel    *otelscim.Telemetry
	srv    http.Handler
}

func newFixture(t *testing.T, st store.Store, cfg otelscim.Config, middleware bool) *fixture {
	t.Helper()
	f := &fixture{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	cfg.TracerProvider = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(f.spans))
	cfg.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(f.reader))
	var err error
	if f.tel, err = otelscim.New(cfg); err != nil {
		t.Fatal(err)
	}
	h, err := scim.NewHandler(scim.Config{
		Store:    f.tel.Store(st),
		Auth:     auth.StaticTokens(auth.Token{Secret: "s", Tenant: "acme", Name: "entra"}),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Observer: f.tel,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = h
	if middleware {
		f.srv = f.tel.Middleware(h)
	}
	return f
}

func (f *fixture) do(t *testing.T, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer s")
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return rec
}

func attrs(kvs []attribute.KeyValue) map[string]any {
	m := map[string]any{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

const userBody = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@contoso.com"}`

func TestSpans(t *testing.T) {
	f := newFixture(t, memory.New(), otelscim.Config{}, true)
	rec := f.do(t, "POST", "/Users", userBody)
	if rec.Code != 201 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	ended := f.spans.Ended()
	if len(ended) != 2 {
		t.Fatalf("%d spans for a create, want the request's and the Store's", len(ended))
	}
	storeSpan, server := ended[0], ended[1]
	if server.Name() != "POST /Users" || storeSpan.Name() != "store.Create" {
		t.Errorf("span names %q, %q; want \"POST /Users\", \"store.Create\"", server.Name(), storeSpan.Name())
	}
	if storeSpan.Parent().SpanID() != server.SpanContext().SpanID() || storeSpan.SpanContext().TraceID() != server.SpanContext().TraceID() {
		t.Error("the Store span is not a child of the request span")
	}
	got := attrs(server.Attributes())
	want := map[string]any{
		"http.request.method":       "POST",
		"http.route":                "/Users",
		"http.response.status_code": int64(201),
		"scim.operation":            "create",
		"scim.resource_type":        "User",
		"scim.tenant":               "acme",
		"scim.principal.subject":    "entra",
		"scim.request_id":           rec.Header().Get("X-Request-Id"),
		"http.request.body.size":    int64(len(userBody)),
		"http.response.body.size":   int64(rec.Body.Len()),
	}
	for k, v := range want {
		if diff := cmp.Diff(v, got[k]); diff != "" {
			t.Errorf("server span %s (-want +got):\n%s", k, diff)
		}
	}
	if got := attrs(storeSpan.Attributes()); got["scim.store.method"] != "Create" || got["scim.resource_type"] != "User" || got["scim.resource_id"] == "" {
		t.Errorf("store span attributes %v", got)
	}

	// A 409: Entra's code on the span; a 4xx is not a server error.
	f.spans.Reset()
	f.do(t, "POST", "/Users", userBody)
	server = f.spans.Ended()[len(f.spans.Ended())-1]
	if a := attrs(server.Attributes()); a["scim.entra_code"] != "EntryConflict" || a["scim.scim_type"] != "uniqueness" {
		t.Errorf("409 span attributes %v", a)
	}
	if server.Status().Code == codes.Error {
		t.Error("a 409 marked the server span as an error")
	}
	if a := attrs(f.spans.Ended()[0].Attributes()); a["error.type"] != "conflict" {
		t.Errorf("store span of a conflict: %v", a)
	}
}

// panicStore panics in List.
type panicStore struct{ store.Store }

func (panicStore) List(context.Context, string, store.Query) (*store.Page, error) { panic("boom") }

func TestSpanOfPanic(t *testing.T) {
	f := newFixture(t, panicStore{memory.New()}, otelscim.Config{}, true)
	rec := f.do(t, "GET", "/Users?filter=userName+eq+%22ada%22", "")
	if rec.Code != 500 {
		t.Fatalf("%d", rec.Code)
	}
	server := f.spans.Ended()[len(f.spans.Ended())-1]
	if server.Name() != "GET /Users" || server.Status().Code != codes.Error {
		t.Errorf("span %q status %v, want GET /Users with an error status", server.Name(), server.Status())
	}
	a := attrs(server.Attributes())
	if a["error.type"] != "500" || a["scim.entra_code"] != "InternalServerError" || a["scim.quarantine_risk"] != true || a["scim.operation"] != "match" {
		t.Errorf("attributes %v", a)
	}
	var stack bool
	for _, ev := range server.Events() {
		if ev.Name == "exception" && strings.Contains(attrs(ev.Attributes)["exception.stacktrace"].(string), "panicStore") {
			stack = true
		}
	}
	if !stack {
		t.Error("no exception event with the panic's stack")
	}
}

// Without Middleware (and no otelhttp) the observer makes the request's
// span itself.
func TestSpanWithoutMiddleware(t *testing.T) {
	f := newFixture(t, memory.New(), otelscim.Config{}, false)
	f.do(t, "GET", "/Users?filter=userName+eq+%227f3c2a51-0e7b-4c77-9c1d-2f2a9d0c9a1e%22", "")
	var names []string
	for _, s := range f.spans.Ended() {
		names = append(names, s.Name())
	}
	if diff := cmp.Diff([]string{"store.List", "GET /Users"}, names); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
	server := f.spans.Ended()[1]
	if a := attrs(server.Attributes()); a["scim.operation"] != "test connection" || a["scim.results"] != int64(0) {
		t.Errorf("attributes %v", a)
	}
}

// metricsOf collects the metrics by name.
func metricsOf(t *testing.T, r *sdkmetric.ManualReader) map[string]metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != otelscim.ScopeName {
			t.Errorf("scope %q", sm.Scope.Name)
		}
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

func labelsOf(set attribute.Set) map[string]any { return attrs(set.ToSlice()) }

func TestMetrics(t *testing.T) {
	f := newFixture(t, memory.New(), otelscim.Config{TenantLabel: func(string) string { return "plan-a" }}, true)
	rec := f.do(t, "POST", "/Users", userBody)
	id := rec.Header().Get("Location")
	id = id[strings.LastIndexByte(id, '/')+1:]
	f.do(t, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	f.tel.KeysFetched("https://login.microsoftonline.com/tid/discovery/v2.0/keys", 30*time.Millisecond, nil)
	f.tel.KeysFetched("https://login.microsoftonline.com/tid/discovery/v2.0/keys", time.Second, errors.New("timeout"))

	ms := metricsOf(t, f.reader)
	dur, ok := ms[otelscim.MetricRequestDuration].(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("no %s histogram: %v", otelscim.MetricRequestDuration, ms)
	}
	var got []map[string]any
	for _, dp := range dur.DataPoints {
		got = append(got, labelsOf(dp.Attributes))
		if dp.Count != 1 {
			t.Errorf("count %d", dp.Count)
		}
	}
	want := []map[string]any{
		{"http.request.method": "POST", "http.route": "/Users", "http.response.status_code": int64(201), "scim.operation": "create", "scim.entra_code": "", "scim.tenant": "plan-a"},
		{"http.request.method": "PATCH", "http.route": "/Users/{id}", "http.response.status_code": int64(200), "scim.operation": "disable", "scim.entra_code": "", "scim.tenant": "plan-a"},
	}
	sortByMethod := func(a, b map[string]any) int {
		return strings.Compare(b["http.request.method"].(string), a["http.request.method"].(string))
	}
	_ = sortByMethod
	if diff := cmp.Diff(want, got, cmpSort()); diff != "" {
		t.Errorf("%s data points (-want +got):\n%s", otelscim.MetricRequestDuration, diff)
	}

	if c, ok := ms[otelscim.MetricRequests].(metricdata.Sum[int64]); !ok || len(c.DataPoints) != 2 {
		t.Errorf("%s: %v", otelscim.MetricRequests, ms[otelscim.MetricRequests])
	}

	sd, _ := ms[otelscim.MetricStoreDuration].(metricdata.Histogram[float64])
	methods := map[string]uint64{}
	for _, dp := range sd.DataPoints {
		l := labelsOf(dp.Attributes)
		methods[l["scim.store.method"].(string)+" "+l["scim.resource_type"].(string)] += dp.Count
	}
	if diff := cmp.Diff(map[string]uint64{"Create User": 1, "Update User": 1}, methods); diff != "" {
		t.Errorf("store calls (-want +got):\n%s", diff)
	}

	rw, _ := ms[otelscim.MetricRewrites].(metricdata.Sum[int64])
	quirks := map[string]int64{}
	for _, dp := range rw.DataPoints {
		quirks[labelsOf(dp.Attributes)["scim.patch.quirk"].(string)] += dp.Value
	}
	if diff := cmp.Diff(map[string]int64{"op-case": 1, "string-boolean": 1}, quirks); diff != "" {
		t.Errorf("rewrites by quirk (-want +got):\n%s", diff)
	}

	jf, _ := ms[otelscim.MetricJWKSFetches].(metricdata.Sum[int64])
	outcomes := map[string]int64{}
	for _, dp := range jf.DataPoints {
		l := labelsOf(dp.Attributes)
		if l["server.address"] != "login.microsoftonline.com" {
			t.Errorf("jwks labels %v", l)
		}
		outcomes[l["scim.outcome"].(string)] += dp.Value
	}
	if diff := cmp.Diff(map[string]int64{"ok": 1, "error": 1}, outcomes); diff != "" {
		t.Errorf("jwks fetches (-want +got):\n%s", diff)
	}
	if _, ok := ms[otelscim.MetricJWKSDuration].(metricdata.Histogram[float64]); !ok {
		t.Errorf("no %s", otelscim.MetricJWKSDuration)
	}
}

// Without TenantLabel, no metric carries the tenant.
func TestMetricsWithoutTenant(t *testing.T) {
	f := newFixture(t, memory.New(), otelscim.Config{}, true)
	f.do(t, "POST", "/Users", userBody)
	dur := metricsOf(t, f.reader)[otelscim.MetricRequestDuration].(metricdata.Histogram[float64])
	for _, dp := range dur.DataPoints {
		if _, ok := dp.Attributes.Value("scim.tenant"); ok {
			t.Errorf("a tenant label without Config.TenantLabel: %v", labelsOf(dp.Attributes))
		}
	}
}

func cmpSort() cmp.Option {
	return cmp.Transformer("sort", func(in []map[string]any) []map[string]any {
		out := append([]map[string]any(nil), in...)
		for i := range out {
			for j := i + 1; j < len(out); j++ {
				if out[j]["http.request.method"].(string) < out[i]["http.request.method"].(string) {
					out[i], out[j] = out[j], out[i]
				}
			}
		}
		return out
	})
}
