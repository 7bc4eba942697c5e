package entra_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/authtest"
	"github.com/scimkit/scimkit/auth/entra"
)

// Key behaviour, counted at the fake issuer. entra.New fetches the keys of
// each listed tenant once (the warm-up); extraFetches counts from there.

func TestRotationFetchesOnce(t *testing.T) {
	f := newFixture(t)
	if f.fetchesAtStart != 2 {
		t.Errorf("warm-up fetched %d times, want 2 (one per tenant)", f.fetchesAtStart)
	}
	before := f.iss.Token(f.a)
	if _, err := f.entra.Authenticate(bearer(before)); err != nil {
		t.Fatal(err)
	}
	f.iss.Rotate()
	for i := range 10 {
		f.clock.Add(time.Second)
		if _, err := f.entra.Authenticate(bearer(f.iss.Token(f.a))); err != nil {
			t.Fatalf("token %d after the rotation: %v", i, err)
		}
	}
	if _, err := f.entra.Authenticate(bearer(before)); err != nil {
		t.Errorf("token signed before the rotation: %v", err)
	}
	if n := f.extraFetches(); n != 1 {
		t.Errorf("rotation caused %d JWKS fetches, want exactly 1", n)
	}
}

func TestRandomUnknownKidsFetchAtMostOnce(t *testing.T) {
	f := newFixture(t)
	valid := f.iss.Token(f.a)
	for i := range 1000 {
		f.clock.Add(60 * time.Millisecond) // 1,000 tokens within a minute
		kid := fmt.Sprintf("kid-%d-%d", i, rand.Int64())
		// The kid is looked up before the signature is checked, so the
		// signature need not match (RSA-signing 1,000 tokens is slow).
		_, err := f.entra.Authenticate(bearer(withKid(t, valid, kid)))
		if !errors.Is(err, auth.ErrUnknownSigningKey) {
			t.Fatalf("token %d: %v, want ErrUnknownSigningKey", i, err)
		}
	}
	if n := f.extraFetches(); n > 1 {
		t.Errorf("1,000 unknown kids caused %d JWKS fetches, want at most 1", n)
	}
	// Valid tokens are unaffected meanwhile.
	if _, err := f.entra.Authenticate(bearer(f.iss.Token(f.a))); err != nil {
		t.Errorf("valid token: %v", err)
	}
	// The limit is per MinRefreshInterval (5 minutes) and per tenant.
	if _, err := f.entra.Authenticate(bearer(f.iss.Mint(f.b, nil, authtest.Header("kid", "x")))); !errors.Is(err, auth.ErrUnknownSigningKey) {
		t.Fatal(err)
	}
	if n := f.extraFetches(); n != 2 {
		t.Errorf("an unknown kid of the other tenant: %d fetches in all, want 2", n)
	}
	f.clock.Add(5 * time.Minute)
	_, err := f.entra.Authenticate(bearer(f.iss.Mint(f.a, nil, authtest.Header("kid", "y"))))
	if !errors.Is(err, auth.ErrUnknownSigningKey) || !strings.Contains(err.Error(), "next refresh for an unknown kid on a request after 2026-06-01T10:11:00Z") {
		t.Errorf("err = %v", err)
	}
	if n := f.extraFetches(); n != 3 {
		t.Errorf("5 minutes later: %d fetches in all, want 3", n)
	}
}

func TestConcurrentNewKidOneFetch(t *testing.T) {
	f := newFixture(t)
	f.iss.Rotate()
	tokens := make([]string, 50)
	for i := range tokens {
		tokens[i] = f.iss.Token(f.a)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(tokens))
	ready := make(chan struct{})
	for _, tok := range tokens {
		wg.Go(func() {
			<-ready
			_, err := f.entra.Authenticate(bearer(tok))
			errs <- err
		})
	}
	close(ready)
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		if err != nil {
			t.Error(err)
			continue
		}
		ok++
	}
	if ok != 50 {
		t.Errorf("%d successes, want 50", ok)
	}
	if n := f.extraFetches(); n != 1 {
		t.Errorf("50 concurrent requests with a new kid caused %d fetches, want 1", n)
	}
}

