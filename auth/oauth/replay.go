package oauth

import (
	"sync"
	"time"
)

// replayCache remembers the ids of the client assertions accepted until
// they expire, so that each is accepted once. Only verified assertions
// (signed by Entra) enter it; it holds at most max ids, and when it is
// full of unexpired ones it refuses new assertions rather than forget one
// (which would let it be replayed).
type replayCache struct {
	max int

	mu sync.Mutex
	m  map[string]time.Time // id → until
}

func newReplayCache(max int) *replayCache {
	return &replayCache{max: max, m: make(map[string]time.Time)}
}

// add records id until, and returns ErrReplayedAssertion when it is
// already recorded and unexpired at now, or ErrReplayCacheFull.
func (c *replayCache) add(id string, until, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u, ok := c.m[id]; ok && now.Before(u) {
		return ErrReplayedAssertion
	}
	if len(c.m) >= c.max {
		for k, u := range c.m {
			if !now.Before(u) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= c.max {
			return ErrReplayCacheFull
		}
	}
	c.m[id] = until
	return nil
}
