// Command quickstart serves a SCIM 2.0 endpoint on the embedded in-memory
// store, ready for Entra ID's Test Connection:
//
//	go run ./examples/quickstart -addr 127.0.0.1:8080 -token secret
//
// Without -token (or SCIMKIT_TOKEN) it generates one. It prints the base
// URL, the token and a curl line to try. Copy it as the starting point of
// your own service.
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
	"syscall"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memory"
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
	h, err := scim.NewHandler(scim.Config{
		Store:  memory.New(),
		Auth:   auth.StaticTokens(auth.Token{Secret: *token, Tenant: *tenant, Name: "quickstart"}),
		Logger: logger,
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
	fmt.Fprintf(stdout, "Secret token:  %s\n", *token)
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
