package entra

import (
	"container/list"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/scimkit/scimkit/auth"
)

// maxJWKSBytes bounds a JWKS response; Entra's is about 10 KiB.
const maxJWKSBytes = 1 << 20

// defaultFetchTimeout bounds a JWKS fetch when the HTTP client has no
// Timeout of its own.
const defaultFetchTimeout = 10 * time.Second

// keyStore holds the signing keys of every tenant seen, one keySet per
// JWKS URL, following Microsoft's rollover guidance: keys cached by kid,
// refreshed every refresh interval in the background, refreshed on an
// unknown kid at most once per minRefresh, last good keys kept while the
// endpoint fails.
//
// The sets of configured tenants (Config.Tenants) stay for good. The
// sets of the other tenants (admitted by AllowTenant, so possibly named by
// anyone) are bounded, and so is the work a stranger can cause:
//
//   - at most maxTenants such sets are kept, in three lists by tier
//     (tierUnfetched, tierUnproven, tierProven; see evictLocked), so that
//     an eviction is O(1);
//   - at most maxFetches on-demand fetches for them per minRefresh, all
//     tenants together (spendLocked): over it, a new tenant is refused
//     without a set or a fetch;
//   - equal key maps are shared (interner): Microsoft serves the same
//     keys to almost every tenant, so 1,024 tenants cost one map.
type keyStore struct {
	ctx        context.Context // lifetime: cancelled by Entra.Close
	client     *http.Client
	timeout    time.Duration // per fetch; 0 when the client has its own
	clock      func() time.Time
	refresh    time.Duration
	minRefresh time.Duration
	log        *slog.Logger
	urlFor     func(tenant string) string
	onFetched  func(url string, took time.Duration, err error) // may be nil
	maxTenants int                                             // key sets of tenants not configured
	maxFetches int                                             // on-demand fetches for tenants not configured, per minRefresh

	mu        sync.Mutex
	sets      map[string]*keySet  // by tenant
	tiers     [numTiers]list.List // of *keySet, tenants not configured; front: evicted first
	window    time.Time           // start of the current window of minRefresh
	spent     int                 // on-demand fetches counted in the window
	capLogged bool                // the limit was logged in the window
	evictions int                 // for tests
	closed    bool
	wg        sync.WaitGroup // running fetches

	interned interner
}

// Tiers of the key sets of tenants not configured, in eviction order.
const (
	tierUnfetched = iota // keys never fetched (a made-up tenant): oldest first
	tierUnproven         // keys fetched, no token verified yet: oldest first
	tierProven           // a token verified: least recently used first
	numTiers
)

// keySet is the signing keys published at one JWKS URL.
type keySet struct {
	tenant, url string
	configured  bool                   // listed in Config.Tenants; never changes
	keys        atomic.Pointer[keyMap] // nil until a fetch succeeds; shared, read-only

	// Guarded by keyStore.mu; only for tenants not configured.
	elem *list.Element // in keyStore.tiers[tier]; nil: evicted
	tier int

	mu        sync.Mutex
	fetched   time.Time  // end of the last successful fetch
	attempted time.Time  // end of the last fetch, successful or not
	lastErr   error      // of the last fetch; nil after a success
	forced    time.Time  // start of the last on-demand fetch; zero: none yet
	paid      bool       // the first on-demand fetch was counted when the set was made
	inflight  *fetchCall // the running fetch, shared by every waiter

	waiting atomic.Int32 // requests waiting for inflight (for tests)
}

type fetchCall struct {
	done   chan struct{}
	forced bool
}

func (s *keySet) lookup(kid string) *rsa.PublicKey {
	if m := s.keys.Load(); m != nil {
		return (*m)[kid]
	}
	return nil
}

// configuredSet returns the keySet of a configured tenant, creating it.
func (ks *keyStore) configuredSet(tenant string) *keySet {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	s := ks.sets[tenant]
	if s == nil {
		s = &keySet{tenant: tenant, url: ks.urlFor(tenant), configured: true}
		ks.sets[tenant] = s
	}
	return s
}

// get returns tenant's keySet, or nil.
func (ks *keyStore) get(tenant string) *keySet {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.sets[tenant]
}

