package oauth

import (
	"errors"
	"testing"
	"time"
)

// TestReplayCacheFailsClosed: each assertion id is accepted once while it
// lives; a full cache refuses new ids rather than forget a live one, and
// makes room as they expire.
func TestReplayCacheFailsClosed(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	c := newReplayCache(2)
	if err := c.add("a", now.Add(time.Minute), now); err != nil {
		t.Fatal(err)
	}
	if err := c.add("a", now.Add(time.Minute), now.Add(30*time.Second)); !errors.Is(err, ErrReplayedAssertion) {
		t.Errorf("a replayed while it lives: %v, want ErrReplayedAssertion", err)
	}
	if err := c.add("b", now.Add(2*time.Minute), now); err != nil {
		t.Fatal(err)
	}
	if err := c.add("c", now.Add(time.Minute), now); !errors.Is(err, ErrReplayCacheFull) {
		t.Errorf("a third id in a cache of 2 live ids: %v, want ErrReplayCacheFull", err)
	}
	// a expires at +1 min: its place is taken, and it may come again.
	later := now.Add(time.Minute)
	if err := c.add("c", later.Add(time.Minute), later); err != nil {
		t.Errorf("c once a expired: %v", err)
	}
	if err := c.add("b", now.Add(2*time.Minute), later); !errors.Is(err, ErrReplayedAssertion) {
		t.Errorf("b, still alive, again: %v", err)
	}
}
