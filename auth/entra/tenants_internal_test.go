package entra

import (
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"log/slog"
	"math/big"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/authtest"
)

// newAllowAll returns an Entra whose AllowTenant admits every tenant,
// over iss, with edit applied to its config.
func newAllowAll(t *testing.T, iss *authtest.Issuer, clock *authtest.Clock, edit func(*Config)) *Authenticator {
	t.Helper()
	cfg := Config{
		AllowTenant:   func(string) bool { return true },
		AuthorityHost: iss.URL(),
		HTTPClient:    iss.Client(),
		Clock:         clock.Now,
		Logger:        slog.New(slog.DiscardHandler),
	}
	if edit != nil {
		edit(&cfg)
	}
	e, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// cached returns the number of key sets of tenants not configured, and
// of all tenants.
func cached(e *Authenticator) (notConfigured, all int) {
	e.keys.mu.Lock()
	defer e.keys.mu.Unlock()
	return e.keys.cachedLocked(), len(e.keys.sets)
}

// tierOf returns the tier of tenant's key set, or -1 when it has none.
func tierOf(e *Authenticator, tenant string) int {
	e.keys.mu.Lock()
	defer e.keys.mu.Unlock()
	s := e.keys.sets[tenant]
	if s == nil {
		return -1
	}
	return s.tier
}

func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestForgedTenantFlood is the filed issue: AllowTenant admits anything
// and 20,000 tokens with otherwise valid claims each name a new, made-up
// tenant (Entra answers 400 for it). Fetches stay within MaxTenantFetches
// per MinRefreshInterval, key sets within MaxTenants, the heap does not
// grow with the flood, and a tenant used before the flood keeps
// validating without a refetch.
func TestForgedTenantFlood(t *testing.T) {
	const (
		maxTenants = 150
		perWindow  = 100 // the default MaxTenantFetches
		goroutines = 4
		perRound   = 10_000
	)
	clock := authtest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	customer := authtest.NewTenantID()
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now, KnownTenants: []string{customer}})
	defer iss.Close()
	e := newAllowAll(t, iss, clock, func(c *Config) { c.MaxTenants = maxTenants })

	if _, err := e.Validate(t.Context(), iss.Token(customer)); err != nil {
		t.Fatal(err)
	}
	if tier := tierOf(e, customer); tier != tierProven {
		t.Fatalf("the customer's key set is in tier %d, want %d", tier, tierProven)
	}
	randomKey := authtest.NewSigningKey()
	// forge makes what iss.Mint(tenant, nil, authtest.ForgedSignature())
	// makes, at a fraction of the cost (Mint draws several random values
	// and marshals maps).
	template := iss.Mint("TENANT", nil, authtest.ForgedSignature())
	head, rest, _ := strings.Cut(template, ".")
	payload, sig, _ := strings.Cut(rest, ".")
	claims, err := b64.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	forge := func(tenant string) string {
		c := strings.ReplaceAll(string(claims), "TENANT", tenant)
		return head + "." + base64.RawURLEncoding.EncodeToString([]byte(c)) + "." + sig
	}
	clock.Add(5 * time.Minute) // the customer's fetch counted in the first window
	before := liveHeap()

	for round := range 2 {
		fetches := iss.Fetches()
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				for i := range perRound / goroutines {
					tenant := authtest.NewTenantID()
					var tok string
					switch {
					case i%500 == 0: // signed by the issuer's own key
						tok = iss.Token(tenant)
					case i%500 == 1: // signed by a key it does not publish
						tok = iss.Mint(tenant, nil, authtest.SignedBy(randomKey))
					default: // a forgery, made cheaply
						tok = forge(tenant)
					}
					if _, err := e.Validate(t.Context(), tok); !errors.Is(err, auth.ErrKeysUnavailable) {
						t.Errorf("round %d, goroutine %d, token %d: %v, want auth.ErrKeysUnavailable", round, g, i, err)
						return
					}
					if i%100 == 0 {
						if n, _ := cached(e); n > maxTenants {
							t.Errorf("%d key sets cached, want at most %d", n, maxTenants)
							return
						}
					}
				}
			})
		}
		wg.Wait()
		if n := iss.Fetches() - fetches; n != perWindow {
			t.Errorf("round %d: %d tokens of new tenants caused %d fetches, want %d (MaxTenantFetches per MinRefreshInterval)", round, perRound, n, perWindow)
		}
		clock.Add(5 * time.Minute) // the next window
	}

	n, all := cached(e)
	if n > maxTenants || all != n {
		t.Errorf("%d key sets (%d of tenants not configured), want at most %d", all, n, maxTenants)
	}
	if e.keys.evictions == 0 {
		t.Error("no key set was evicted")
	}
	if tier := tierOf(e, customer); tier != tierProven {
		t.Errorf("the customer's key set was evicted (tier %d)", tier)
	}
	after := liveHeap()
	if after > before && after-before > 4<<20 {
		t.Errorf("the live heap grew by %d KiB during the flood, want at most 4 MiB", (after-before)>>10)
	}
	t.Logf("live heap %d KiB before, %d KiB after; %d key sets; %d evictions", before>>10, after>>10, all, e.keys.evictions)

	fetches := iss.Fetches()
	if _, err := e.Validate(t.Context(), iss.Token(customer)); err != nil {
		t.Errorf("the customer after the flood: %v", err)
	}
	if n := iss.Fetches() - fetches; n != 0 || iss.TenantFetches(customer) != 1 {
		t.Errorf("the customer's token after the flood caused %d fetches (%d in all for it), want 0 (1)", n, iss.TenantFetches(customer))
	}
}

