package tokencache

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestTokenCacheBounds(t *testing.T) {
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	c := New[string](100)
	sum := func(i int) [sha256.Size]byte { return sha256.Sum256(fmt.Appendf(nil, "token-%d", i)) }
	for i := range 1000 {
		c.Put(sum(i), "t", now.Add(time.Hour), now)
		if c.Len() > 100 {
			t.Fatalf("%d entries after %d puts, want at most 100", c.Len(), i+1)
		}
		if i == 100 && c.Len() != 88 {
			// Full: the 101st put drops entries until 7/8 are left (87),
			// then adds its own.
			t.Fatalf("%d entries after the put that found the cache full, want 88", c.Len())
		}
	}
	if _, ok := c.Get(sum(999), now); !ok {
		t.Error("the latest token is not cached")
	}
	if _, ok := c.Get(sum(999), now.Add(time.Hour)); ok {
		t.Error("a token is served from the cache at its exp")
	}
	c.Put(sum(5000), "", now, now) // already expired: not cached
	if _, ok := c.Get(sum(5000), now.Add(-time.Second)); ok {
		t.Error("an expired token entered the cache")
	}
	// Once the cache is full, expired entries go first.
	for i := 10000; c.Len() < 100; i++ {
		c.Put(sum(i), "t", now.Add(time.Hour), now)
	}
	later := now.Add(2 * time.Hour)
	c.Put(sum(6000), "u", later.Add(time.Hour), later)
	if c.Len() != 1 {
		t.Errorf("%d entries, want 1 once the others expired", c.Len())
	}
	if New[string](-1) != nil {
		t.Error("a negative size does not disable the cache")
	}
	var none *Cache[string]
	none.Put(sum(1), "", later, now)
	if _, ok := none.Get(sum(1), now); ok {
		t.Error("the nil cache cached")
	}

	// Concurrent use (go test -race).
	c = New[string](64)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				c.Put(sum(g*1000+i), "t", now.Add(time.Hour), now)
				c.Get(sum(g*1000+i/2), now)
			}
		})
	}
	wg.Wait()
	if c.Len() > 64 {
		t.Errorf("%d entries, want at most 64", c.Len())
	}
}
