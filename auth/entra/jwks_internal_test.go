package entra

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/authtest"
)

// gate is a RoundTripper that holds requests while closed.
type gate struct {
	next http.RoundTripper
	mu   sync.Mutex
	open chan struct{} // nil: open
}

func (g *gate) RoundTrip(r *http.Request) (*http.Response, error) {
	g.mu.Lock()
	ch := g.open
	g.mu.Unlock()
	if ch != nil {
		<-ch
	}
	return g.next.RoundTrip(r)
}

func (g *gate) close() { g.mu.Lock(); g.open = make(chan struct{}); g.mu.Unlock() }
func (g *gate) release() {
	g.mu.Lock()
	close(g.open)
	g.open = nil
	g.mu.Unlock()
}

func newTestEntra(t *testing.T, iss *authtest.Issuer, clock *authtest.Clock, tenant string, client *http.Client) *Authenticator {
	t.Helper()
	if client == nil {
		client = iss.Client()
	}
	e, err := New(t.Context(), Config{
		Tenants:       []string{tenant},
		AuthorityHost: iss.URL(),
		HTTPClient:    client,
		Clock:         clock.Now,
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// TestConcurrentRequestsShareTheInFlightFetch holds the JWKS fetch until
// all 50 requests wait for it: one fetch, 50 successes.
func TestConcurrentRequestsShareTheInFlightFetch(t *testing.T) {
	clock := authtest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now})
	defer iss.Close()
	tenant := authtest.NewTenantID()
	base := iss.Client()
	g := &gate{next: base.Transport}
	e := newTestEntra(t, iss, clock, tenant, &http.Client{Transport: g, Timeout: 10 * time.Second})
	warm := iss.Fetches()

	iss.Rotate()
	tok := iss.Token(tenant)
	g.close()
	var wg sync.WaitGroup
	var ok atomic.Int32
	for range 50 {
		wg.Go(func() {
			if _, err := e.Validate(context.Background(), tok); err != nil {
				t.Error(err)
				return
			}
			ok.Add(1)
		})
	}
	s := e.keys.get(tenant)
	deadline := time.Now().Add(10 * time.Second)
	for s.waiting.Load() < 50 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d requests waiting for the fetch", s.waiting.Load())
		}
		runtime.Gosched()
	}
	g.release()
	wg.Wait()
	if ok.Load() != 50 {
		t.Errorf("%d successes, want 50", ok.Load())
	}
	if n := iss.Fetches() - warm; n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

func TestBackgroundRefresh(t *testing.T) {
	clock := authtest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now})
	defer iss.Close()
	tenant := authtest.NewTenantID()
	e := newTestEntra(t, iss, clock, tenant, nil)
	s := e.keys.get(tenant)
	wait := func() {
		t.Helper()
		s.mu.Lock()
		call := s.inflight
		s.mu.Unlock()
		if call != nil {
			<-call.done
		}
	}
	refresh := func() { e.keys.refreshDue(); wait() }

	refresh() // not due yet
	if n := iss.Fetches(); n != 1 {
		t.Fatalf("%d fetches, want 1 (the warm-up)", n)
	}
	iss.Rotate()
	clock.Add(time.Hour)
	refresh()
	if n := iss.Fetches(); n != 2 {
		t.Fatalf("after an hour: %d fetches, want 2", n)
	}
	// The background refresh learnt the new key: no forced fetch for it.
	if _, err := e.Validate(t.Context(), iss.Token(tenant)); err != nil {
		t.Fatal(err)
	}
	if n := iss.Fetches(); n != 2 || !s.forced.IsZero() {
		t.Errorf("%d fetches (forced at %v), want 2 and none forced", n, s.forced)
	}

	// A failing refresh keeps the last good keys and is retried every
	// MinRefreshInterval rather than every hour.
	iss.SetDown(true)
	clock.Add(time.Hour)
	refresh()
	if n := iss.Fetches(); n != 3 {
		t.Fatalf("%d fetches, want 3", n)
	}
	if _, err := e.Validate(t.Context(), iss.Token(tenant)); err != nil {
		t.Errorf("after a failed background refresh: %v", err)
	}
	clock.Add(4 * time.Minute)
	refresh()
	clock.Add(time.Minute)
	refresh()
	if n := iss.Fetches(); n != 4 {
		t.Errorf("retry after 5 minutes: %d fetches, want 4", n)
	}
	iss.SetDown(false)
	clock.Add(5 * time.Minute)
	refresh()
	s.mu.Lock()
	lastErr := s.lastErr
	s.mu.Unlock()
	if n := iss.Fetches(); n != 5 || lastErr != nil {
		t.Errorf("recovery: %d fetches, last error %v", n, lastErr)
	}
}

