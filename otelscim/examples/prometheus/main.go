// Command prometheus serves a SCIM 2.0 endpoint instrumented with
// OpenTelemetry, and its metrics for Prometheus to scrape, through
// OpenTelemetry's Prometheus exporter:
//
//	go run ./examples/prometheus -addr 127.0.0.1:8080 -token secret
//
//	/scim/v2/   the SCIM endpoint (a memory store)
//	/metrics    Prometheus metrics: http_server_request_duration_seconds by
//	            route, status, provisioning operation and Entra code,
//	            scim_store_duration_seconds, scim_patch_rewrites_total …
//	/healthz    liveness: answers while the process serves
//	/readyz     readiness: checks the store and the authenticator
//
// Each request is also logged, as JSON, by scimkit's access log. Spans go
// to the global TracerProvider: set one up (an OTLP exporter, say) to
// export them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/otelscim"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memory"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "prometheus:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("prometheus", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	token := fs.String("token", os.Getenv("SCIMKIT_TOKEN"), "bearer token (default $SCIMKIT_TOKEN)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		return errors.New("set -token or SCIMKIT_TOKEN")
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))

	handler, err := newServer(*token, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "SCIM endpoint: http://%s/scim/v2\n", ln.Addr())
	fmt.Fprintf(stdout, "Metrics:       http://%s/metrics\n", ln.Addr())

	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// newServer builds the mux: the SCIM endpoint instrumented by otelscim,
// /metrics from a Prometheus registry of its own, /healthz and /readyz.
func newServer(token string, logger *slog.Logger) (http.Handler, error) {
	reg := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, err
	}
	tel, err := otelscim.New(otelscim.Config{
		MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter)),
	})
	if err != nil {
		return nil, err
	}
	h, err := scim.NewHandler(scim.Config{
		Store:    tel.Store(memory.New()),
		Auth:     auth.StaticTokens(auth.Token{Secret: token, Tenant: "default", Name: "prometheus-example"}),
		Logger:   logger,
		Observer: scim.MultiObserver(scim.NewAccessLog(logger, slog.LevelInfo), tel),
		Hooks:    tel, // scim.events: committed changes by kind
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", tel.Middleware(http.StripPrefix("/scim/v2", h)))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("GET /healthz", h.LivenessHandler())
	mux.Handle("GET /readyz", h.ReadinessHandler(2*time.Second))
	return mux, nil
}
