package authtest_test

import (
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth/authtest"
)

func TestClock(t *testing.T) {
	at := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	c := authtest.NewClock(at)
	if got := c.Now(); !got.Equal(at) {
		t.Fatalf("Now() = %v, want %v", got, at)
	}
	c.Add(90 * time.Minute)
	if got, want := c.Now(), at.Add(90*time.Minute); !got.Equal(want) {
		t.Errorf("after Add(90m): %v, want %v", got, want)
	}
}
