package oauth

import (
	"container/list"
	"net/netip"
	"sync"
	"time"
)

// RateLimit limits failed client authentications: a key (a client id, a
// source address) may fail Burst times in a row, then once per Every; while
// it is over its limit, the token endpoint answers 429 without checking
// the credentials (no hash is computed).
type RateLimit struct {
	Burst int           // zero: the default of the Config field
	Every time.Duration // zero: the default of the Config field
}

// limiter is a set of token buckets of failures, one per key, in a
// bounded LRU: when it holds max keys, the least recently failed key is
// forgotten. Keys are client ids that exist in the registry and source
// addresses (IPv6 by /64), so an attacker fills it only from as many
// addresses as it evicts.
type limiter struct {
	burst float64
	every time.Duration
	max   int

	mu  sync.Mutex
	m   map[string]*list.Element
	lru list.List // of *bucket; front: most recent
}

type bucket struct {
	key    string
	tokens float64
	last   time.Time
}

func newLimiter(rl RateLimit, defBurst int, defEvery time.Duration, max int) *limiter {
	if rl.Burst <= 0 {
		rl.Burst = defBurst
	}
	if rl.Every <= 0 {
		rl.Every = defEvery
	}
	return &limiter{burst: float64(rl.Burst), every: rl.Every, max: max, m: make(map[string]*list.Element)}
}

// refill brings b up to now. l.mu is held.
func (l *limiter) refill(b *bucket, now time.Time) {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(l.burst, b.tokens+float64(d)/float64(l.every))
	}
	b.last = now
}

// allowed reports whether key may try again at now, and else how long it
// has to wait.
func (l *limiter) allowed(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.m[key]
	if e == nil {
		return true, 0
	}
	b := e.Value.(*bucket)
	l.refill(b, now)
	if b.tokens >= 1 {
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) * float64(l.every))
}

// fail counts a failure of key at now.
func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.m[key]
	if e == nil {
		if len(l.m) >= l.max {
			old := l.lru.Back()
			l.lru.Remove(old)
			delete(l.m, old.Value.(*bucket).key)
		}
		e = l.lru.PushFront(&bucket{key: key, tokens: l.burst, last: now})
		l.m[key] = e
	} else {
		l.lru.MoveToFront(e)
	}
	b := e.Value.(*bucket)
	l.refill(b, now)
	b.tokens = max(b.tokens-1, 0)
}

// len returns the number of keys (for tests).
func (l *limiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}

// addrKey is the rate-limit key of a source address: the IP, or its /64
// for IPv6 (one customer's network, usually); s itself when it is not an
// address.
func addrKey(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		if ap, err2 := netip.ParseAddrPort(s); err2 == nil {
			a = ap.Addr()
		} else {
			if len(s) > 64 {
				s = s[:64]
			}
			return s
		}
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
