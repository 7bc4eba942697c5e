package entra_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/authtest"
	"github.com/scimkit/scimkit/auth/entra"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memory"
)

// attack is one row of the attack table: a request built against a
// fixture and the rejection it must get.
type attack struct {
	name    string
	req     func(f *fixture) *http.Request
	wantErr error
	wantMsg string // a substring of the error's text, in the admin's terms
}

func token(mint func(f *fixture) string) func(f *fixture) *http.Request {
	return func(f *fixture) *http.Request { return bearer(mint(f)) }
}

func header(h string) func(f *fixture) *http.Request {
	return func(*fixture) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/Users", nil)
		if h != "" {
			r.Header.Set("Authorization", h)
		}
		return r
	}
}

// tamper re-encodes the payload of tok with one claim changed, keeping
// the original signature.
func tamper(t *testing.T, tok, claim string, value any) string {
	parts := strings.Split(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	c[claim] = value
	if b, err = json.Marshal(c); err != nil {
		t.Fatal(err)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

func attacks(t *testing.T) []attack {
	return []attack{
		{"alg none", token(func(f *fixture) string { return f.iss.Mint(f.a, nil, authtest.Header("alg", "none")) }),
			auth.ErrUnsupportedAlgorithm, `signing algorithm "none" is refused`},
		{"HS256 keyed with the RSA public key", token(func(f *fixture) string { return f.iss.Mint(f.a, nil, authtest.Header("alg", "HS256")) }),
			auth.ErrUnsupportedAlgorithm, `"HS256"`},
		{"PS256 with the real key", token(func(f *fixture) string { return f.iss.Mint(f.a, nil, authtest.Header("alg", "PS256")) }),
			auth.ErrUnsupportedAlgorithm, `"PS256"`},
		{"RS512 with the real key", token(func(f *fixture) string { return f.iss.Mint(f.a, nil, authtest.Header("alg", "RS512")) }),
			auth.ErrUnsupportedAlgorithm, `"RS512"`},
		{"no alg", token(func(f *fixture) string { return f.iss.Mint(f.a, nil, authtest.Header("alg", nil)) }),
			auth.ErrUnsupportedAlgorithm, `""`},
		{"wrong issuer", token(func(f *fixture) string {
			return f.iss.Mint(f.a, authtest.Claims{"iss": "https://evil.example.com/" + f.a + "/"})
		}), auth.ErrWrongIssuer, "is not an Entra tenant issuer https://sts.windows.net/{tenant ID}/"},
		{"issuer without its trailing slash", token(func(f *fixture) string {
			return f.iss.Mint(f.a, authtest.Claims{"iss": "https://sts.windows.net/" + f.a})
		}), auth.ErrWrongIssuer, "not an Entra tenant issuer"},
		{"v2.0 issuer", token(func(f *fixture) string {
			return f.iss.Mint(f.a, authtest.Claims{"iss": "https://login.microsoftonline.com/" + f.a + "/v2.0"})
		}), auth.ErrWrongIssuer, "v2.0 tokens"},
		{"issuer of a tenant not allowed", token(func(f *fixture) string { return f.iss.Token(f.other) }),
			auth.ErrTenantNotAllowed, "is not allowed"},
		{"tid is not the issuer's tenant", token(func(f *fixture) string { return f.iss.Mint(f.a, authtest.Claims{"tid": f.b}) }),
			auth.ErrTenantMismatch, "is not the issuer's tenant"},
		{"no tid", token(func(f *fixture) string { return f.iss.Mint(f.a, authtest.Claims{"tid": nil}) }),
			auth.ErrTenantMismatch, `tid claim ""`},
		{"wrong audience", token(func(f *fixture) string {
			return f.iss.Mint(f.a, authtest.Claims{"aud": "00000002-0000-0000-c000-000000000000"})
		}), auth.ErrWrongAudience, `audience "00000002-0000-0000-c000-000000000000" is not the custom-app audience 8adf8e6e-67b2-4cf2-a259-e3dc5476c621`},
		{"no audience", token(func(f *fixture) string { return f.iss.Mint(f.a, authtest.Claims{"aud": nil}) }),
			auth.ErrWrongAudience, "no audience"},
		{"expired", token(func(f *fixture) string {
			now := f.clock.Now()
			return f.iss.Mint(f.a, authtest.Claims{"iat": now.Add(-2 * time.Hour).Unix(), "nbf": now.Add(-2 * time.Hour).Unix(), "exp": now.Add(-6 * time.Minute).Unix()})
		}), auth.ErrTokenExpired, "token expired at 2026-06-01T09:54:00Z"},
		{"nbf in the future", token(func(f *fixture) string {
			return f.iss.Mint(f.a, authtest.Claims{"nbf": f.clock.Now().Add(10 * time.Minute).Unix()})
		}), auth.ErrTokenNotYetValid, "not valid before 2026-06-01T10:10:00Z"},
		{"no exp", token(func(f *fixture) string { return f.iss.Mint(f.a, authtest.Claims{"exp": nil}) }),
			auth.ErrNoExpiry, "no expiry"},
		{"exp not a number", token(func(f *fixture) string { return f.iss.Mint(f.a, authtest.Claims{"exp": "tomorrow"}) }),
			auth.ErrMalformedToken, "claims"},
		{"unknown kid", token(func(f *fixture) string {
			return f.iss.Mint(f.a, nil, authtest.Header("kid", "not-a-key"), authtest.Header("x5t", "not-a-key"))
		}), auth.ErrUnknownSigningKey, `unknown signing key: kid "not-a-key"`},
		{"no kid", token(func(f *fixture) string { return f.iss.Mint(f.a, nil, authtest.Header("kid", nil)) }),
			auth.ErrMalformedToken, "no kid"},
		{"tampered payload", token(func(f *fixture) string { return tamper(t, f.iss.Token(f.a), "sub", "admin") }),
			auth.ErrBadSignature, "signature does not verify"},
		{"signature from a key not in the JWKS", token(func(f *fixture) string {
			return f.iss.Mint(f.a, nil, authtest.SignedBy(authtest.NewSigningKey()))
		}), auth.ErrBadSignature, "signed by another key"},
		{"crit header", token(func(f *fixture) string { return f.iss.Mint(f.a, nil, authtest.Header("crit", []string{"exp"})) }),
			auth.ErrMalformedToken, "crit"},
		{"not a JWT", header("Bearer opaque-secret"), auth.ErrMalformedToken, "not a JWT"},
		{"JWS JSON serialization", header(`Bearer {"payload":"e30","signatures":[]}`), auth.ErrMalformedToken, "not a JWT"},
		{"no header", header(""), auth.ErrNoToken, "Secret Token"},
		{"empty bearer", header("Bearer "), auth.ErrNoToken, "Secret Token"},
		{"Basic scheme", header("Basic dXNlcjpwYXNz"), auth.ErrNoToken, "Secret Token"},
		{"token in the query string", func(f *fixture) *http.Request {
			tok := f.iss.Token(f.a)
			r := httptest.NewRequest(http.MethodGet, "/Users?access_token="+tok, nil)
			r.Header.Set("Authorization", "Bearer "+tok)
			return r
		}, auth.ErrTokenInQuery, "query string"},
		{"20 KiB token", token(func(f *fixture) string {
			return f.iss.Mint(f.a, authtest.Claims{"pad": strings.Repeat("x", 20<<10)})
		}), auth.ErrTokenTooLarge, "16 KiB"},
	}
}

func TestEntraAttackTable(t *testing.T) {
	f := newFixture(t)
	for _, a := range attacks(t) {
		t.Run(a.name, func(t *testing.T) {
			r := a.req(f)
			p, err := f.entra.Authenticate(r)
			if !errors.Is(err, a.wantErr) {
				t.Fatalf("err = %v, want %v", err, a.wantErr)
			}
			if !strings.Contains(err.Error(), a.wantMsg) {
				t.Errorf("err = %q, want it to say %q", err, a.wantMsg)
			}
			if p != (auth.Principal{}) {
				t.Errorf("principal %+v returned with an error", p)
			}
			if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && len(tok) > 20 {
				for _, seg := range strings.Split(tok, ".") {
					if len(seg) > 8 && strings.Contains(err.Error(), seg) {
						t.Errorf("the error repeats a part of the token: %q", err)
					}
				}
			}
		})
	}
}

// TestEntraAttackTableThroughHandler sends every attack through a
// scim.Handler: each gets 401 with only "unauthorized" and the request id in the body, and
// none reaches the store.
func TestEntraAttackTableThroughHandler(t *testing.T) {
	f := newFixture(t)
	st := &countingStore{Store: memory.New()}
	var logs strings.Builder
	h, err := scim.NewHandler(scim.Config{Store: st, Auth: f.entra, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	source := 0
	for _, a := range attacks(t) {
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			t.Run(a.name+" "+m, func(t *testing.T) {
				r := a.req(f)
				r.Method = m
				// One source each: the Handler logs one 401 per source a minute.
				source++
				r.RemoteAddr = fmt.Sprintf("198.51.%d.%d:4711", source/250, source%250)
				if m == http.MethodDelete {
					r.URL.Path = "/Users/some-id"
				}
				if m == http.MethodPost {
					r.Body = http.NoBody
					r.Header.Set("Content-Type", "application/scim+json")
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if rec.Code != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401: %s", rec.Code, rec.Body)
				}
				var body map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["detail"] != "unauthorized (request id "+rec.Header().Get("X-Request-Id")+")" {
					t.Errorf("body %s, want detail \"unauthorized\" only", rec.Body)
				}
				wa := rec.Header().Get("WWW-Authenticate")
				wantInvalid := !errors.Is(a.wantErr, auth.ErrNoToken)
				if !strings.HasPrefix(wa, `Bearer realm="scim"`) || strings.Contains(wa, `error="invalid_token"`) != wantInvalid {
					t.Errorf("WWW-Authenticate = %q", wa)
				}
			})
		}
	}
	if n := st.calls.Load(); n != 0 {
		t.Errorf("rejected requests reached the store %d times, want 0", n)
	}
	for _, want := range []string{"token expired at", "is not the custom-app audience", "is not allowed", "unknown signing key", "Secret Token"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log does not say %q", want)
		}
	}
	// Sanity: a valid token does reach the store.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, bearer(f.iss.Token(f.a)))
	if rec.Code != http.StatusOK || st.calls.Load() == 0 {
		t.Errorf("valid token: %d %s, store calls %d", rec.Code, rec.Body, st.calls.Load())
	}
}

func TestEntraAcceptsEntrasToken(t *testing.T) {
	f := newFixture(t)
	tok := f.iss.Mint(f.a, authtest.Claims{"sub": "sync-fabric", "oid": "o"})
	got, err := f.entra.Authenticate(bearer(tok))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(auth.Principal{Tenant: f.a, Subject: "sync-fabric", Method: "entra-jwt"}, got); diff != "" {
		t.Errorf("principal (-want +got):\n%s", diff)
	}
	// Without sub, the oid; without both, the appid.
	got, _ = f.entra.Authenticate(bearer(f.iss.Mint(f.b, authtest.Claims{"sub": nil, "oid": "object-id"})))
	if got.Subject != "object-id" || got.Tenant != f.b {
		t.Errorf("without sub: %+v", got)
	}
	got, _ = f.entra.Authenticate(bearer(f.iss.Mint(f.b, authtest.Claims{"sub": nil, "oid": nil})))
	if got.Subject != authtest.ProvisioningAppID {
		t.Errorf("without sub and oid: %+v", got)
	}
	// aud as an array, float dates.
	if _, err := f.entra.Authenticate(bearer(f.iss.Mint(f.a, authtest.Claims{"aud": []string{"x", entra.DefaultAudience}, "exp": float64(start.Unix()) + 60.5}))); err != nil {
		t.Errorf("aud array: %v", err)
	}
	if n := f.extraFetches(); n != 0 {
		t.Errorf("%d JWKS fetches after the warm-up, want 0", n)
	}
}

func TestEntraClockSkew(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	cases := []struct {
		name    string
		claims  authtest.Claims
		wantErr error
	}{
		{"expired 4 min ago", authtest.Claims{"exp": now.Add(-4 * time.Minute).Unix()}, nil},
		{"expired 5 min ago", authtest.Claims{"exp": now.Add(-5 * time.Minute).Unix()}, auth.ErrTokenExpired},
		{"nbf in 4 min", authtest.Claims{"nbf": now.Add(4 * time.Minute).Unix()}, nil},
		{"nbf in 6 min", authtest.Claims{"nbf": now.Add(6 * time.Minute).Unix()}, auth.ErrTokenNotYetValid},
		{"no nbf", authtest.Claims{"nbf": nil}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.entra.Authenticate(bearer(f.iss.Mint(f.a, c.claims)))
			if !errors.Is(err, c.wantErr) {
				t.Errorf("err = %v, want %v", err, c.wantErr)
			}
		})
	}
}

func TestEntraConfiguredAudiencesAndApps(t *testing.T) {
	const gallery = "11111111-2222-3333-4444-555555555555"
	f := newFixture(t, func(_ *fixture, c *entra.Config) {
		c.Audiences = []string{gallery}
		c.AppIDs = []string{entra.ProvisioningAppID}
	})
	_, err := f.entra.Authenticate(bearer(f.iss.Token(f.a)))
	if !errors.Is(err, auth.ErrWrongAudience) || !strings.Contains(err.Error(), "one of the accepted audiences "+gallery) {
		t.Errorf("default audience: %v", err)
	}
	if _, err := f.entra.Authenticate(bearer(f.iss.Mint(f.a, authtest.Claims{"aud": gallery}))); err != nil {
		t.Errorf("configured audience: %v", err)
	}
	_, err = f.entra.Authenticate(bearer(f.iss.Mint(f.a, authtest.Claims{"aud": gallery, "appid": "someone-else"})))
	if !errors.Is(err, auth.ErrWrongApp) {
		t.Errorf("other appid: %v", err)
	}
}

func TestEntraAllowTenantCallback(t *testing.T) {
	allowed := map[string]bool{}
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	allow := func(tid string) bool { <-mu; defer func() { mu <- struct{}{} }(); return allowed[tid] }
	set := func(tid string, ok bool) { <-mu; allowed[tid] = ok; mu <- struct{}{} }
	f := newFixture(t, func(f *fixture, c *entra.Config) {
		c.Tenants = nil
		c.AllowTenant = allow
	})
	set(f.a, true)
	if n := f.iss.Fetches(); n != 0 {
		t.Errorf("New with AllowTenant fetched %d times, want 0 (lazy)", n)
	}
	tok := f.iss.Token(f.a)
	if _, err := f.entra.Authenticate(bearer(tok)); err != nil {
		t.Fatal(err)
	}
	if n := f.iss.Fetches(); n != 1 {
		t.Errorf("first request of a tenant fetched %d times, want 1", n)
	}
	// A tenant the callback refuses causes no fetch.
	if _, err := f.entra.Authenticate(bearer(f.iss.Token(f.b))); !errors.Is(err, auth.ErrTenantNotAllowed) {
		t.Errorf("tenant b: %v", err)
	}
	if n := f.iss.Fetches(); n != 1 {
		t.Errorf("a refused tenant caused a fetch")
	}
	// A tenant no longer allowed is refused at once, cached token or not.
	set(f.a, false)
	if _, err := f.entra.Authenticate(bearer(tok)); !errors.Is(err, auth.ErrTenantNotAllowed) {
		t.Errorf("revoked tenant: %v", err)
	}
}

func TestNewConfigErrors(t *testing.T) {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	tid := authtest.NewTenantID()
	cases := []struct {
		name string
		cfg  entra.Config
		want string
	}{
		{"no tenants", entra.Config{}, "set Tenants"},
		{"both", entra.Config{Tenants: []string{tid}, AllowTenant: func(string) bool { return true }}, "not both"},
		{"domain name", entra.Config{Tenants: []string{"contoso.onmicrosoft.com"}}, "is not a tenant ID"},
		{"http authority", entra.Config{Tenants: []string{tid}, AuthorityHost: "http://login.example.com"}, "https only"},
		{"authority with a query", entra.Config{Tenants: []string{tid}, AuthorityHost: "https://login.example.com/?x=1"}, "scheme://host"},
		{"issuer not a URL", entra.Config{Tenants: []string{tid}, IssuerHost: "sts.windows.net"}, "IssuerHost"},
		{"negative skew", entra.Config{Tenants: []string{tid}, ClockSkew: -time.Second}, "negative"},
		{"empty audience", entra.Config{Tenants: []string{tid}, Audiences: []string{""}}, "empty audience"},
		{"negative MaxTenants", entra.Config{AllowTenant: func(string) bool { return true }, MaxTenants: -1}, "negative MaxTenants"},
		{"negative MaxTenantFetches", entra.Config{AllowTenant: func(string) bool { return true }, MaxTenantFetches: -1}, "MaxTenantFetches"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.HTTPClient = iss.Client()
			c.cfg.Logger = slog.New(slog.DiscardHandler)
			e, err := entra.New(t.Context(), c.cfg)
			if err == nil {
				e.Close()
				t.Fatalf("New succeeded, want an error saying %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to say %q", err, c.want)
			}
		})
	}
	// Upper-case tenant IDs are accepted (Entra writes them in lower case).
	e, err := entra.New(t.Context(), entra.Config{Tenants: []string{strings.ToUpper(tid)}, AuthorityHost: iss.URL(), HTTPClient: iss.Client()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Authenticate(bearer(iss.Token(tid))); err != nil {
		t.Errorf("upper-case tenant in the config: %v", err)
	}
}

func TestEntraIssuerHostForAFakeIssuer(t *testing.T) {
	// An issuer whose tokens name itself: IssuerHost must say so.
	clock := newClock()
	iss := authtest.NewIssuer(authtest.Options{IssuerHost: "http://issuer.test", Clock: clock.Now})
	defer iss.Close()
	tid := authtest.NewTenantID()
	cfg := entra.Config{Tenants: []string{tid}, AuthorityHost: iss.URL(), HTTPClient: iss.Client(), Clock: clock.Now, Logger: slog.New(slog.DiscardHandler)}
	e, err := entra.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Authenticate(bearer(iss.Token(tid))); !errors.Is(err, auth.ErrWrongIssuer) {
		t.Errorf("default IssuerHost: %v, want ErrWrongIssuer", err)
	}
	cfg.IssuerHost = iss.IssuerHost()
	e2, err := entra.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if _, err := e2.Authenticate(bearer(iss.Token(tid))); err != nil {
		t.Errorf("IssuerHost %s: %v", cfg.IssuerHost, err)
	}
}

// TestRejectionsBoundTokenValues: a rejection's text, which the Handler
// logs, quotes at most 128 bytes of each value taken from the token, so
// an 8 KiB claim does not write 8 KiB of log per request.
func TestRejectionsBoundTokenValues(t *testing.T) {
	f := newFixture(t, func(_ *fixture, c *entra.Config) { c.AppIDs = []string{entra.ProvisioningAppID} })
	big := strings.Repeat("A", 8<<10)
	many := make([]string, 2000)
	for i := range many {
		many[i] = "x"
	}
	cases := []struct {
		name string
		tok  string
		want error
		says string
	}{
		{"iss", f.iss.Mint(f.a, authtest.Claims{"iss": "https://sts.windows.net/" + big + "/"}, authtest.ForgedSignature()), auth.ErrWrongIssuer, "… (8217 bytes)"},
		{"tid", f.iss.Mint(f.a, authtest.Claims{"tid": big}, authtest.ForgedSignature()), auth.ErrTenantMismatch, "… (8192 bytes)"},
		{"aud", f.iss.Mint(f.a, authtest.Claims{"aud": big}, authtest.ForgedSignature()), auth.ErrWrongAudience, "… (8192 bytes)"},
		{"aud array", f.iss.Mint(f.a, authtest.Claims{"aud": many}, authtest.ForgedSignature()), auth.ErrWrongAudience, `["x" "x" "x" "x"] and 1996 more`},
		{"aud array of long values", f.iss.Mint(f.a, authtest.Claims{"aud": []string{big[:4000], big[:4000]}}, authtest.ForgedSignature()), auth.ErrWrongAudience, "… (4000 bytes)"},
		{"appid", f.iss.Mint(f.a, authtest.Claims{"appid": big}, authtest.ForgedSignature()), auth.ErrWrongApp, "… (8192 bytes)"},
		{"kid", f.iss.Mint(f.a, nil, authtest.Header("kid", big), authtest.ForgedSignature()), auth.ErrUnknownSigningKey, "… (8192 bytes)"},
		{"alg", f.iss.Mint(f.a, nil, authtest.Header("alg", big), authtest.ForgedSignature()), auth.ErrUnsupportedAlgorithm, "… (8192 bytes)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.entra.Validate(t.Context(), c.tok)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if msg := err.Error(); len(msg) > 1024 || !strings.Contains(msg, c.says) {
				t.Errorf("a rejection of %d bytes, want at most 1 KiB saying %q: %.300s", len(msg), c.says, msg)
			}
		})
	}
}