// acquire returns tenant's keySet. A tenant without one (so not
// configured) gets an empty one if an on-demand fetch may be spent on it,
// which it counts: that set's first fetch is paid. Otherwise it returns
// auth.ErrKeysUnavailable and keeps nothing.
func (ks *keyStore) acquire(ctx context.Context, tenant string) (*keySet, error) {
	ks.mu.Lock()
	if s := ks.sets[tenant]; s != nil {
		ks.mu.Unlock()
		return s, nil
	}
	logIt, err := ks.spendLocked(tenant)
	if err != nil {
		ks.mu.Unlock()
		ks.logLimit(ctx, logIt)
		return nil, err
	}
	for ks.cachedLocked() >= ks.maxTenants {
		ks.evictLocked()
	}
	s := &keySet{tenant: tenant, url: ks.urlFor(tenant), paid: true, tier: tierUnfetched}
	s.elem = ks.tiers[tierUnfetched].PushBack(s)
	ks.sets[tenant] = s
	ks.mu.Unlock()
	return s, nil
}

// cachedLocked returns the number of key sets of tenants not configured.
func (ks *keyStore) cachedLocked() int {
	n := 0
	for i := range ks.tiers {
		n += ks.tiers[i].Len()
	}
	return n
}

// evictLocked drops one key set of a tenant not configured: the oldest
// of a tenant whose keys were never fetched (a made-up tenant: Entra
// answers 400), else the oldest of a tenant of which no token verified
// (keys of a real tenant, named by tokens that were not its), else the
// least recently used. A fetch in flight for it completes for its
// waiters and is then dropped with the set (its elem is nil).
func (ks *keyStore) evictLocked() {
	for i := range ks.tiers {
		if e := ks.tiers[i].Front(); e != nil {
			s := ks.tiers[i].Remove(e).(*keySet)
			s.elem = nil
			delete(ks.sets, s.tenant)
			ks.evictions++
			return
		}
	}
}

// moveLocked moves s, unless evicted, to the back of tier: the last to
// be evicted from it.
func (ks *keyStore) moveLocked(s *keySet, tier int) {
	switch {
	case s.elem == nil:
	case s.tier == tier:
		ks.tiers[tier].MoveToBack(s.elem)
	default:
		ks.tiers[s.tier].Remove(s.elem)
		s.elem = ks.tiers[tier].PushBack(s)
		s.tier = tier
	}
}

// verified records that a token of s's tenant verified: its set is kept
// longest, least recently used first.
func (ks *keyStore) verified(s *keySet) {
	if s.configured {
		return
	}
	ks.mu.Lock()
	ks.moveLocked(s, tierProven)
	ks.mu.Unlock()
}

// spendLocked counts one on-demand fetch for tenant (not configured), or
// returns auth.ErrKeysUnavailable when the maxFetches of the current window of
// minRefresh are spent; logIt says the limit was just reached.
func (ks *keyStore) spendLocked(tenant string) (logIt bool, err error) {
	now := ks.clock()
	if ks.window.IsZero() || now.Sub(ks.window) >= ks.minRefresh || now.Before(ks.window) {
		ks.window, ks.spent, ks.capLogged = now, 0, false
	}
	if ks.spent < ks.maxFetches {
		ks.spent++
		return false, nil
	}
	logIt = !ks.capLogged
	ks.capLogged = true
	return logIt, rejectErr(auth.ErrKeysUnavailable, fmt.Sprintf("the signing keys of tenant %s are not fetched: the %d on-demand fetches allowed per %s for tenants not in Config.Tenants (MaxTenantFetches) are spent; more are allowed from %s",
		tenant, ks.maxFetches, ks.minRefresh, ks.window.Add(ks.minRefresh).UTC().Format(time.RFC3339)))
}

// spend is spendLocked for a caller without ks.mu.
func (ks *keyStore) spend(ctx context.Context, tenant string) error {
	ks.mu.Lock()
	logIt, err := ks.spendLocked(tenant)
	ks.mu.Unlock()
	ks.logLimit(ctx, logIt)
	return err
}

// logLimit logs, with the context of the request that met the limit.
func (ks *keyStore) logLimit(ctx context.Context, logIt bool) {
	if logIt {
		ks.log.WarnContext(ctx, "entra: limit of on-demand Entra key fetches reached; tokens of tenants not in Config.Tenants that need a fetch are refused until the next window (many tokens naming unknown tenants, or MaxTenantFetches too low)",
			"max_tenant_fetches", ks.maxFetches, "window", ks.minRefresh)
	}
}