// TestFetchLimit: over MaxTenantFetches, a new tenant is refused without
// a fetch and without a key set, and so is a refresh for an unknown kid;
// the limit is per MinRefreshInterval.
func TestFetchLimit(t *testing.T) {
	clock := authtest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now})
	defer iss.Close()
	e := newAllowAll(t, iss, clock, func(c *Config) { c.MaxTenantFetches = 3 })

	tenants := make([]string, 6)
	for i := range tenants {
		tenants[i] = authtest.NewTenantID()
	}
	valid := func(tenant string) {
		t.Helper()
		if _, err := e.Validate(t.Context(), iss.Token(tenant)); err != nil {
			t.Fatalf("tenant %s: %v", tenant, err)
		}
	}
	for _, tenant := range tenants[:3] {
		valid(tenant)
	}
	_, err := e.Validate(t.Context(), iss.Token(tenants[3]))
	if !errors.Is(err, auth.ErrKeysUnavailable) || !strings.Contains(err.Error(), "the 3 on-demand fetches allowed per 5m0s for tenants not in Config.Tenants (MaxTenantFetches) are spent; more are allowed from 2026-06-01T10:05:00Z") {
		t.Errorf("fourth tenant: %v", err)
	}
	if e.keys.get(tenants[3]) != nil || iss.Fetches() != 3 {
		t.Errorf("the refused tenant has a key set (%v) or was fetched (%d fetches, want 3)", e.keys.get(tenants[3]) != nil, iss.Fetches())
	}
	valid(tenants[1]) // keys at hand: no fetch needed

	// The next window: a refresh for an unknown kid counts too.
	clock.Add(5 * time.Minute)
	for _, tenant := range tenants[3:] {
		valid(tenant)
	}
	unknownKid := iss.Mint(tenants[0], nil, authtest.Header("kid", "new"), authtest.ForgedSignature())
	if _, err = e.Validate(t.Context(), unknownKid); !errors.Is(err, auth.ErrKeysUnavailable) || !strings.Contains(err.Error(), "MaxTenantFetches") {
		t.Errorf("unknown kid over the limit: %v", err)
	}
	if n := iss.Fetches(); n != 6 {
		t.Errorf("%d fetches, want 6", n)
	}
	clock.Add(5 * time.Minute)
	if _, err = e.Validate(t.Context(), unknownKid); !errors.Is(err, auth.ErrUnknownSigningKey) {
		t.Errorf("unknown kid in the next window: %v", err)
	}
	if n := iss.Fetches(); n != 7 {
		t.Errorf("%d fetches, want 7", n)
	}
}

// TestFetchLimitSparesConfiguredTenants: fetches for Tenants are never
// counted.
func TestFetchLimitSparesConfiguredTenants(t *testing.T) {
	clock := authtest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now})
	defer iss.Close()
	a, b := authtest.NewTenantID(), authtest.NewTenantID()
	e, err := New(t.Context(), Config{Tenants: []string{a, b}, MaxTenantFetches: 1, AuthorityHost: iss.URL(),
		HTTPClient: iss.Client(), Clock: clock.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	iss.Rotate()
	for _, tenant := range []string{a, b} {
		if _, err := e.Validate(t.Context(), iss.Token(tenant)); err != nil {
			t.Errorf("tenant %s after a rotation: %v", tenant, err)
		}
	}
	if n := iss.Fetches(); n != 4 {
		t.Errorf("%d fetches, want 4 (2 at start, 2 for the new kid)", n)
	}
}

// TestSharedKeySets: 1,000 tenants served the same JWKS share one key map.
func TestSharedKeySets(t *testing.T) {
	clock := authtest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now})
	defer iss.Close()
	e := newAllowAll(t, iss, clock, func(c *Config) { c.MaxTenantFetches = 1000 })
	tenants := make([]string, 1000)
	for i := range tenants {
		tenants[i] = authtest.NewTenantID()
		if _, err := e.Validate(t.Context(), iss.Mint(tenants[i], nil, authtest.ForgedSignature())); !errors.Is(err, auth.ErrBadSignature) {
			t.Fatalf("tenant %d: %v, want auth.ErrBadSignature", i, err)
		}
	}
	if _, err := e.Validate(t.Context(), iss.Token(tenants[0])); err != nil {
		t.Fatal(err)
	}
	first := e.keys.get(tenants[0]).keys.Load()
	for i, tenant := range tenants {
		if p := e.keys.get(tenant).keys.Load(); p != first {
			t.Fatalf("tenant %d has its own key map", i)
		}
	}
	if n := e.keys.interned.len(); n != 1 {
		t.Errorf("%d interned key maps, want 1", n)
	}
	if n, _ := cached(e); n != 1000 || iss.Fetches() != 1000 {
		t.Errorf("%d key sets, %d fetches; want 1,000 each", n, iss.Fetches())
	}
}

