package entra_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/authtest"
	"github.com/scimkit/scimkit/auth/entra"
)

// v2Fixture is an Authenticator of v2 tokens (workload identity
// federation) over a fake issuer, allowing tenant a only.
func v2Fixture(t *testing.T, edit ...func(*entra.Config)) (*authtest.Issuer, *authtest.Clock, string, *entra.Authenticator) {
	t.Helper()
	clock := newClock()
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now})
	t.Cleanup(iss.Close)
	a := authtest.NewTenantID()
	cfg := entra.Config{
		Version:       entra.V2,
		Tenants:       []string{a},
		Audiences:     []string{authtest.WorkloadAudience},
		Subjects:      []string{authtest.WorkloadSubject},
		AuthorityHost: iss.URL(),
		HTTPClient:    iss.Client(),
		Clock:         clock.Now,
		Logger:        slog.New(slog.DiscardHandler),
	}
	for _, e := range edit {
		e(&cfg)
	}
	e, err := entra.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return iss, clock, a, e
}

func TestV2Tokens(t *testing.T) {
	iss, clock, a, e := v2Fixture(t)
	tok, err := e.Verify(context.Background(), iss.MintV2(a, authtest.Claims{"jti": "assertion-1"}))
	if err != nil {
		t.Fatalf("a valid v2 token: %v", err)
	}
	now := clock.Now()
	want := &entra.Token{
		Principal: auth.Principal{Tenant: a, Subject: authtest.WorkloadSubject, Method: "entra-jwt"},
		Version:   entra.V2,
		Issuer:    iss.IssuerV2(a),
		Tenant:    a,
		Subject:   authtest.WorkloadSubject,
		ObjectID:  authtest.WorkloadSubject,
		AppID:     authtest.ProvisioningAppID,
		Audience:  []string{authtest.WorkloadAudience},
		ID:        "assertion-1",
		IssuedAt:  now,
		NotBefore: now,
		Expiry:    now.Add(time.Hour),
	}
	if diff := cmp.Diff(want, tok); diff != "" {
		t.Errorf("Token (-want +got):\n%s", diff)
	}

	other := authtest.NewTenantID()
	for _, c := range []struct {
		name  string
		token string
		want  error
	}{
		{"v1 token instead of v2", iss.Token(a), auth.ErrWrongIssuer},
		{"v1 token with the workload audience", iss.Mint(a, authtest.Claims{"aud": authtest.WorkloadAudience, "sub": authtest.WorkloadSubject}), auth.ErrWrongIssuer},
		{"wrong audience", iss.MintV2(a, authtest.Claims{"aud": "api://someone-else"}), auth.ErrWrongAudience},
		{"wrong sub", iss.MintV2(a, authtest.Claims{"sub": authtest.NewTenantID()}), auth.ErrWrongSubject},
		{"tenant not allowed", iss.TokenV2(other), auth.ErrTenantNotAllowed},
		{"expired", iss.MintV2(a, authtest.Claims{"exp": now.Add(-time.Hour).Unix()}), auth.ErrTokenExpired},
		{"nbf in the future", iss.MintV2(a, authtest.Claims{"nbf": now.Add(time.Hour).Unix()}), auth.ErrTokenNotYetValid},
		{"iat in the future", iss.MintV2(a, authtest.Claims{"iat": now.Add(time.Hour).Unix()}), auth.ErrTokenNotYetValid},
		{"alg none", iss.MintV2(a, nil, authtest.Header("alg", "none")), auth.ErrUnsupportedAlgorithm},
		{"HS256 with the public key", iss.MintV2(a, nil, authtest.Header("alg", "HS256")), auth.ErrUnsupportedAlgorithm},
		{"unknown kid", iss.MintV2(a, nil, authtest.Header("kid", "no-such-key")), auth.ErrUnknownSigningKey},
		{"key not in the JWKS", iss.MintV2(a, nil, authtest.SignedBy(authtest.NewSigningKey())), auth.ErrBadSignature},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.Verify(context.Background(), c.token)
			if !errors.Is(err, c.want) {
				t.Errorf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestV2NeedsAudiences(t *testing.T) {
	_, err := entra.New(context.Background(), entra.Config{Version: entra.V2, Tenants: []string{authtest.NewTenantID()}})
	if err == nil || !strings.Contains(err.Error(), "Audiences is required") {
		t.Errorf("err = %v, want Audiences required", err)
	}
}

// TestV2KeysURL: a V2 Authenticator fetches the v2 JWKS URL, and
// OnKeysFetched sees every fetch.
func TestV2KeysURLAndOnKeysFetched(t *testing.T) {
	var mu sync.Mutex
	var urls []string
	var errs []error
	iss, _, a, e := v2Fixture(t, func(c *entra.Config) {
		c.OnKeysFetched = func(url string, took time.Duration, err error) {
			mu.Lock()
			defer mu.Unlock()
			urls = append(urls, url)
			errs = append(errs, err)
		}
	})
	// An unknown kid forces a second fetch.
	_, _ = e.Verify(context.Background(), iss.MintV2(a, nil, authtest.Header("kid", "rotated")))
	mu.Lock()
	defer mu.Unlock()
	want := []string{iss.JWKSURLV2(a), iss.JWKSURLV2(a)}
	if diff := cmp.Diff(want, urls); diff != "" {
		t.Errorf("fetched URLs (-want +got):\n%s", diff)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("fetch %d: err = %v, want nil", i, err)
		}
	}
}

func TestCheckHealth(t *testing.T) {
	clock := newClock()
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now})
	defer iss.Close()
	iss.SetDown(true)
	a := authtest.NewTenantID()
	var fetches, failed int
	var mu sync.Mutex
	e, err := entra.New(context.Background(), entra.Config{
		Tenants:       []string{a},
		AuthorityHost: iss.URL(),
		HTTPClient:    iss.Client(),
		Clock:         clock.Now,
		Logger:        slog.New(slog.DiscardHandler),
		OnKeysFetched: func(_ string, _ time.Duration, err error) {
			mu.Lock()
			defer mu.Unlock()
			fetches++
			if err != nil {
				failed++
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	err = e.CheckHealth(context.Background())
	if err == nil || !strings.Contains(err.Error(), a) {
		t.Fatalf("CheckHealth with the JWKS down = %v, want an error naming tenant %s", err, a)
	}
	// Within MinRefreshInterval, a probe reports without fetching.
	before := iss.Fetches()
	if err := e.CheckHealth(context.Background()); err == nil {
		t.Fatal("CheckHealth = nil while no key was ever fetched")
	}
	if got := iss.Fetches(); got != before {
		t.Errorf("a probe within MinRefreshInterval fetched (%d fetches, want %d)", got, before)
	}
	iss.SetDown(false)
	clock.Add(5 * time.Minute)
	if err := e.CheckHealth(context.Background()); err != nil {
		t.Fatalf("CheckHealth once the JWKS is back = %v, want nil", err)
	}
	if _, err := e.Validate(context.Background(), iss.Token(a)); err != nil {
		t.Errorf("a token after a health check fetched the keys: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if fetches < 2 || failed < 1 || fetches-failed < 1 {
		t.Errorf("OnKeysFetched saw %d fetches, %d failed; want the failed start and a success", fetches, failed)
	}
}
