// Command quickstart serves a SCIM 2.0 endpoint, ready for Entra ID's Test
// Connection:
//
//	go run ./examples/quickstart -addr 127.0.0.1:8080 -token secret
//
// Without -token (or SCIMKIT_TOKEN) it generates one. It prints the base
// URL, the token and a curl line to try. Data lives in the SQLite file
// scimkit-quickstart.db (it survives a restart); -store chooses another
// store:
//
//	-store memory                 in-process, gone at exit
//	-store sqlite:PATH            a SQLite file
//	-store postgres://…           PostgreSQL (any DSN pgx accepts)
//
// In production set -base-url (or SCIMKIT_BASE_URL) to the public URL
// Entra reaches, e.g. https://scim.example.com/scim/v2: the URLs in
// responses (meta.location, $ref) are built from it. Without it they are
// built from each request's Host header, which only suits local use.
//
// -strict accepts RFC 7644 only (PATCH quirks and unknown attributes are
// refused); -resource-type FILE (repeatable) registers a resource type of
// your own from a JSON file holding an RFC 7643 §6 ResourceType and its §7
// schemas, {"resourceType": {…}, "schemas": [{…}, …]}, served at its
// endpoint like /Users.
//
// Each request is printed to stderr as one short line (method, path,
// status, provisioning operation, duration, PATCH rewrites); -log json
// writes scimkit's structured access log as JSON instead, one object per
// request, for a log pipeline. /healthz answers while the process serves;
// /readyz checks the store.
//
// Copy it as the starting point of your own service.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	token := fs.String("token", os.Getenv("SCIMKIT_TOKEN"), "bearer token Entra sends (default $SCIMKIT_TOKEN, else generated)")
	tenant := fs.String("tenant", "default", "tenant the token acts in")
	storeFlag := fs.String("store", "sqlite:scimkit-quickstart.db", "memory, sqlite:PATH or a postgres:// DSN")
	strict := fs.Bool("strict", false, "RFC 7644 only: refuse Entra's and Okta's PATCH quirks and attributes the schemas do not define")
	var resourceTypes list
	fs.Var(&resourceTypes, "resource-type", "a JSON file {\"resourceType\": <RFC 7643 §6 ResourceType>, \"schemas\": [<§7 schemas>]} registering a resource type of your own; repeat for several")
	logFormat := fs.String("log", "human", "request log: human (one short line per request) or json (scimkit's access log as JSON)")
	baseURL := fs.String("base-url", os.Getenv("SCIMKIT_BASE_URL"), "public URL of the endpoint, the Tenant URL you give Entra (e.g. https://scim.example.com/scim/v2; default $SCIMKIT_BASE_URL); empty: taken from each request's Host header, for local use only")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		var b [24]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		*token = base64.RawURLEncoding.EncodeToString(b[:])
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	var observer scim.Observer
	switch *logFormat {
	case "human":
		observer = humanLog{w: stderr}
	case "json":
		logger = slog.New(slog.NewJSONHandler(stderr, nil))
		observer = scim.NewAccessLog(logger, slog.LevelInfo)
	default:
		return fmt.Errorf("-log %q: want human or json", *logFormat)
	}
	st, closeStore, err := openStore(ctx, *storeFlag)
	if err != nil {
		return err
	}
	defer closeStore()
	reg := schema.NewRegistry()
	for _, file := range resourceTypes {
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		if err := reg.AddResourceTypeJSON(data); err != nil {
			return fmt.Errorf("-resource-type %s: %w", file, err)
		}
	}
	cfg := scim.Config{
		Schemas:          reg,
		StrictAttributes: *strict,
		Store:            st,
		Auth:             auth.StaticTokens(auth.Token{Secret: *token, Tenant: *tenant, Name: "quickstart"}),
		BaseURL:          *baseURL,
		Logger:           logger,
		Observer:         observer,
	}
	if *strict {
		cfg.Compat = func(string) patch.Compat { return patch.Compat{Strict: true} }
	}
	h, err := scim.NewHandler(cfg)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	mux.Handle("GET /healthz", h.LivenessHandler())
	mux.Handle("GET /readyz", h.ReadinessHandler(2*time.Second))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String() + "/scim/v2"
	fmt.Fprintf(stdout, "SCIM endpoint: %s\n", base)
	if *baseURL == "" {
		fmt.Fprintf(stdout, "Base URL:      from each request's Host header (local use; set -base-url to the public URL in production)\n")
	} else {
		fmt.Fprintf(stdout, "Base URL:      %s\n", *baseURL)
	}
	fmt.Fprintf(stdout, "Secret token:  %s\n", *token)
	fmt.Fprintf(stdout, "Store:         %s\n", *storeFlag)
	for _, rt := range reg.ResourceTypes() {
		fmt.Fprintf(stdout, "Serves:        %s at %s\n", rt.Name, base+rt.Endpoint)
	}
	if *strict {
		fmt.Fprintf(stdout, "Mode:          strict RFC 7644 (no PATCH quirks, unknown attributes refused)\n")
	}
	fmt.Fprintf(stdout, "Try:           curl -s -H 'Authorization: Bearer %s' '%s/Users?filter=userName+eq+%%22nobody%%22'\n", *token, base)

	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
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
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// humanLog prints each request as one short line:
//
//	PATCH /Users/2819c223… 200 disable 1.2ms rewrites=2
//	POST /Users 409 create 310µs EntryConflict: userName ada@contoso.com already exists
//
// The Handler still logs the full reason of a 401 or 5xx through the
// Config.Logger.
type humanLog struct{ w io.Writer }

func (l humanLog) ObserveRequest(_ context.Context, e *scim.Event) {
	line := fmt.Sprintf("%s %s %d %s %s", e.Method, e.Path, e.Status, e.Operation, e.Duration.Round(time.Microsecond))
	if len(e.Rewrites) > 0 {
		line += fmt.Sprintf(" rewrites=%d", len(e.Rewrites))
	}
	if e.Status >= 400 {
		if e.EntraCode != "" {
			line += " " + e.EntraCode + ":"
		}
		line += " " + e.Detail
	}
	fmt.Fprintln(l.w, line)
}

// list is a repeatable string flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

// openStore opens the store -store names.
func openStore(ctx context.Context, spec string) (store.Store, func(), error) {
	switch {
	case spec == "memory":
		return memory.New(), func() {}, nil
	case strings.HasPrefix(spec, "sqlite:"):
		st, err := sqlite.Open(ctx, strings.TrimPrefix(spec, "sqlite:"), sqlstore.Config{})
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		st, err := postgres.Open(ctx, spec, sqlstore.Config{})
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}
	return nil, nil, fmt.Errorf("-store %q: want memory, sqlite:PATH or postgres://…", spec)
}