func TestJWKSDownAfterWarmUp(t *testing.T) {
	f := newFixture(t)
	f.iss.SetDown(true)
	f.clock.Add(3 * time.Hour)
	// A token the cache has never seen, signed by a known key.
	if _, err := f.entra.Authenticate(bearer(f.iss.Token(f.a))); err != nil {
		t.Fatalf("valid token while the JWKS is down: %v", err)
	}
	// An unknown kid forces a refresh, which fails: the last good keys
	// stay, and the error says what happened.
	_, err := f.entra.Authenticate(bearer(f.iss.Mint(f.a, nil, authtest.Header("kid", "new"))))
	if !errors.Is(err, auth.ErrUnknownSigningKey) || !strings.Contains(err.Error(), "the last refresh failed: GET "+f.iss.JWKSURL(f.a)+": 503") {
		t.Errorf("unknown kid while down: %v", err)
	}
	if _, err := f.entra.Authenticate(bearer(f.iss.Token(f.a))); err != nil {
		t.Errorf("valid token after a failed refresh: %v", err)
	}
	if n := f.extraFetches(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

// TestJWKSDownAtStart shows the documented behaviour: entra.New succeeds
// (and logs), tokens are refused with ErrKeysUnavailable, the first request
// retries at once, later ones at most every MinRefreshInterval.
func TestJWKSDownAtStart(t *testing.T) {
	f := newFixture(t, func(f *fixture, _ *entra.Config) { f.iss.SetDown(true) })
	if f.fetchesAtStart != 2 {
		t.Errorf("warm-up: %d fetches, want 2", f.fetchesAtStart)
	}
	tok := f.iss.Token(f.a)
	_, err := f.entra.Authenticate(bearer(tok))
	if !errors.Is(err, auth.ErrKeysUnavailable) || !strings.Contains(err.Error(), "could not be fetched from "+f.iss.JWKSURL(f.a)) {
		t.Fatalf("first request: %v, want ErrKeysUnavailable", err)
	}
	if n := f.extraFetches(); n != 1 {
		t.Errorf("first request: %d fetches, want 1 (not sticky: it retries)", n)
	}
	f.iss.SetDown(false)
	f.clock.Add(4 * time.Minute)
	for range 100 {
		if _, err := f.entra.Authenticate(bearer(tok)); !errors.Is(err, auth.ErrKeysUnavailable) {
			t.Fatalf("within 5 minutes of the last attempt: %v, want ErrKeysUnavailable", err)
		}
	}
	if n := f.extraFetches(); n != 1 {
		t.Errorf("within 5 minutes: %d fetches, want still 1", n)
	}
	f.clock.Add(time.Minute)
	if _, err := f.entra.Authenticate(bearer(tok)); err != nil {
		t.Fatalf("5 minutes later, JWKS up: %v", err)
	}
	if n := f.extraFetches(); n != 2 {
		t.Errorf("recovery: %d fetches, want 2", n)
	}
	// Tenant b recovers on its own first request: its own 5-minute clock.
	if _, err := f.entra.Authenticate(bearer(f.iss.Token(f.b))); err != nil {
		t.Fatalf("tenant b: %v", err)
	}
}

// TestCachedTokenOutlivesItsKeyUntilExp shows the token cache: a verified
// token is accepted from the cache until its exp, even once its key has
// left the JWKS, and not a moment after.
func TestCachedTokenOutlivesItsKeyUntilExp(t *testing.T) {
	f := newFixture(t)
	tok := f.iss.Token(f.a) // exp = start + 1h
	if _, err := f.entra.Authenticate(bearer(tok)); err != nil {
		t.Fatal(err)
	}
	f.iss.Rotate()
	f.iss.Rotate() // the key of tok is withdrawn
	if _, err := f.entra.Authenticate(bearer(f.iss.Token(f.a))); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(59 * time.Minute)
	if _, err := f.entra.Authenticate(bearer(tok)); err != nil {
		t.Errorf("cached token before its exp: %v", err)
	}
	f.clock.Add(time.Minute)
	if _, err := f.entra.Authenticate(bearer(tok)); !errors.Is(err, auth.ErrUnknownSigningKey) {
		t.Errorf("at its exp the token is checked again: %v, want ErrUnknownSigningKey (its key is gone)", err)
	}
}

// withKid returns tok with its header's kid replaced (and its signature
// no longer matching).
func withKid(t *testing.T, tok, kid string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	h["kid"] = kid
	if b, err = json.Marshal(h); err != nil {
		t.Fatal(err)
	}
	parts[0] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

// TestMadeUpTenantNegativeCache: Entra answers 400 for a tenant that does
// not exist. With an AllowTenant that admits it, its tokens are refused
// with ErrKeysUnavailable after one fetch, and without another until
// MinRefreshInterval has passed.
func TestMadeUpTenantNegativeCache(t *testing.T) {
	clock := newClock()
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now, KnownTenants: []string{}})
	defer iss.Close()
	e, err := entra.New(t.Context(), entra.Config{
		AllowTenant:   func(string) bool { return true },
		AuthorityHost: iss.URL(),
		HTTPClient:    iss.Client(),
		Clock:         clock.Now,
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	tenant := authtest.NewTenantID()
	_, err = e.Validate(t.Context(), iss.Token(tenant))
	if !errors.Is(err, auth.ErrKeysUnavailable) || !strings.Contains(err.Error(), "400 Bad Request") ||
		!strings.Contains(err.Error(), "next attempt on a request after 2026-06-01T10:05:00Z") {
		t.Fatalf("made-up tenant: %v", err)
	}
	if n := iss.TenantFetches(tenant); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
	for i := range 100 {
		clock.Add(2 * time.Second) // 100 tokens within 3m20s
		if _, err := e.Validate(t.Context(), iss.Mint(tenant, nil, authtest.ForgedSignature())); !errors.Is(err, auth.ErrKeysUnavailable) {
			t.Fatalf("token %d: %v", i, err)
		}
	}
	if n := iss.Fetches(); n != 1 {
		t.Errorf("within MinRefreshInterval: %d fetches, want still 1", n)
	}
	clock.Add(100 * time.Second) // 5 minutes after the first
	if _, err := e.Validate(t.Context(), iss.Token(tenant)); !errors.Is(err, auth.ErrKeysUnavailable) {
		t.Errorf("after MinRefreshInterval: %v", err)
	}
	if n := iss.Fetches(); n != 2 {
		t.Errorf("after MinRefreshInterval: %d fetches, want 2", n)
	}
}
