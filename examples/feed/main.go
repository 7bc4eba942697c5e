// Command feed shows Entra's provisioning arriving as events: it serves a
// SCIM endpoint over a SQLite (or PostgreSQL) store with its change feed
// on, and a consumer that prints each committed change as one line:
//
//	go run ./examples/feed -addr 127.0.0.1:8080 -token secret
//
//	22:31:07 default user 5f0c… created by static-token (request 9b2e…)
//	22:31:09 default user 5f0c… deactivated [active] by static-token (request 41d7…)
//	22:31:12 default group 7a1e… member.added user 5f0c… by static-token (request c03a…)
//
// The consumer is a store.Consumer named "printer". Run it in another
// process against the same database (-serve=false) and it still sees
// every event, in commit order per tenant, at least once: the feed is
// written in the same transaction as each change, so a crash loses none.
// Replicas running the same consumer name share the work (leases).
//
// Copy the Handle function as the start of your own reaction: revoke a
// disabled user's sessions, bill a seat, write an audit log.
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
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "feed:", err)
		os.Exit(1)
	}
}

// run serves and consumes until ctx ends. ready, if not nil, receives the
// endpoint's base URL once it listens.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) error {
	fs := flag.NewFlagSet("feed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	token := fs.String("token", os.Getenv("SCIMKIT_TOKEN"), "bearer token Entra sends (default $SCIMKIT_TOKEN, else generated)")
	tenant := fs.String("tenant", "default", "tenant the token acts in")
	db := fs.String("db", "sqlite:scimkit-feed.db", "sqlite:PATH or a postgres:// DSN")
	serve := fs.Bool("serve", true, "serve the SCIM endpoint; -serve=false only consumes the feed of a database another process writes")
	consumer := fs.String("consumer", "printer", "the consumer name; replicas with the same name share the events")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, 2)
	c := &store.Consumer{Feed: st, Name: *consumer, Handle: func(_ context.Context, b *store.Batch) error {
		for _, e := range b.Events {
			fmt.Fprintln(stdout, describe(e))
		}
		return nil
	}}
	go func() { errs <- c.Run(ctx) }()

	if *serve {
		if *token == "" {
			var b [24]byte
			_, _ = rand.Read(b[:])
			*token = base64.RawURLEncoding.EncodeToString(b[:])
		}
		h, err := scim.NewHandler(scim.Config{
			Store:  st,
			Auth:   auth.StaticTokens(auth.Token{Secret: *token, Tenant: *tenant}),
			Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		})
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return err
		}
		mux := http.NewServeMux()
		mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		base := "http://" + ln.Addr().String() + "/scim/v2"
		fmt.Fprintf(stderr, "SCIM endpoint: %s\ntoken:         %s\nevents print below as Entra's requests arrive.\n", base, *token)
		go func() { errs <- srv.Serve(ln) }()
		go func() {
			<-ctx.Done()
			sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer scancel()
			_ = srv.Shutdown(sctx)
		}()
		if ready != nil {
			ready <- base
		}
	}
	select {
	case err := <-errs:
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// open opens the store with its change feed on.
func open(ctx context.Context, db string) (*sqlstore.Store, error) {
	cfg := sqlstore.Config{Feed: sqlstore.FeedConfig{Enabled: true}}
	switch {
	case strings.HasPrefix(db, "sqlite:"):
		return sqlite.Open(ctx, strings.TrimPrefix(db, "sqlite:"), cfg)
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		return postgres.Open(ctx, db, cfg)
	}
	return nil, fmt.Errorf("-db %q: want sqlite:PATH or a postgres:// DSN", db)
}

// describe is one event as one line.
func describe(e store.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s %s %s", e.Time.Local().Format("15:04:05"), e.Tenant, strings.ToLower(e.Type), short(e.ResourceID), e.Kind)
	if len(e.Paths) > 0 {
		fmt.Fprintf(&b, " %v", e.Paths)
	}
	if e.Member != nil {
		fmt.Fprintf(&b, " %s %s", strings.ToLower(e.Member.Type), short(e.Member.Value))
	}
	fmt.Fprintf(&b, " by %s (request %s)", cmpOr(e.Principal.Subject, e.Principal.Method), short(e.RequestID))
	return b.String()
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8] + "…"
	}
	return id
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
