// Command ownmodel is the starter for a service that already has users:
// its own Account and Team model (accounts.go), a store.Store over it
// (scimstore.go), and the SCIM Handler mounted beside the service's own
// routes:
//
//	go run ./examples/ownmodel -addr 127.0.0.1:8081 -token secret
//
// Its tests run scimkit's Store conformance suite (storetest.Run) and the
// Entra and Okta replays against it: copy those too.
package main

import (
	"context"
	"encoding/json"
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
	"github.com/scimkit/scimkit/store"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "ownmodel:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ownmodel", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8081", "address to listen on")
	token := fs.String("token", os.Getenv("SCIMKIT_TOKEN"), "bearer token Entra sends")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		return fmt.Errorf("-token (or SCIMKIT_TOKEN) is required")
	}
	accounts := newAccountStore()
	h, err := scim.NewHandler(scim.Config{
		Store:  accounts,
		Auth:   auth.StaticTokens(auth.Token{Secret: *token, Tenant: "default"}),
		Logger: slog.New(slog.NewTextHandler(stderr, nil)),
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	// The product's own routes live beside the SCIM endpoint.
	mux.HandleFunc("GET /api/accounts", func(w http.ResponseWriter, r *http.Request) {
		d, _ := accounts.dir(store.WithTenant(r.Context(), "default"))
		d.mu.Lock()
		list := make([]map[string]any, 0, len(d.accounts))
		for _, a := range d.accounts {
			list = append(list, map[string]any{"id": a.ID, "email": a.Email, "name": a.FullName, "department": a.Department, "disabled": a.Disabled})
		}
		d.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(list)
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "SCIM endpoint: http://%s/scim/v2\nAccounts:      http://%s/api/accounts\n", ln.Addr(), ln.Addr())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
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
