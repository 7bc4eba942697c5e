package otelscim_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/otelscim"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memory"
)

// TestEventsCounted: as the Handler's Hooks, a Telemetry counts each
// committed change by kind and resource type.
func TestEventsCounted(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	tel, err := otelscim.New(otelscim.Config{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))})
	if err != nil {
		t.Fatal(err)
	}
	h, err := scim.NewHandler(scim.Config{
		Store:  memory.New(),
		Auth:   auth.StaticTokens(auth.Token{Secret: "s", Tenant: "acme"}),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Hooks:  tel,
	})
	if err != nil {
		t.Fatal(err)
	}
	send := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer s")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	loc := send("POST", "/Users", userBody).Header().Get("Location")
	uid := loc[strings.LastIndexByte(loc, '/')+1:]
	send("PATCH", "/Users/"+uid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	send("PATCH", "/Users/"+uid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`) // no change: no event
	gloc := send("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"`+uid+`"}]}`).Header().Get("Location")
	if gloc == "" {
		t.Fatal("group not created")
	}

	sum, ok := metricsOf(t, reader)[otelscim.MetricEvents].(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("no %s counter", otelscim.MetricEvents)
	}
	got := map[string]int64{}
	for _, dp := range sum.DataPoints {
		l := labelsOf(dp.Attributes)
		got[l["scim.resource_type"].(string)+" "+l["scim.event_kind"].(string)] += dp.Value
	}
	want := map[string]int64{"User created": 1, "User deactivated": 1, "Group created": 1, "Group member.added": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", otelscim.MetricEvents, diff)
	}
}
