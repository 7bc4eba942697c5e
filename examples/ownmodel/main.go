package main

import (
	"context"
	"crypto/rand"
	"database/sql"
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
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "ownmodel:", err)
		os.Exit(1)
	}
}

// tenant is the one tenant of this example; a multi-tenant service gives
// each customer's Entra its own token, each with its Tenant.
const tenant = "default"

// config is what main's flags set.
type config struct {
	Token  string
	Seats  int
	Logger *slog.Logger
	Now    func() time.Time // nil: time.Now
}

// newService returns the service's routes: its own (/login, /sessions)
// and SCIM under /scim/v2, over db.
func newService(db *sql.DB, d dialect, cfg config) (http.Handler, error) {
	if cfg.Token == "" {
		return nil, errors.New("no bearer token")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	accounts := newAccountStore(db, d)
	accounts.now = cfg.Now
	accounts.seats = cfg.Seats
	h, err := scim.NewHandler(scim.Config{
		Store:  accounts,
		Auth:   auth.StaticTokens(auth.Token{Secret: cfg.Token, Tenant: tenant}),
		Hooks:  scim.HookFuncs{After: (&accessHooks{DB: db, Dialect: d, Logger: cfg.Logger}).AfterWrite},
		Logger: cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	a := &app{db: db, d: d, tenant: tenant, now: cfg.Now}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	mux.HandleFunc("/login", a.login)
	mux.HandleFunc("GET /sessions", a.sessions)
	return mux, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ownmodel", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8081", "address to listen on")
	token := fs.String("token", os.Getenv("SCIMKIT_TOKEN"), "bearer token Entra sends (default: $SCIMKIT_TOKEN, else a random one, printed)")
	dbSpec := fs.String("db", "sqlite:ownmodel.db", "database: sqlite:PATH or postgres://…")
	seats := fs.Int("seats", 0, "active users allowed; 0: no limit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		*token = rand.Text()
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	db, d, err := openDB(ctx, *dbSpec)
	if err != nil {
		return err
	}
	defer db.Close()
	service, err := newService(db, d, config{Token: *token, Seats: *seats, Logger: logger})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "SCIM endpoint: http://%s/scim/v2\nBearer token:  %s\nLog in:        http://%s/login?user=USERNAME\nSessions:      http://%s/sessions\n",
		ln.Addr(), *token, ln.Addr(), ln.Addr())
	srv := &http.Server{Handler: service, ReadHeaderTimeout: 10 * time.Second}
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