// TestBackgroundRecoversFromDownAtStart: without any request, the
// background retries a tenant whose warm-up failed.
func TestBackgroundRecoversFromDownAtStart(t *testing.T) {
	clock := authtest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now})
	defer iss.Close()
	iss.SetDown(true)
	tenant := authtest.NewTenantID()
	e := newTestEntra(t, iss, clock, tenant, nil)
	iss.SetDown(false)
	clock.Add(5 * time.Minute)
	e.keys.refreshDue()
	e.keys.close() // waits for the fetch
	if n := iss.Fetches(); n != 2 {
		t.Errorf("%d fetches, want 2", n)
	}
	if _, err := e.Validate(t.Context(), iss.Token(tenant)); err != nil {
		t.Errorf("after the background recovery: %v", err)
	}
}

// TestBackgroundLoop runs the real goroutine in a synctest bubble (fake
// time), against an in-memory JWKS.
func TestBackgroundLoop(t *testing.T) {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	tenant := authtest.NewTenantID()
	res, err := iss.Client().Get(iss.JWKSURL(tenant))
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := io.ReadAll(res.Body)
	res.Body.Close()

	synctest.Test(t, func(t *testing.T) {
		var fetches atomic.Int32
		client := &http.Client{Timeout: 10 * time.Second, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			fetches.Add(1)
			rec := httptest.NewRecorder()
			rec.Header().Set("Content-Type", "application/json")
			rec.Write(jwks)
			return rec.Result(), nil
		})}
		ctx, cancel := context.WithCancel(t.Context())
		e, err := New(ctx, Config{Tenants: []string{tenant}, AuthorityHost: "https://login.example", HTTPClient: client, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(59 * time.Minute)
		synctest.Wait()
		if n := fetches.Load(); n != 1 {
			t.Errorf("after 59 minutes: %d fetches, want 1", n)
		}
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		if n := fetches.Load(); n != 2 {
			t.Errorf("after 64 minutes: %d fetches, want 2", n)
		}
		cancel() // the goroutine ends with ctx
		<-e.loopDone
		e.Close()
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestCloseStopsFetching(t *testing.T) {
	clock := authtest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now})
	defer iss.Close()
	tenant := authtest.NewTenantID()
	e := newTestEntra(t, iss, clock, tenant, nil)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e.Close() // idempotent
	if _, err := e.Validate(t.Context(), iss.Token(tenant)); err != nil {
		t.Errorf("known key after Close: %v", err)
	}
	iss.Rotate()
	_, err := e.Validate(t.Context(), iss.Token(tenant))
	if !errors.Is(err, auth.ErrUnknownSigningKey) || !strings.Contains(err.Error(), "closed") {
		t.Errorf("new key after Close: %v", err)
	}
	if n := iss.Fetches(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

func TestWaitEndsWithTheRequest(t *testing.T) {
	clock := authtest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now})
	defer iss.Close()
	tenant := authtest.NewTenantID()
	g := &gate{next: iss.Client().Transport}
	e := newTestEntra(t, iss, clock, tenant, &http.Client{Transport: g, Timeout: 10 * time.Second})
	iss.Rotate()
	g.close()
	defer g.release()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := e.Validate(ctx, iss.Token(tenant)); !errors.Is(err, auth.ErrKeysUnavailable) || !strings.Contains(err.Error(), "request ended") {
		t.Errorf("cancelled request: %v", err)
	}
}

// TestKeyProviderPinsRS256 checks the jwx layer on its own (the header
// check in parseJWT comes first in Validate): with rs256Key, jws.Verify
// refuses every algorithm but RS256, even with the right key.
func TestKeyProviderPinsRS256(t *testing.T) {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	tenant := authtest.NewTenantID()
	keys, err := fetchJWKS(t.Context(), iss.Client(), iss.JWKSURL(tenant))
	if err != nil {
		t.Fatal(err)
	}
	kp := rs256Key{keys[iss.KeyID()]}
	verify := func(tok string) error {
		_, err := jws.Verify([]byte(tok), jws.WithKeyProvider(kp), jws.WithCompact(), jws.WithAlgorithmMatch(true))
		return err
	}
	if err := verify(iss.Token(tenant)); err != nil {
		t.Fatalf("RS256: %v", err)
	}
	for _, alg := range []string{"none", "HS256", "PS256", "RS384", "RS512", "PS512", "ES256"} {
		if err := verify(iss.Mint(tenant, nil, authtest.Header("alg", alg))); err == nil {
			t.Errorf("alg %s verified", alg)
		}
	}
}

func TestFetchJWKSSkipsUnusableKeys(t *testing.T) {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	res, err := iss.Client().Get(iss.JWKSURL("t"))
	if err != nil {
		t.Fatal(err)
	}
	good, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if bytes.Contains(good, []byte(`"alg"`)) {
		t.Fatalf("the fake's keys have an alg member: %s", good)
	}
	first := string(good[len(`{"keys":[`) : len(good)-2])
	with := func(replace ...string) string {
		return `{"keys":[` + strings.NewReplacer(replace...).Replace(first) + `]}`
	}
	cases := []struct {
		name, body string
		status     int
		want       string // error substring; "" for success
	}{
		{"Entra's shape", string(good), 200, ""},
		{"alg RS256", with(`"kty"`, `"alg":"RS256","kty"`), 200, ""},
		{"alg PS256 only", with(`"kty"`, `"alg":"PS256","kty"`), 200, "no usable RS256"},
		{"use enc", with(`"use":"sig"`, `"use":"enc"`), 200, "no usable RS256"},
		{"EC key", `{"keys":[{"kty":"EC","crv":"P-256","kid":"e","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`, 200, "no usable RS256"},
		{"no kid", with(`"kid"`, `"x"`), 200, "no usable RS256"},
		{"not JSON", "<html>", 200, "not a JWKS"},
		{"500", "", 500, "500"},
		{"too large", `{"keys":[],"x":"` + strings.Repeat("a", maxJWKSBytes) + `"}`, 200, "larger than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			}))
			defer srv.Close()
			keys, err := fetchJWKS(t.Context(), srv.Client(), srv.URL)
			if c.want == "" {
				if err != nil || len(keys) != 1 {
					t.Errorf("keys %v, err %v", keys, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// TestBackgroundLeavesUnknownTenantsAlone: with an AllowTenant that
// allows anything, tokens of made-up tenants cost one fetch per
// MinRefreshInterval on requests, and none in the background.
func TestBackgroundLeavesUnknownTenantsAlone(t *testing.T) {
	clock := authtest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now})
	defer iss.Close()
	iss.SetDown(true) // Entra answers 400 for a tenant that does not exist
	e, err := New(t.Context(), Config{
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
	for range 10 {
		if _, err := e.Validate(t.Context(), iss.Token(tenant)); !errors.Is(err, auth.ErrKeysUnavailable) {
			t.Fatalf("made-up tenant: %v", err)
		}
	}
	for range 5 {
		clock.Add(10 * time.Minute)
		e.keys.refreshDue()
	}
	e.keys.close()
	if n := iss.Fetches(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}
