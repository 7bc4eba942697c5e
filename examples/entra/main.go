// Command entra serves a SCIM 2.0 endpoint on the embedded in-memory
// store for Entra ID applications whose Secret Token field is left blank:
// Entra then sends its own JWT, which is checked against the signing keys
// of the allowed tenants.
//
//	go run ./examples/entra -addr 127.0.0.1:8080 -tenant <tenant-id> [-tenant …]
//
// -authority-host (default https://login.microsoftonline.com) points it at
// a sovereign cloud (https://login.microsoftonline.us) or at a local fake
// issuer serving /{tenant}/discovery/keys; -issuer-host changes the
// expected issuer https://sts.windows.net/{tenant}/ to match.
//
// In production set -base-url (or SCIMKIT_BASE_URL) to the public URL
// Entra reaches: the URLs in responses are built from it, never from a
// request's Host header.
//
// To try it without Entra, -fake-issuer starts a fake Entra issuer in the
// process (package auth/authtest) and prints a token and a curl line:
//
//	go run ./examples/entra -fake-issuer
//
// Copy it as the starting point of your own service.
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
	"strings"
	"syscall"
	"time"

	"github.com/scimkit/scimkit/auth/authtest"
	"github.com/scimkit/scimkit/auth/entra"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memory"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "entra:", err)
		os.Exit(1)
	}
}

// list is a repeatable string flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("entra", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	var tenants, audiences list
	fs.Var(&tenants, "tenant", "tenant ID (GUID) allowed to provision; repeat for several")
	fs.Var(&audiences, "audience", "accepted aud; repeat for several (default "+entra.DefaultAudience+", the custom-app audience)")
	authority := fs.String("authority-host", entra.DefaultAuthorityHost, "host serving {host}/{tenant}/discovery/keys")
	issuer := fs.String("issuer-host", entra.DefaultIssuerHost, "tokens' issuer is {issuer-host}/{tenant}/")
	fake := fs.Bool("fake-issuer", false, "start a fake Entra issuer in the process and print a token (no Entra needed)")
	baseURL := fs.String("base-url", os.Getenv("SCIMKIT_BASE_URL"), "public URL of the endpoint, the Tenant URL you give Entra (default $SCIMKIT_BASE_URL); empty: taken from each request's Host header, for local use only")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	client := &http.Client{Timeout: 10 * time.Second}
	var iss *authtest.Issuer
	if *fake {
		if *authority != entra.DefaultAuthorityHost {
			return errors.New("-fake-issuer and -authority-host exclude each other")
		}
		iss = authtest.NewIssuer(authtest.Options{IssuerHost: *issuer})
		defer iss.Close()
		*authority = iss.URL()
		client = iss.Client()
		if len(tenants) == 0 {
			tenants = list{authtest.NewTenantID()}
		}
	}
	if len(tenants) == 0 {
		return errors.New("at least one -tenant is required (or -fake-issuer to try it without Entra)")
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ea, err := entra.New(ctx, entra.Config{
		Tenants:       tenants,
		Audiences:     audiences,
		AuthorityHost: *authority,
		IssuerHost:    *issuer,
		HTTPClient:    client,
		Logger:        logger,
	})
	if err != nil {
		return err
	}
	defer ea.Close()
	h, err := scim.NewHandler(scim.Config{
		Store:   memory.New(),
		Auth:    ea,
		BaseURL: *baseURL,
		Logger:  logger,
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String() + "/scim/v2"
	fmt.Fprintf(stdout, "SCIM endpoint: %s\n", base)
	tenantURL := base
	if *baseURL != "" {
		tenantURL = *baseURL
		fmt.Fprintf(stdout, "Base URL:      %s\n", tenantURL)
	}
	fmt.Fprintf(stdout, "Tenants:       %s\n", strings.Join(tenants, " "))
	if iss != nil {
		token := iss.Token(tenants[0])
		fmt.Fprintf(stdout, "Fake issuer:   %s (keys at %s)\n", iss.URL(), iss.JWKSURL(tenants[0]))
		fmt.Fprintf(stdout, "Token:         %s\n", token)
		fmt.Fprintf(stdout, "Try:           curl -s -H 'Authorization: Bearer %s' '%s/Users?filter=userName+eq+%%22nobody%%22'\n", token, base)
	} else {
		fmt.Fprintf(stdout, "In Entra:      Tenant URL %s, Secret Token left blank\n", tenantURL)
	}

	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
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
