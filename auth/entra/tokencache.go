package entra

import (
	"crypto/sha256"
	"sync"
	"time"
)

// tokenCache remembers tokens that passed every check, keyed by the
// SHA-256 of the token, until the token's exp: Entra sends the same token
// for a whole provisioning cycle, so all but the first request of a cycle
// skip the JWT parsing and the RSA verification.
//
// It holds at most max entries. Only verified tokens enter it, so an
// attacker cannot fill it; when it is full, expired entries are dropped,
// then random ones (Go's map iteration order) until it is 7/8 full, which
// keeps the cost of a full cache amortised O(1) per insertion.
type tokenCache struct {
	max int

	mu sync.RWMutex
	m  map[[sha256.Size]byte]cachedToken
}

type cachedToken struct {
	t   *Token
	exp time.Time
}

// newTokenCache returns a cache of max entries, or nil (no caching) when
// max < 0. The nil *tokenCache is valid and caches nothing.
func newTokenCache(max int) *tokenCache {
	if max < 0 {
		return nil
	}
	return &tokenCache{max: max, m: make(map[[sha256.Size]byte]cachedToken)}
}

// get returns the principal of a cached token that has not expired at now.
func (c *tokenCache) get(sum [sha256.Size]byte, now time.Time) (*Token, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.RLock()
	e, ok := c.m[sum]
	c.mu.RUnlock()
	if !ok || !now.Before(e.exp) {
		return nil, false
	}
	return e.t, true
}

// put remembers a verified token until exp.
func (c *tokenCache) put(sum [sha256.Size]byte, t *Token, exp, now time.Time) {
	if c == nil || c.max == 0 || !now.Before(exp) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[sum]; !ok && len(c.m) >= c.max {
		for k, e := range c.m {
			if !now.Before(e.exp) {
				delete(c.m, k)
			}
		}
		for k := range c.m {
			if len(c.m) < c.max-c.max/8 {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[sum] = cachedToken{t: t, exp: exp}
}

// len returns the number of entries, for tests.
func (c *tokenCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