func TestInternerSweepsUnusedMaps(t *testing.T) {
	pub := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 2047), E: 65537}
	var in interner
	kept := in.intern(keyMap{"kept": pub})
	for i := range 2000 {
		in.intern(keyMap{string(rune('a'+i%26)) + strings.Repeat("x", i): pub})
		if i%50 == 0 {
			runtime.GC()
		}
	}
	if n := in.len(); n > 200 {
		t.Errorf("%d entries after 2,000 maps no one kept, want them swept", n)
	}
	if p := in.intern(keyMap{"kept": &rsa.PublicKey{N: new(big.Int).Set(pub.N), E: 65537}}); p != kept {
		t.Error("an equal map in use is not shared")
	}
	if p := in.intern(keyMap{"kept": &rsa.PublicKey{N: new(big.Int).Set(pub.N), E: 3}}); p == kept {
		t.Error("a map with another exponent is shared")
	}
	runtime.KeepAlive(kept)
}

// TestEvictionOrder: made-up tenants go first, then tenants none of whose
// tokens verified, then the least recently used.
func TestEvictionOrder(t *testing.T) {
	clock := authtest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	known := make([]string, 6)
	for i := range known {
		known[i] = authtest.NewTenantID()
	}
	A, B, C, D, E, F := known[0], known[1], known[2], known[3], known[4], known[5]
	X := authtest.NewTenantID() // made up
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now, KnownTenants: known})
	defer iss.Close()
	e := newAllowAll(t, iss, clock, func(c *Config) { c.MaxTenants = 3 })

	valid := func(tenant string) {
		t.Helper()
		if _, err := e.Validate(t.Context(), iss.Token(tenant)); err != nil {
			t.Fatalf("tenant %s: %v", tenant, err)
		}
	}
	forged := func(tenant string, want error) {
		t.Helper()
		if _, err := e.Validate(t.Context(), iss.Mint(tenant, nil, authtest.ForgedSignature())); !errors.Is(err, want) {
			t.Fatalf("tenant %s: %v, want %v", tenant, err, want)
		}
	}
	has := func(step string, want ...string) {
		t.Helper()
		var got []string
		for _, tenant := range append(known, X) {
			if e.keys.get(tenant) != nil {
				got = append(got, tenant)
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: key sets of %v, want %v", step, got, want)
		}
	}
	valid(A)
	forged(X, auth.ErrKeysUnavailable)
	forged(B, auth.ErrBadSignature)
	has("full", A, B, X)
	valid(C)
	has("a made-up tenant goes first", A, B, C)
	forged(D, auth.ErrBadSignature)
	has("then a tenant without a verified token", A, C, D)
	valid(A) // A is now used more recently than C
	valid(E)
	has("then again", A, C, E)
	valid(F)
	has("then the least recently used", A, E, F)
}

