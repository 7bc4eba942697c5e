// Command entra serves a SCIM 2.0 endpoint on the embedded in-memory
// store for Microsoft Entra ID, in one of three authentication modes:
//
//   - -mode jwt (default): the application's Secret Token field is left
//     blank; Entra sends its own v1 JWT, checked against the signing keys
//     of the allowed tenants (package auth/entra). Microsoft says this is
//     for testing.
//   - -mode client-credentials: the Entra gallery's OAuth 2.0 client
//     credentials. The service runs a token endpoint (/oauth/token); the
//     customer enters a client id, a client secret and its URL in Entra,
//     and SCIM requests carry the access tokens it issues (package
//     auth/oauth).
//   - -mode federation: the gallery's workload identity federation. Entra
//     presents its own v2 token as a client assertion to /oauth/token and
//     gets an access token back; no secret is exchanged.
//
// Usage:
//
//	go run ./examples/entra -tenant <tenant-id>                     # jwt
//	go run ./examples/entra -mode client-credentials -clients clients.json
//	go run ./examples/entra -mode federation -clients clients.json \
//		-tenant <customer tenant-id> -audience api://<your app id>
//
// Access tokens are signed with the key in $SCIMKIT_TOKEN_KEY (base64, at
// least 32 bytes; key id $SCIMKIT_TOKEN_KEY_ID, default "k1"): give every
// replica the same key. Without it, a random key is made at start, and
// tokens do not survive a restart.
//
// -authority-host (default https://login.microsoftonline.com) points it at
// a sovereign cloud (https://login.microsoftonline.us) or at a local fake
// issuer serving /{tenant}/discovery/keys; -issuer-host changes the
// expected issuer to match.
//
// In production set -base-url (or SCIMKIT_BASE_URL) to the public URL
// Entra reaches: the URLs in responses are built from it, never from a
// request's Host header.
//
// To try it without Entra, -fake-issuer starts a fake Entra issuer in the
// process (package auth/authtest) and prints a token (jwt), a client id
// and secret (client-credentials) or an assertion (federation), with a
// curl line:
//
//	go run ./examples/entra -fake-issuer
//	go run ./examples/entra -mode client-credentials -fake-issuer
//	go run ./examples/entra -mode federation -fake-issuer
//
// Copy it as the starting point of your own service.
package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/authtest"
	"github.com/scimkit/scimkit/auth/entra"
	"github.com/scimkit/scimkit/auth/oauth"
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

