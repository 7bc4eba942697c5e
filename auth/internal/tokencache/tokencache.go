// Package tokencache remembers verified bearer tokens, keyed by their
// SHA-256, until they expire: the Entra and OAuth authenticators skip
// parsing and signature checks for a token they have seen.
//
// A Cache holds at most max entries. Only verified tokens enter it, so an
// attacker cannot fill it; when it is full, expired entries are dropped,
// then arbitrary ones (Go's map iteration order) until it is 7/8 full,
// which keeps the cost of a full cache amortised O(1) per insertion.
package tokencache

import (
	"crypto/sha256"
	"sync"
	"time"
)

// Cache maps token hashes to what their verification yielded. The nil
// *Cache is valid and caches nothing.
type Cache[V any] struct {
	max int

	mu sync.RWMutex
	m  map[[sha256.Size]byte]entry[V]
}

type entry[V any] struct {
	v   V
	exp time.Time
}

// New returns a cache of max entries, or nil (no caching) when max < 0.
func New[V any](max int) *Cache[V] {
	if max < 0 {
		return nil
	}
	return &Cache[V]{max: max, m: make(map[[sha256.Size]byte]entry[V])}
}

// Get returns the value of a cached token that has not expired at now.
func (c *Cache[V]) Get(sum [sha256.Size]byte, now time.Time) (V, bool) {
	var zero V
	if c == nil {
		return zero, false
	}
	c.mu.RLock()
	e, ok := c.m[sum]
	c.mu.RUnlock()
	if !ok || !now.Before(e.exp) {
		return zero, false
	}
	return e.v, true
}

// Put remembers a verified token's value until exp.
func (c *Cache[V]) Put(sum [sha256.Size]byte, v V, exp, now time.Time) {
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
	c.m[sum] = entry[V]{v: v, exp: exp}
}

// Len returns the number of entries.
func (c *Cache[V]) Len() int {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
