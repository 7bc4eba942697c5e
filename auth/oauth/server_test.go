package oauth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/oauth"
)

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// TestTokenEndpoint: each client authentication method, each failure,
// and the RFC 6749 error code it answers.
func TestTokenEndpoint(t *testing.T) {
	f := newFixture(t)
	cc := "client_credentials"
	raw := func(method, ctype, body string) *http.Request {
		r := httptest.NewRequest(method, "/oauth/token", strings.NewReader(body))
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		return r
	}
	for _, c := range []struct {
		name       string
		req        *http.Request
		wantStatus int
		wantCode   string // "" for success
		wantTenant string // of the token issued
		wantLog    string // the reason logged
	}{
		{"client_secret_basic", tokenRequest(form("grant_type", cc), "a", secretA), 200, "", "tenant-a", ""},
		{"client_secret_post", tokenRequest(form("grant_type", cc, "client_id", "a", "client_secret", secretA), "", ""), 200, "", "tenant-a", ""},
		{"rotation: the new secret", tokenRequest(form("grant_type", cc), "a", secretA2), 200, "", "tenant-a", ""},
		{"basic with the same client_id in the body", tokenRequest(form("grant_type", cc, "client_id", "a"), "a", secretA), 200, "", "tenant-a", ""},
		{"scope is accepted", tokenRequest(form("grant_type", cc, "scope", "scim"), "b", secretB), 200, "", "tenant-b", ""},
		{"wrong secret (basic)", tokenRequest(form("grant_type", cc), "a", "wrong-secret-0123456789"), 401, "invalid_client", "", oauth.ErrWrongSecret.Error()},
		{"wrong secret (post)", tokenRequest(form("grant_type", cc, "client_id", "a", "client_secret", "wrong"), "", ""), 401, "invalid_client", "", oauth.ErrWrongSecret.Error()},
		{"another client's secret", tokenRequest(form("grant_type", cc), "a", secretB), 401, "invalid_client", "", oauth.ErrWrongSecret.Error()},
		{"unknown client", tokenRequest(form("grant_type", cc), "nobody", secretA), 401, "invalid_client", "", oauth.ErrUnknownClient.Error()},
		{"disabled client", tokenRequest(form("grant_type", cc), "off", secretOff), 401, "invalid_client", "", oauth.ErrClientDisabled.Error()},
		{"expired secret", tokenRequest(form("grant_type", cc), "c", secretOld), 401, "invalid_client", "", oauth.ErrSecretExpired.Error()},
		{"no client authentication", tokenRequest(form("grant_type", cc), "", ""), 401, "invalid_client", "", ""},
		{"client_secret without client_id", tokenRequest(form("grant_type", cc, "client_secret", secretA), "", ""), 400, "invalid_request", "", ""},
		{"basic and post together", tokenRequest(form("grant_type", cc, "client_id", "a", "client_secret", secretA), "a", secretA), 400, "invalid_request", "", ""},
		{"basic user differs from client_id", tokenRequest(form("grant_type", cc, "client_id", "b"), "a", secretA), 400, "invalid_request", "", ""},
		{"wrong grant type", tokenRequest(form("grant_type", "password", "client_id", "a", "client_secret", secretA), "", ""), 400, "unsupported_grant_type", "", ""},
		{"authorization_code grant", tokenRequest(form("grant_type", "authorization_code", "code", "x"), "a", secretA), 400, "unsupported_grant_type", "", ""},
		{"missing grant_type", tokenRequest(form("client_id", "a", "client_secret", secretA), "", ""), 400, "invalid_request", "", ""},
		{"grant_type twice", tokenRequest(form("grant_type", cc, "grant_type", cc, "client_id", "a", "client_secret", secretA), "", ""), 400, "invalid_request", "", ""},
		{"JSON body", raw("POST", "application/json", `{"grant_type":"client_credentials","client_id":"a","client_secret":"`+secretA+`"}`), 400, "invalid_request", "", ""},
		{"no content type", raw("POST", "", "grant_type=client_credentials&client_id=a&client_secret="+secretA), 400, "invalid_request", "", ""},
		{"oversize body", raw("POST", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=a&client_secret="+secretA+"&pad="+strings.Repeat("x", oauth.DefaultMaxBodyBytes)), 400, "invalid_request", "", ""},
		{"bad form encoding", raw("POST", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=%zz"), 400, "invalid_request", "", ""},
		{"secret in the query string", raw("POST", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=a"), 400, "invalid_request", "", ""},
		{"GET", raw("GET", "", ""), 405, "invalid_request", "", ""},
		{"assertion without federation configured", tokenRequest(form("grant_type", cc, "client_assertion_type", oauth.AssertionType, "client_assertion", "x.y.z"), "", ""), 401, "invalid_client", "", oauth.ErrNotFederated.Error()},
		{"client_assertion missing", tokenRequest(form("grant_type", cc, "client_assertion_type", oauth.AssertionType), "", ""), 400, "invalid_request", "", ""},
		{"wrong assertion type", tokenRequest(form("grant_type", cc, "client_assertion_type", "urn:x", "client_assertion", "x.y.z"), "", ""), 401, "invalid_client", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "secret in the query string" {
				c.req.URL.RawQuery = "client_secret=" + secretA
			}
			before := len(f.log.String())
			rep := f.do(c.req)
			if rep.status != c.wantStatus {
				t.Fatalf("status %d, want %d: %s", rep.status, c.wantStatus, rep.raw)
			}
			for h, want := range map[string]string{"Cache-Control": "no-store", "Content-Type": "application/json; charset=utf-8"} {
				if got := rep.header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			if c.wantCode != "" {
				if rep.body["error"] != c.wantCode {
					t.Errorf("error = %v, want %s: %s", rep.body["error"], c.wantCode, rep.raw)
				}
				if _, ok := rep.body["access_token"]; ok {
					t.Errorf("an error response carries an access_token: %s", rep.raw)
				}
				if c.wantLog != "" && !strings.Contains(f.log.String()[before:], c.wantLog) {
					t.Errorf("log does not give the reason %q:\n%s", c.wantLog, f.log.String()[before:])
				}
				if c.wantStatus == 401 && c.req.Header.Get("Authorization") != "" && rep.header.Get("WWW-Authenticate") == "" {
					t.Error("401 to HTTP Basic without WWW-Authenticate")
				}
				return
			}
			if rep.body["token_type"] != "Bearer" || rep.body["expires_in"] != float64(3600) {
				t.Errorf("token_type %v, expires_in %v; want Bearer, 3600", rep.body["token_type"], rep.body["expires_in"])
			}
			tok, _ := rep.body["access_token"].(string)
			p, err := f.srv.Authenticator().Validate(context.Background(), tok)
			if err != nil {
				t.Fatalf("the issued token is refused: %v", err)
			}
			if p.Tenant != c.wantTenant || p.Method != oauth.MethodClientCredentials {
				t.Errorf("principal %+v, want tenant %s, method %s", p, c.wantTenant, oauth.MethodClientCredentials)
			}
		})
	}
}

// TestRotationOverlap: both secrets of a client work while both are
// configured; after the old one is removed, it gets no token and the
// tokens it got are refused, while the new one's still work.
func TestRotationOverlap(t *testing.T) {
	f := newFixture(t)
	oldTok := f.token(t, "a", secretA)
	newTok := f.token(t, "a", secretA2)
	a := f.srv.Authenticator()
	for _, tok := range []string{oldTok, newTok} {
		if _, err := a.Validate(context.Background(), tok); err != nil {
			t.Fatalf("during the overlap: %v", err)
		}
	}
	if err := f.clients.Replace(
		oauth.Client{ID: "a", Tenant: "tenant-a", Secrets: []oauth.Secret{{Hash: f.hashes[secretA2]}}},
	); err != nil {
		t.Fatal(err)
	}
	if rep := f.do(tokenRequest(form("grant_type", "client_credentials"), "a", secretA)); rep.status != 401 {
		t.Errorf("removed secret: %d %s, want 401", rep.status, rep.raw)
	}
	if _, err := a.Validate(context.Background(), oldTok); !errors.Is(err, oauth.ErrClientRevoked) {
		t.Errorf("token of the removed secret: err = %v, want ErrClientRevoked", err)
	}
	if _, err := a.Validate(context.Background(), newTok); err != nil {
		t.Errorf("token of the remaining secret: %v", err)
	}
	f.token(t, "a", secretA2)
}

// TestThrottling: 1,000 wrong secrets from one address are mostly
// refused with 429 before any hash; the client is throttled from another
// address too, until its limit refills.
func TestThrottling(t *testing.T) {
	f := newFixture(t)
	counts := map[int]int{}
	for range 1000 {
		rep := f.do(tokenRequest(form("grant_type", "client_credentials"), "a", "wrong-secret-0123456789"))
		counts[rep.status]++
		if rep.status == http.StatusTooManyRequests && rep.header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	}
	// The client's limit (burst 10) is reached before the address's (20).
	if diff := cmp.Diff(map[int]int{401: 10, 429: 990}, counts); diff != "" {
		t.Errorf("statuses of 1,000 wrong secrets (-want +got):\n%s", diff)
	}
	other := tokenRequest(form("grant_type", "client_credentials"), "a", secretA)
	other.RemoteAddr = "198.51.100.7:5555"
	if rep := f.do(other); rep.status != http.StatusTooManyRequests {
		t.Errorf("the throttled client from another address: %d, want 429", rep.status)
	}
	// Another client from the attacking address: the address still has
	// 10 failures left, so the right secret works.
	f.token(t, "b", secretB)

	// Unknown client ids count against the address only, and are not
	// remembered.
	for i := range 30 {
		f.do(tokenRequest(form("grant_type", "client_credentials"), "made-up-"+string(rune('a'+i)), "x-secret-0123456789"))
	}
	if rep := f.do(tokenRequest(form("grant_type", "client_credentials"), "b", secretB)); rep.status != http.StatusTooManyRequests {
		t.Errorf("the attacking address after 30 more failures: %d, want 429", rep.status)
	}
	f.clock.Add(5 * time.Minute)
	f.token(t, "a", secretA)
	f.token(t, "b", secretB)
}

func TestNewServerConfigErrors(t *testing.T) {
	clients, _ := oauth.NewClients()
	key := oauth.Key{ID: "k", Secret: make([]byte, 32)}
	for name, cfg := range map[string]oauth.Config{
		"no clients":          {Issuer: issuerURL, SigningKey: key},
		"no issuer":           {Clients: clients, SigningKey: key},
		"short key":           {Clients: clients, Issuer: issuerURL, SigningKey: oauth.Key{ID: "k", Secret: make([]byte, 16)}},
		"lifetime too short":  {Clients: clients, Issuer: issuerURL, SigningKey: key, Lifetime: 30 * time.Minute},
		"lifetime too long":   {Clients: clients, Issuer: issuerURL, SigningKey: key, Lifetime: 7 * time.Hour},
		"duplicate key id":    {Clients: clients, Issuer: issuerURL, SigningKey: key, VerifyingKeys: []oauth.Key{key}},
		"no signing key id":   {Clients: clients, Issuer: issuerURL, SigningKey: oauth.Key{Secret: make([]byte, 32)}},
		"issuer is not a URL": {Clients: clients, Issuer: "scim", SigningKey: key},
	} {
		if _, err := oauth.NewServer(cfg); err == nil {
			t.Errorf("%s: NewServer accepted it", name)
		}
	}
}

func TestClientsFile(t *testing.T) {
	h := hash(t, secretA)
	clients, err := oauth.ParseClients(strings.NewReader(`{"clients":[
		{"id":"a","tenant":"t-a","secrets":[{"hash":"` + h + `","expires":"2028-06-01T00:00:00Z"}]},
		{"id":"w","federation":{"tenants":["4f1c2a9e-0b7d-4e55-9a21-3c8d5e6f7a8b"],"audience":"api://x","subject":"s"},"disabled":true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []oauth.Client{
		{ID: "a", Tenant: "t-a", Secrets: []oauth.Secret{{Hash: h, Expires: time.Date(2028, 6, 1, 0, 0, 0, 0, time.UTC)}}},
		{ID: "w", Disabled: true, Federation: &oauth.Federation{Tenants: []string{"4f1c2a9e-0b7d-4e55-9a21-3c8d5e6f7a8b"}, Audience: "api://x", Subject: "s"}},
	}
	if diff := cmp.Diff(want, clients); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for name, bad := range map[string]string{
		"plaintext secret": `{"clients":[{"id":"a","tenant":"t","secrets":[{"hash":"` + secretA + `"}]}]}`,
		"misspelt member":  `{"clients":[{"id":"a","tenant":"t","disabeld":true,"secrets":[{"hash":"` + h + `"}]}]}`,
		"no tenant":        `{"clients":[{"id":"a","secrets":[{"hash":"` + h + `"}]}]}`,
		"no credential":    `{"clients":[{"id":"a","tenant":"t"}]}`,
		"duplicate id":     `{"clients":[{"id":"a","tenant":"t","secrets":[{"hash":"` + h + `"}]},{"id":"a","tenant":"u","secrets":[{"hash":"` + h + `"}]}]}`,
		"not JSON":         `clients: []`,
	} {
		if _, err := oauth.ParseClients(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestHashSecret(t *testing.T) {
	h1, err := oauth.HashSecretCost(secretA, testCost)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := oauth.HashSecretCost(secretA, testCost)
	if h1 == h2 {
		t.Error("two hashes of one secret are equal: no salt")
	}
	if strings.Contains(h1, secretA) {
		t.Error("the hash contains the secret")
	}
	if _, err := oauth.HashSecret("short"); err == nil {
		t.Error("a 5-byte secret was hashed")
	}
	if got := oauth.GenerateSecret(); len(got) != 43 {
		t.Errorf("GenerateSecret() has %d characters, want 43", len(got))
	}
	// Principal subject and method through the Authenticator interface.
	var _ auth.Authenticator = (*oauth.Authenticator)(nil)
}

// TestProtocolHeaders: the headers RFC 6749 and HTTP ask of each refusal,
// and the body limit's exact edge.
func TestProtocolHeaders(t *testing.T) {
	f := newFixture(t)
	// 405 names the one method.
	if rep := f.do(httptest.NewRequest("GET", "/oauth/token", nil)); rep.status != 405 || rep.header.Get("Allow") != "POST" {
		t.Errorf("GET: %d, Allow %q; want 405, POST", rep.status, rep.header.Get("Allow"))
	}
	// 401 to HTTP Basic names the scheme (RFC 6749 §5.2).
	if rep := f.do(tokenRequest(form("grant_type", "client_credentials"), "a", "wrong-secret-0123456789")); rep.status != 401 || !strings.HasPrefix(rep.header.Get("WWW-Authenticate"), "Basic ") {
		t.Errorf("wrong Basic secret: %d, WWW-Authenticate %q", rep.status, rep.header.Get("WWW-Authenticate"))
	}
	// A body of exactly MaxBodyBytes is read; one byte more is refused.
	body := func(n int) *http.Request {
		b := "grant_type=client_credentials&client_id=a&client_secret=" + secretA + "&pad="
		r := httptest.NewRequest("POST", "/oauth/token", strings.NewReader(b+strings.Repeat("x", n-len(b))))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	if rep := f.do(body(oauth.DefaultMaxBodyBytes)); rep.status != 200 {
		t.Errorf("a body of exactly %d bytes: %d %s", oauth.DefaultMaxBodyBytes, rep.status, rep.raw)
	}
	if rep := f.do(body(oauth.DefaultMaxBodyBytes + 1)); rep.status != 400 {
		t.Errorf("a body of %d bytes: %d, want 400", oauth.DefaultMaxBodyBytes+1, rep.status)
	}
}

// TestRetryAfterIsTheWait: a throttled client is told how long to wait,
// and may try again exactly then (one failure per 30 s once its burst of
// 10 is spent).
func TestRetryAfterIsTheWait(t *testing.T) {
	f := newFixture(t)
	wrong := func() reply {
		return f.do(tokenRequest(form("grant_type", "client_credentials"), "b", "wrong-secret-0123456789"))
	}
	for range 10 {
		if rep := wrong(); rep.status != 401 {
			t.Fatalf("within the burst: %d", rep.status)
		}
	}
	rep := wrong()
	if rep.status != 429 || rep.header.Get("Retry-After") != "30" {
		t.Fatalf("past the burst: %d, Retry-After %q; want 429, 30", rep.status, rep.header.Get("Retry-After"))
	}
	f.clock.Add(29 * time.Second)
	if rep := wrong(); rep.status != 429 || rep.header.Get("Retry-After") != "1" {
		t.Errorf("a second early: %d, Retry-After %q; want 429, 1", rep.status, rep.header.Get("Retry-After"))
	}
	f.clock.Add(time.Second)
	if rep := wrong(); rep.status != 401 {
		t.Errorf("after the wait: %d, want 401 (tried again)", rep.status)
	}
}

// TestBoundsAreInclusive: each documented bound is accepted at its edge
// and refused one step past it.
func TestBoundsAreInclusive(t *testing.T) {
	secret16 := strings.Repeat("s", oauth.MinSecretBytes)
	for _, c := range []struct {
		name   string
		secret string
		iter   int
		ok     bool
	}{
		{"shortest secret", secret16, oauth.MinIterations, true},
		{"a byte shorter", secret16[1:], oauth.MinIterations, false},
		{"fewest iterations - 1", secret16, oauth.MinIterations - 1, false},
		{"most iterations + 1", secret16, oauth.MaxIterations + 1, false},
	} {
		if _, err := oauth.HashSecretCost(c.secret, c.iter); (err == nil) != c.ok {
			t.Errorf("HashSecretCost, %s: err %v, want ok %v", c.name, err, c.ok)
		}
	}
	// A hash read from a clients file: its iteration count within bounds.
	h, err := oauth.HashSecretCost(secret16, oauth.MinIterations)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(h, "$")
	for iter, ok := range map[string]bool{"1000": true, "999": false, "10000000": true, "10000001": false} {
		parts[1] = iter
		_, err := oauth.NewClients(oauth.Client{ID: "x", Tenant: "t", Secrets: []oauth.Secret{{Hash: strings.Join(parts, "$")}}})
		if (err == nil) != ok {
			t.Errorf("a hash of %s iterations: err %v, want ok %v", iter, err, ok)
		}
	}
	// Lifetime within Microsoft's window, both edges included.
	f := newFixture(t)
	for lifetime, ok := range map[time.Duration]bool{oauth.MinLifetime: true, oauth.MaxLifetime: true, oauth.MinLifetime - time.Second: false, oauth.MaxLifetime + time.Second: false} {
		cfg := f.cfg
		cfg.Lifetime = lifetime
		_, err := oauth.NewServer(cfg)
		if (err == nil) != ok {
			t.Errorf("Lifetime %v: err %v, want ok %v", lifetime, err, ok)
		}
	}
}