// TestEvictionDuringFetch: a key set evicted while its fetch is in flight
// serves its waiting request, then stays out of the store.
func TestEvictionDuringFetch(t *testing.T) {
	clock := authtest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now})
	defer iss.Close()
	x, y := authtest.NewTenantID(), authtest.NewTenantID()
	held := make(chan struct{})
	base := iss.Client().Transport
	client := &http.Client{Timeout: 10 * time.Second, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.Contains(r.URL.Path, x) {
			<-held
		}
		return base.RoundTrip(r)
	})}
	e := newAllowAll(t, iss, clock, func(c *Config) { c.MaxTenants = 1; c.HTTPClient = client })

	done := make(chan error)
	go func() {
		_, err := e.Validate(t.Context(), iss.Token(x))
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	var sx *keySet
	for sx == nil || sx.waiting.Load() < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the request for x does not wait for its fetch")
		}
		runtime.Gosched()
		sx = e.keys.get(x)
	}
	if _, err := e.Validate(t.Context(), iss.Token(y)); err != nil {
		t.Fatalf("tenant y: %v", err)
	}
	if e.keys.get(x) != nil {
		t.Fatal("x was not evicted")
	}
	close(held)
	if err := <-done; err != nil {
		t.Errorf("the request waiting for x's evicted set: %v", err)
	}
	e.keys.close() // waits for x's fetch to end
	e.keys.mu.Lock()
	n, sets, elem := e.keys.cachedLocked(), len(e.keys.sets), sx.elem
	e.keys.mu.Unlock()
	if n != 1 || sets != 1 || e.keys.get(y) == nil || elem != nil {
		t.Errorf("after x's fetch: %d key sets listed, %d mapped, y present %v, x listed %v; want only y", n, sets, e.keys.get(y) != nil, elem != nil)
	}
	if sx.keys.Load() == nil {
		t.Error("x's evicted set did not get its keys")
	}
}

// TestCheapChecksComeFirst: 1,000 new tenants, each with a forged token
// that fails a check needing no key: no fetch, no key set.
func TestCheapChecksComeFirst(t *testing.T) {
	clock := authtest.NewClock(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	iss := authtest.NewIssuer(authtest.Options{Clock: clock.Now})
	defer iss.Close()
	e := newAllowAll(t, iss, clock, func(c *Config) { c.AppIDs = []string{ProvisioningAppID} })
	now := clock.Now()
	cases := []struct {
		claims func(tenant string) authtest.Claims
		header []authtest.MintOption
		want   error
	}{
		{func(string) authtest.Claims { return authtest.Claims{"aud": "00000002-0000-0000-c000-000000000000"} }, nil, auth.ErrWrongAudience},
		{func(string) authtest.Claims { return authtest.Claims{"exp": now.Add(-time.Hour).Unix()} }, nil, auth.ErrTokenExpired},
		{func(string) authtest.Claims { return authtest.Claims{"nbf": now.Add(time.Hour).Unix()} }, nil, auth.ErrTokenNotYetValid},
		{func(string) authtest.Claims { return authtest.Claims{"exp": nil} }, nil, auth.ErrNoExpiry},
		{func(tenant string) authtest.Claims {
			return authtest.Claims{"iss": "https://evil.example/" + tenant + "/"}
		}, nil, auth.ErrWrongIssuer},
		{func(tenant string) authtest.Claims {
			return authtest.Claims{"iss": "https://sts.windows.net/" + strings.ToUpper(tenant) + "/"}
		}, nil, auth.ErrWrongIssuer},
		{func(string) authtest.Claims { return authtest.Claims{"tid": authtest.NewTenantID()} }, nil, auth.ErrTenantMismatch},
		{func(string) authtest.Claims { return authtest.Claims{"appid": "someone-else"} }, nil, auth.ErrWrongApp},
		{func(string) authtest.Claims { return nil }, []authtest.MintOption{authtest.Header("alg", "none")}, auth.ErrUnsupportedAlgorithm},
		{func(string) authtest.Claims { return nil }, []authtest.MintOption{authtest.Header("kid", nil)}, auth.ErrMalformedToken},
	}
	for i := range 1000 {
		c := cases[i%len(cases)]
		tenant := authtest.NewTenantID()
		tok := iss.Mint(tenant, c.claims(tenant), append([]authtest.MintOption{authtest.ForgedSignature()}, c.header...)...)
		if _, err := e.Validate(t.Context(), tok); !errors.Is(err, c.want) {
			t.Fatalf("token %d: %v, want %v", i, err, c.want)
		}
	}
	if n, all := cached(e); iss.Fetches() != 0 || all != 0 || n != 0 {
		t.Errorf("%d fetches and %d key sets, want none", iss.Fetches(), all)
	}
}

func TestQuote(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 bytes
	for _, c := range []struct{ in, want string }{
		{"kid", `"kid"`},
		{strings.Repeat("a", 128), `"` + strings.Repeat("a", 128) + `"`},
		{strings.Repeat("a", 16<<10), `"` + strings.Repeat("a", 128) + `"… (16384 bytes)`},
		{long, `"` + strings.Repeat("é", 64) + `"… (200 bytes)`},
		{"a" + long, `"a` + strings.Repeat("é", 63) + `"… (201 bytes)`},
	} {
		if got := quote(c.in); got != c.want {
			t.Errorf("quote(%.20q…) = %s, want %s", c.in, got, c.want)
		}
	}
}
