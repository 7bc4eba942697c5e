package authtest

import (
	"sync"
	"time"
)

// Clock is a clock a test moves by hand. Give its Now to the Issuer
// (Options.Clock) and to the authenticator under test (entra.Config.Clock,
// oauth.Config.Now …), and tokens expire, keys refresh and rate limits
// reset when the test says so, without sleeping.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock that reads t until it is moved.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