// key returns s and its public key kid, s being tenant's keySet. A kid
// not in the cached keys forces a refresh unless one was forced less
// than minRefresh ago; concurrent callers share the refresh in flight.
func (ks *keyStore) key(ctx context.Context, tenant, kid string) (*keySet, *rsa.PublicKey, error) {
	s, err := ks.acquire(ctx, tenant)
	if err != nil {
		return nil, nil, err
	}
	if k := s.lookup(kid); k != nil {
		return s, k, nil
	}
	// At most two rounds: a background refresh in flight may predate the
	// key; after it, one forced refresh may still be due.
	for range 2 {
		s.mu.Lock()
		if k := s.lookup(kid); k != nil {
			s.mu.Unlock()
			return s, k, nil
		}
		call := s.inflight
		if call == nil {
			now := ks.clock()
			if !s.forced.IsZero() && now.Sub(s.forced) < ks.minRefresh {
				err := ks.missLocked(s, kid)
				s.mu.Unlock()
				return nil, nil, err
			}
			if !s.configured && !s.paid {
				if err := ks.spend(ctx, tenant); err != nil {
					s.mu.Unlock()
					return nil, nil, err
				}
			}
			s.paid = false
			s.forced = now
			call = ks.startFetchLocked(s, true)
		}
		s.mu.Unlock()

		s.waiting.Add(1)
		select {
		case <-call.done:
			s.waiting.Add(-1)
		case <-ctx.Done():
			s.waiting.Add(-1)
			return nil, nil, rejectErr(auth.ErrKeysUnavailable, fmt.Sprintf("the request ended while waiting for the signing keys of tenant %s from %s: %v", tenant, s.url, ctx.Err()))
		}
		if k := s.lookup(kid); k != nil {
			return s, k, nil
		}
		if call.forced {
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return nil, nil, ks.missLocked(s, kid)
}

// missLocked explains why kid is not available. s.mu is held.
func (ks *keyStore) missLocked(s *keySet, kid string) error {
	next := "on the next request"
	if !s.forced.IsZero() {
		next = "on a request after " + s.forced.Add(ks.minRefresh).UTC().Format(time.RFC3339)
	}
	m := s.keys.Load()
	if m == nil {
		return rejectErr(auth.ErrKeysUnavailable, fmt.Sprintf("the signing keys of tenant %s could not be fetched from %s (%v); no token of this tenant can be checked until a fetch succeeds; next attempt %s, or in the background",
			s.tenant, s.url, s.lastErr, next))
	}
	msg := fmt.Sprintf("unknown signing key: kid %s is not among the %d signing keys of tenant %s fetched from %s at %s; next refresh for an unknown kid %s",
		quote(kid), len(*m), s.tenant, s.url, s.fetched.UTC().Format(time.RFC3339), next)
	if s.lastErr != nil {
		msg += fmt.Sprintf(" (the last refresh failed: %v)", s.lastErr)
	}
	return rejectErr(auth.ErrUnknownSigningKey, msg)
}

// startFetchLocked starts fetching s's keys in the background and returns
// the call to wait for. s.mu is held (and ks.mu is not).
func (ks *keyStore) startFetchLocked(s *keySet, forced bool) *fetchCall {
	call := &fetchCall{done: make(chan struct{}), forced: forced}
	ks.mu.Lock()
	if !forced && !s.configured && s.elem == nil {
		// Evicted since the background listed it: nobody needs its keys.
		ks.mu.Unlock()
		close(call.done)
		return call
	}
	if ks.closed {
		ks.mu.Unlock()
		s.attempted = ks.clock()
		s.lastErr = errors.New("the authenticator is closed")
		close(call.done)
		return call
	}
	ks.wg.Add(1)
	ks.mu.Unlock()
	s.inflight = call
	go func() {
		defer ks.wg.Done()
		ctx := ks.ctx
		if ks.timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, ks.timeout)
			defer cancel()
		}
		began := time.Now()
		keys, err := fetchJWKS(ctx, ks.client, s.url)
		if ks.onFetched != nil {
			ks.onFetched(s.url, time.Since(began), err)
		}
		var shared *keyMap
		if err == nil {
			shared = ks.interned.intern(keys)
		}
		now := ks.clock()
		s.mu.Lock()
		s.attempted = now
		if err == nil {
			s.keys.Store(shared)
			s.fetched = now
			s.lastErr = nil
			if !s.configured {
				ks.mu.Lock()
				if s.elem != nil && s.tier == tierUnfetched {
					ks.moveLocked(s, tierUnproven)
				}
				ks.mu.Unlock()
			}
		} else {
			s.lastErr = err
		}
		s.inflight = nil
		close(call.done)
		haveKeys := s.keys.Load() != nil
		s.mu.Unlock()
		if err != nil {
			ks.log.Warn("entra: fetching Entra signing keys failed", "tenant", s.tenant, "url", s.url, "forced", forced, "keeping_last_good_keys", haveKeys, "error", err.Error())
		} else {
			ks.log.Debug("entra: fetched Entra signing keys", "tenant", s.tenant, "url", s.url, "forced", forced, "keys", len(keys))
		}
	}()
	return call
}

