package auth

import (
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
type keyStore struct {
	ctx        context.Context // lifetime: cancelled by Entra.Close
	client     *http.Client
	timeout    time.Duration // per fetch; 0 when the client has its own
	clock      func() time.Time
	refresh    time.Duration
	minRefresh time.Duration
	log        *slog.Logger
	urlFor     func(tenant string) string

	mu     sync.Mutex
	sets   map[string]*keySet // by tenant
	closed bool
	wg     sync.WaitGroup // running fetches
}

// keySet is the signing keys published at one JWKS URL.
type keySet struct {
	tenant, url string
	configured  bool                                      // listed in EntraConfig.Tenants
	keys        atomic.Pointer[map[string]*rsa.PublicKey] // nil until a fetch succeeds

	mu        sync.Mutex
	fetched   time.Time  // end of the last successful fetch
	attempted time.Time  // end of the last fetch, successful or not
	lastErr   error      // of the last fetch; nil after a success
	forced    time.Time  // start of the last on-demand fetch; zero: none yet
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

// set returns tenant's keySet, creating it (empty) on first use.
func (ks *keyStore) set(tenant string) *keySet {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	s := ks.sets[tenant]
	if s == nil {
		s = &keySet{tenant: tenant, url: ks.urlFor(tenant)}
		ks.sets[tenant] = s
	}
	return s
}

// key returns the public key kid of tenant. A kid not in the cached keys
// forces a refresh unless one was forced less than minRefresh ago;
// concurrent callers share the refresh in flight.
func (ks *keyStore) key(ctx context.Context, tenant, kid string) (*rsa.PublicKey, error) {
	s := ks.set(tenant)
	if k := s.lookup(kid); k != nil {
		return k, nil
	}
	// At most two rounds: a background refresh in flight may predate the
	// key; after it, one forced refresh may still be due.
	for range 2 {
		s.mu.Lock()
		if k := s.lookup(kid); k != nil {
			s.mu.Unlock()
			return k, nil
		}
		call := s.inflight
		if call == nil {
			now := ks.clock()
			if !s.forced.IsZero() && now.Sub(s.forced) < ks.minRefresh {
				err := ks.missLocked(s, kid)
				s.mu.Unlock()
				return nil, err
			}
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
			return nil, reject(ErrKeysUnavailable, fmt.Sprintf("the request ended while waiting for the signing keys of tenant %s from %s: %v", tenant, s.url, ctx.Err()))
		}
		if k := s.lookup(kid); k != nil {
			return k, nil
		}
		if call.forced {
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return nil, ks.missLocked(s, kid)
}

// missLocked explains why kid is not available. s.mu is held.
func (ks *keyStore) missLocked(s *keySet, kid string) error {
	next := "on the next request"
	if !s.forced.IsZero() {
		next = "on a request after " + s.forced.Add(ks.minRefresh).UTC().Format(time.RFC3339)
	}
	m := s.keys.Load()
	if m == nil {
		return reject(ErrKeysUnavailable, fmt.Sprintf("the signing keys of tenant %s could not be fetched from %s (%v); no token of this tenant can be checked until a fetch succeeds; next attempt %s, or in the background",
			s.tenant, s.url, s.lastErr, next))
	}
	msg := fmt.Sprintf("unknown signing key: kid %q is not among the %d signing keys of tenant %s fetched from %s at %s; next refresh for an unknown kid %s",
		kid, len(*m), s.tenant, s.url, s.fetched.UTC().Format(time.RFC3339), next)
	if s.lastErr != nil {
		msg += fmt.Sprintf(" (the last refresh failed: %v)", s.lastErr)
	}
	return reject(ErrUnknownSigningKey, msg)
}

// startFetchLocked starts fetching s's keys in the background and returns
// the call to wait for. s.mu is held.
func (ks *keyStore) startFetchLocked(s *keySet, forced bool) *fetchCall {
	call := &fetchCall{done: make(chan struct{}), forced: forced}
	ks.mu.Lock()
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
		keys, err := fetchJWKS(ctx, ks.client, s.url)
		now := ks.clock()
		s.mu.Lock()
		s.attempted = now
		if err == nil {
			s.keys.Store(&keys)
			s.fetched = now
			s.lastErr = nil
		} else {
			s.lastErr = err
		}
		s.inflight = nil
		close(call.done)
		haveKeys := s.keys.Load() != nil
		s.mu.Unlock()
		if err != nil {
			ks.log.Warn("auth: fetching Entra signing keys failed", "tenant", s.tenant, "url", s.url, "forced", forced, "keeping_last_good_keys", haveKeys, "error", err.Error())
		} else {
			ks.log.Debug("auth: fetched Entra signing keys", "tenant", s.tenant, "url", s.url, "forced", forced, "keys", len(keys))
		}
	}()
	return call
}

// refreshDue starts a background fetch for every key set that is due: a
// healthy one refresh after its last success, a failing one minRefresh
// after its last attempt. A tenant that was not configured and whose keys
// were never fetched is left to its requests (at most one fetch per
// minRefresh): the background does not keep fetching for made-up tenants.
func (ks *keyStore) refreshDue() {
	now := ks.clock()
	ks.mu.Lock()
	sets := make([]*keySet, 0, len(ks.sets))
	for _, s := range ks.sets {
		sets = append(sets, s)
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
		s := ks.set(t)
		s.mu.Lock()
		s.configured = true
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