// Modes.
const (
	modeJWT        = "jwt"
	modeClientCred = "client-credentials"
	modeFederation = "federation"
)

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("entra", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	mode := fs.String("mode", modeJWT, "authentication: jwt (Entra's own token, Secret Token blank), client-credentials or federation (the Entra gallery's OAuth modes)")
	var tenants, audiences list
	fs.Var(&tenants, "tenant", "tenant ID (GUID) allowed to provision (jwt) or to federate (federation); repeat for several")
	fs.Var(&audiences, "audience", "accepted aud; repeat for several (jwt default "+entra.DefaultAudience+", the custom-app audience; federation: the api://… URI of your workload identity)")
	authority := fs.String("authority-host", entra.DefaultAuthorityHost, "host serving {host}/{tenant}/discovery/keys (v2: /discovery/v2.0/keys)")
	issuer := fs.String("issuer-host", "", "tokens' issuer is {issuer-host}/{tenant}/ (v1, default "+entra.DefaultIssuerHost+") or {issuer-host}/{tenant}/v2.0 (federation, default "+entra.DefaultV2IssuerHost+")")
	clientsFile := fs.String("clients", "", "clients file (JSON, see auth/oauth.ParseClients) for client-credentials and federation; reloaded on SIGHUP")
	subject := fs.String("subject", "", "federation: sub of Entra's assertions when -clients is not given (the provisioning service's object id)")
	fake := fs.Bool("fake-issuer", false, "start a fake Entra issuer in the process and print credentials to try it (no Entra needed)")
	baseURL := fs.String("base-url", os.Getenv("SCIMKIT_BASE_URL"), "public URL of the endpoint, the Tenant URL you give Entra (default $SCIMKIT_BASE_URL); empty: taken from each request's Host header, for local use only")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch *mode {
	case modeJWT, modeClientCred, modeFederation:
	default:
		return fmt.Errorf("-mode %q: want jwt, client-credentials or federation", *mode)
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	client := &http.Client{Timeout: 10 * time.Second}
	var iss *authtest.Issuer
	if *fake {
		if *authority != entra.DefaultAuthorityHost {
			return errors.New("-fake-issuer and -authority-host exclude each other")
		}
		iss = authtest.NewIssuer(authtest.Options{IssuerHost: cmpOr(*issuer, authtest.DefaultIssuerHost), V2IssuerHost: cmpOr(*issuer, authtest.DefaultV2IssuerHost)})
		defer iss.Close()
		*authority = iss.URL()
		client = iss.Client()
		if len(tenants) == 0 && *mode != modeClientCred {
			tenants = list{authtest.NewTenantID()}
		}
		if *mode == modeFederation {
			if len(audiences) == 0 {
				audiences = list{authtest.WorkloadAudience}
			}
			*subject = cmpOr(*subject, authtest.WorkloadSubject)
		}
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	origin := "http://" + ln.Addr().String()
	base := origin + "/scim/v2"
	mux := http.NewServeMux()
	var printed []string
	say := func(label, format string, args ...any) {
		printed = append(printed, fmt.Sprintf("%-15s%s", label+":", fmt.Sprintf(format, args...)))
	}
	say("SCIM endpoint", "%s", base)
	tenantURL := base
	if *baseURL != "" {
		tenantURL = *baseURL
		say("Base URL", "%s", tenantURL)
	}

	var a auth.Authenticator
	switch *mode {
	case modeJWT:
		if len(tenants) == 0 {
			return errors.New("at least one -tenant is required (or -fake-issuer to try it without Entra)")
		}
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
		a = ea
		say("Tenants", "%s", strings.Join(tenants, " "))
		if iss != nil {
			token := iss.Token(tenants[0])
			say("Fake issuer", "%s (keys at %s)", iss.URL(), iss.JWKSURL(tenants[0]))
			say("Token", "%s", token)
			say("Try", "curl -s -H 'Authorization: Bearer %s' '%s/Users?filter=userName+eq+%%22nobody%%22'", token, base)
		} else {
			say("In Entra", "Tenant URL %s, Secret Token left blank", tenantURL)
		}

	case modeClientCred, modeFederation:
		publicOrigin := origin
		if *baseURL != "" {
			u, err := url.Parse(*baseURL)
			if err != nil || u.Host == "" {
				return fmt.Errorf("-base-url %q is not a URL", *baseURL)
			}
			publicOrigin = u.Scheme + "://" + u.Host
		}
		tokenURL := publicOrigin + "/oauth/token"
		clients, demoSecret, err := loadClients(*mode, *clientsFile, *fake, tenants, audiences, *subject)
		if err != nil {
			return err
		}
		if *clientsFile != "" {
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			go reloadClients(ctx, hup, *clientsFile, clients, logger)
			say("Reload", "kill -HUP %d after editing %s", os.Getpid(), *clientsFile)
		}
		key, err := signingKey(logger)
		if err != nil {
			return err
		}
		cfg := oauth.Config{Clients: clients, Issuer: publicOrigin, SigningKey: key, Logger: logger}
		if *mode == modeFederation {
			ev, err := entra.New(ctx, entra.Config{
				Version:       entra.V2,
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
			defer ev.Close()
			cfg.Assertions = ev
		}
		srv, err := oauth.NewServer(cfg)
		if err != nil {
			return err
		}
		mux.Handle("POST /oauth/token", srv)
		a = srv.Authenticator()
		say("Token endpoint", "%s", tokenURL)
		switch {
		case *mode == modeClientCred && demoSecret != "":
			say("Client ID", "demo")
			say("Client secret", "%s", demoSecret)
			say("Try", "curl -s -u 'demo:%s' -d grant_type=client_credentials '%s'", demoSecret, tokenURL)
		case *mode == modeClientCred:
			say("In Entra", "Tenant URL %s, Client Identifier, Client Secret, Token Endpoint %s", tenantURL, tokenURL)
		case iss != nil:
			assertion := iss.TokenV2(tenants[0])
			say("Fake issuer", "%s (v2 keys at %s)", iss.URL(), iss.JWKSURLV2(tenants[0]))
			say("Assertion", "%s", assertion)
			say("Try", "curl -s -d grant_type=client_credentials -d client_id=demo -d client_assertion_type=%s -d client_assertion=%s '%s'",
				url.QueryEscape(oauth.AssertionType), assertion, tokenURL)
		default:
			say("In Entra", "Tenant URL %s, workload identity federation with Token Endpoint %s", tenantURL, tokenURL)
		}
	}

	h, err := scim.NewHandler(scim.Config{
		Store:   memory.New(),
		Auth:    a,
		BaseURL: *baseURL,
		Logger:  logger,
	})
	if err != nil {
		return err
	}
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	mux.Handle("GET /healthz", h.LivenessHandler())
	mux.Handle("GET /readyz", h.ReadinessHandler(5*time.Second)) // 503 while a tenant's signing keys are unavailable
	for _, l := range printed {
		fmt.Fprintln(stdout, l)
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

// loadClients reads the clients file or, with -fake-issuer, makes the
// demo client: for client-credentials with a fresh secret (returned), for
// federation trusting the fake issuer's tenants.
func loadClients(mode, file string, fake bool, tenants, audiences []string, subject string) (*oauth.Clients, string, error) {
	if file != "" {
		cs, err := oauth.LoadClients(file)
		if err != nil {
			return nil, "", err
		}
		clients, err := oauth.NewClients(cs...)
		return clients, "", err
	}
	switch {
	case !fake:
		return nil, "", fmt.Errorf("-mode %s needs -clients (or -fake-issuer to try it without Entra)", mode)
	case mode == modeClientCred:
		secret := oauth.GenerateSecret()
		h, err := oauth.HashSecret(secret)
		if err != nil {
			return nil, "", err
		}
		clients, err := oauth.NewClients(oauth.Client{ID: "demo", Tenant: "demo", Secrets: []oauth.Secret{{Hash: h, Expires: time.Now().AddDate(1, 0, 0)}}})
		return clients, secret, err
	default:
		clients, err := oauth.NewClients(oauth.Client{ID: "demo", Tenant: "demo", Federation: &oauth.Federation{
			Tenants: tenants, Audience: audiences[0], Subject: subject,
		}})
		return clients, "", err
	}
}

// signingKey reads $SCIMKIT_TOKEN_KEY, or makes a random key.
func signingKey(log *slog.Logger) (oauth.Key, error) {
	id := cmpOr(os.Getenv("SCIMKIT_TOKEN_KEY_ID"), "k1")
	s := os.Getenv("SCIMKIT_TOKEN_KEY")
	if s == "" {
		log.Warn("SCIMKIT_TOKEN_KEY is not set: access tokens are signed with a random key and do not survive a restart, nor work on another replica")
		return oauth.GenerateKey(id), nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return oauth.Key{}, fmt.Errorf("SCIMKIT_TOKEN_KEY is not base64: %w", err)
	}
	return oauth.Key{ID: id, Secret: b}, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
