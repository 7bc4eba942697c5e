package otelscim_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/otelscim"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memory"
)

// benchCases: no observer (the floor) and the OpenTelemetry observer,
// Store wrapper and Middleware with the SDK exporting spans to a no-op
// exporter and metrics to a reader never collected.
var benchCases = []struct {
	name string
	otel bool
}{{"observer=none", false}, {"observer=otel-noop-exporter", true}}

func benchServer(b *testing.B, withOtel bool) http.Handler {
	cfg := scim.Config{
		Store:    memory.New(),
		Auth:     auth.StaticTokens(auth.Token{Secret: "bench", Tenant: "t1"}),
		BaseURL:  "https://scim.example.com/scim/v2",
		Logger:   slog.New(slog.DiscardHandler),
		Observer: scim.NoObserver{},
	}
	if !withOtel {
		h, err := scim.NewHandler(cfg)
		if err != nil {
			b.Fatal(err)
		}
		return h
	}
	tel, err := otelscim.New(otelscim.Config{
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter())),
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader())),
	})
	if err != nil {
		b.Fatal(err)
	}
	cfg.Store, cfg.Observer = tel.Store(cfg.Store), tel
	h, err := scim.NewHandler(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return tel.Middleware(h)
}

func seed(b *testing.B, h http.Handler, n int) (firstID string) {
	for i := range n {
		req := httptest.NewRequest("POST", "/Users", strings.NewReader(fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"jdoe%d@contoso.com","emails":[{"value":"j%d@contoso.com","type":"work","primary":true}],"name":{"familyName":"Doe"}}`, i, i)))
		req.Header.Set("Authorization", "Bearer bench")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 201 {
			b.Fatalf("seed: %d %s", rec.Code, rec.Body)
		}
		if i == 0 {
			loc := rec.Header().Get("Location")
			firstID = loc[strings.LastIndexByte(loc, '/')+1:]
		}
	}
	return firstID
}

func BenchmarkOtelFilter(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			h := benchServer(b, bc.otel)
			seed(b, h, 1000)
			req := httptest.NewRequest("GET", "/Users?filter=userName+eq+%22jdoe500@contoso.com%22", nil)
			req.Header.Set("Authorization", "Bearer bench")
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

func BenchmarkOtelPatchEntra(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			h := benchServer(b, bc.otel)
			id := seed(b, h, 1)
			var bodies [2]string
			for i := range bodies {
				bodies[i] = fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[
   {"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail%[1]d@contoso.com"},
   {"op":"Replace","path":"name.familyName","value":"updatedFamilyName%[1]d"},
   {"op":"Replace","path":"displayName","value":"Pvlo%[1]d"},
   {"op":"Replace","path":"externalId","value":"Eqpj%[1]d"},
   {"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"Eqpj%[1]d"}]}`, i)
			}
			req := httptest.NewRequest("PATCH", "/Users/"+id, nil)
			req.Header.Set("Authorization", "Bearer bench")
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				req.Body = io.NopCloser(strings.NewReader(bodies[i&1]))
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
				i++
			}
		})
	}
}