// refreshDue starts a background fetch for every key set that is due: a
// healthy one refresh after its last success, a failing one minRefresh
// after its last attempt. Only configured tenants and tenants of which a
// token verified (tierProven) are refreshed; the others are left to their
// requests (within MaxTenantFetches): the background does not keep
// fetching for made-up tenants, nor for real tenants named by forgeries.
func (ks *keyStore) refreshDue() {
	now := ks.clock()
	ks.mu.Lock()
	sets := make([]*keySet, 0, len(ks.sets))
	for _, s := range ks.sets {
		if s.configured || s.elem != nil && s.tier == tierProven {
			sets = append(sets, s)
		}
	}
	ks.mu.Unlock()
	for _, s := range sets {
		s.mu.Lock()
		if s.inflight == nil && (s.configured || s.keys.Load() != nil) {
			due := now.Sub(s.fetched) >= ks.refresh
			if s.keys.Load() == nil || s.lastErr != nil {
				due = s.attempted.IsZero() || now.Sub(s.attempted) >= ks.minRefresh
			}
			if due {
				ks.startFetchLocked(s, false)
			}
		}
		s.mu.Unlock()
	}
}

// warm fetches the keys of tenants, waiting for the fetches (or ctx), and
// returns what failed.
func (ks *keyStore) warm(ctx context.Context, tenants []string) error {
	calls := make([]*fetchCall, len(tenants))
	sets := make([]*keySet, len(tenants))
	for i, t := range tenants {
		s := ks.configuredSet(t)
		s.mu.Lock()
		calls[i] = s.inflight
		if calls[i] == nil {
			calls[i] = ks.startFetchLocked(s, false)
		}
		s.mu.Unlock()
		sets[i] = s
	}
	var errs []error
	for i, c := range calls {
		select {
		case <-c.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if sets[i].keys.Load() == nil {
			sets[i].mu.Lock()
			errs = append(errs, fmt.Errorf("tenant %s: %s: %w", sets[i].tenant, sets[i].url, sets[i].lastErr))
			sets[i].mu.Unlock()
		}
	}
	return errors.Join(errs...)
}

// close stops new fetches and waits for the running ones.
func (ks *keyStore) close() {
	ks.mu.Lock()
	ks.closed = true
	ks.mu.Unlock()
	ks.wg.Wait()
}

// fetchJWKS GETs a JWKS and returns its RS256 signing keys by kid.
//
// Entra's keys carry no alg member. A key is used (for RS256 only) when
// it is an RSA public key of at least 2048 bits with a kid, whose use is
// absent or "sig" and whose alg is absent or RS256; every other key is
// skipped. A response without such a key is an error, so the last good
// keys stay in place.
func fetchJWKS(ctx context.Context, client *http.Client, url string) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading the body: %w", url, err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("GET %s: the JWKS is larger than %d bytes", url, maxJWKSBytes)
	}
	set, err := jwk.Parse(body, jwk.WithIgnoreParseError(true))
	if err != nil {
		return nil, fmt.Errorf("GET %s: not a JWKS: %w", url, err)
	}
	keys := make(map[string]*rsa.PublicKey, set.Len())
	for i := range set.Len() {
		k, ok := set.Key(i)
		if !ok || k.KeyType() != jwa.RSA() {
			continue
		}
		kid, _ := k.KeyID()
		if kid == "" || keys[kid] != nil {
			continue
		}
		if use, ok := k.KeyUsage(); ok && use != "" && use != "sig" {
			continue
		}
		if alg, ok := k.Algorithm(); ok && alg.String() != jwa.RS256().String() {
			continue
		}
		var raw any
		if err := jwk.Export(k, &raw); err != nil {
			continue
		}
		pub, ok := raw.(*rsa.PublicKey)
		if !ok || pub.N.BitLen() < 2048 {
			continue
		}
		keys[kid] = pub
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("GET %s: the JWKS has no usable RS256 signing key", url)
	}
	return keys, nil
}
