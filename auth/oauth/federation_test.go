package oauth_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth/authtest"
	"github.com/scimkit/scimkit/auth/entra"
	"github.com/scimkit/scimkit/auth/oauth"
)

// fedFixture is a token endpoint trusting the fake Entra's v2 tokens of
// tenant for client "wif" (tenant "wif-tenant").
type fedFixture struct {
	*fixture
	iss    *authtest.Issuer
	tenant string
}

func newFedFixture(t testing.TB, edit ...func(*oauth.Config)) *fedFixture {
	t.Helper()
	clock := newClock()
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now})
	t.Cleanup(iss.Close)
	tenant := authtest.NewTenantID()
	v, err := entra.New(context.Background(), entra.Config{
		Version:       entra.V2,
		Tenants:       []string{tenant},
		Audiences:     []string{authtest.WorkloadAudience},
		AuthorityHost: iss.URL(),
		HTTPClient:    iss.Client(),
		Clock:         clock.Now,
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	f := newFixture(t, func(c *oauth.Config) {
		c.Assertions = v
		c.Clock = clock.Now
		c.ClientLimit = oauth.RateLimit{Burst: 1000}
		c.AddrLimit = oauth.RateLimit{Burst: 1000}
		for _, e := range edit {
			e(c)
		}
	})
	f.clock = clock
	err = f.clients.Replace(
		oauth.Client{ID: "wif", Tenant: "wif-tenant", Federation: &oauth.Federation{
			Tenants: []string{tenant}, Audience: authtest.WorkloadAudience, Subject: authtest.WorkloadSubject}},
		oauth.Client{ID: "a", Tenant: "tenant-a", Secrets: []oauth.Secret{{Hash: f.hashes[secretA]}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return &fedFixture{fixture: f, iss: iss, tenant: tenant}
}

func (f *fedFixture) assert(clientID, assertion string) reply {
	v := form("grant_type", "client_credentials", "client_assertion_type", oauth.AssertionType, "client_assertion", assertion)
	if clientID != "" {
		v.Set("client_id", clientID)
	}
	return f.do(tokenRequest(v, "", ""))
}

func TestFederation(t *testing.T) {
	f := newFedFixture(t)
	for _, clientID := range []string{"wif", ""} {
		rep := f.assert(clientID, f.iss.TokenV2(f.tenant))
		tok, _ := rep.body["access_token"].(string)
		if rep.status != http.StatusOK || tok == "" {
			t.Fatalf("client_id %q: %d %s", clientID, rep.status, rep.raw)
		}
		p, err := f.srv.Authenticator().Validate(context.Background(), tok)
		if err != nil || p.Tenant != "wif-tenant" || p.Subject != "wif" || p.Method != oauth.MethodFederated {
			t.Errorf("principal %+v, %v; want wif-tenant, wif, %s", p, err, oauth.MethodFederated)
		}
		h := newHandler(t, f.srv.Authenticator())
		if code, _ := serve(h, bearer(http.MethodGet, "/Users", tok, "")); code != http.StatusOK {
			t.Errorf("federated token at the Handler: %d", code)
		}
	}
}

// TestFederationAttacks: every bad assertion gets invalid_client and no
// token.
func TestFederationAttacks(t *testing.T) {
	f := newFedFixture(t)
	now := f.clock.Now()
	replayed := f.iss.MintV2(f.tenant, authtest.Claims{"jti": "once"})
	if rep := f.assert("wif", replayed); rep.status != http.StatusOK {
		t.Fatalf("first use: %d %s", rep.status, rep.raw)
	}
	other := authtest.NewTenantID()
	for _, c := range []struct {
		name      string
		clientID  string
		assertion string
		reason    string // in the log
	}{
		{"v1 token instead of v2", "wif", f.iss.Mint(f.tenant, authtest.Claims{"aud": authtest.WorkloadAudience, "sub": authtest.WorkloadSubject}), "issuer"},
		{"wrong audience", "wif", f.iss.MintV2(f.tenant, authtest.Claims{"aud": "api://another-isv"}), "audience"},
		{"wrong sub", "wif", f.iss.MintV2(f.tenant, authtest.Claims{"sub": authtest.NewTenantID()}), "does not match client"},
		{"wrong sub, no client_id", "", f.iss.MintV2(f.tenant, authtest.Claims{"sub": authtest.NewTenantID()}), "no client's federation"},
		{"tenant not allowed", "wif", f.iss.TokenV2(other), "not allowed"},
		{"expired", "wif", f.iss.MintV2(f.tenant, authtest.Claims{"exp": now.Add(-time.Hour).Unix()}), "expired"},
		{"nbf in the future", "wif", f.iss.MintV2(f.tenant, authtest.Claims{"nbf": now.Add(time.Hour).Unix()}), "not valid before"},
		{"replayed jti", "wif", replayed, oauth.ErrReplayedAssertion.Error()},
		{"alg none", "wif", f.iss.MintV2(f.tenant, nil, authtest.Header("alg", "none")), "only RS256"},
		{"HS256 with the public key", "wif", f.iss.MintV2(f.tenant, nil, authtest.Header("alg", "HS256")), "only RS256"},
		{"unknown kid", "wif", f.iss.MintV2(f.tenant, nil, authtest.Header("kid", "not-published")), "unknown signing key"},
		{"key not in the JWKS", "wif", f.iss.MintV2(f.tenant, nil, authtest.SignedBy(authtest.NewSigningKey())), "does not verify"},
		{"client without federation", "a", f.iss.TokenV2(f.tenant), oauth.ErrNotFederated.Error()},
		{"unknown client", "nobody", f.iss.TokenV2(f.tenant), oauth.ErrUnknownClient.Error()},
		{"not a JWT", "wif", "not-a-jwt", "not a JWT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(f.log.String())
			rep := f.assert(c.clientID, c.assertion)
			if rep.status != http.StatusUnauthorized || rep.body["error"] != "invalid_client" {
				t.Errorf("%d %s, want 401 invalid_client", rep.status, rep.raw)
			}
			if _, ok := rep.body["access_token"]; ok {
				t.Error("a token was issued")
			}
			if logged := f.log.String()[before:]; !strings.Contains(logged, c.reason) {
				t.Errorf("the log does not say %q:\n%s", c.reason, logged)
			}
		})
	}
	if !f.clients.TrustsTenant(f.tenant) || f.clients.TrustsTenant(other) {
		t.Errorf("TrustsTenant(%s) = %v, TrustsTenant(other) = %v; want true, false", f.tenant, f.clients.TrustsTenant(f.tenant), f.clients.TrustsTenant(other))
	}
	// A disabled federated client gets nothing either.
	_ = f.clients.SetDisabled("wif", true)
	if f.clients.TrustsTenant(f.tenant) {
		t.Error("TrustsTenant is true for the tenant of a disabled client only")
	}
	if rep := f.assert("wif", f.iss.TokenV2(f.tenant)); rep.status != http.StatusUnauthorized {
		t.Errorf("disabled federated client: %d", rep.status)
	}
}
