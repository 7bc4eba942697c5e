package sqlstore

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// feedState is a Store's change-feed configuration and the wake-ups of
// its waiting consumers.
type feedState struct {
	on     bool
	values bool
	keep   time.Duration // < 0: for ever
	poll   time.Duration
	listen func(ctx context.Context, channel string, notify func()) error

	mu        sync.Mutex
	wake      chan struct{} // closed (and replaced) when events may have been committed
	gen       atomic.Uint64 // wake-ups so far
	claimed   atomic.Uint64 // gen when the last Claim started
	started   bool
	cancel    context.CancelFunc
	done      chan struct{}
	lastPrune atomic.Int64 // Unix ns of the last PruneFeed from Claim
}

func (f *feedState) init(cfg FeedConfig) {
	f.on = cfg.Enabled
	f.values = cfg.Values
	f.keep = cfg.Retention
	if f.keep == 0 {
		f.keep = DefaultFeedRetention
	}
	f.poll = cfg.PollInterval
	if f.poll <= 0 {
		f.poll = time.Second
	}
	f.listen = cfg.Listen
	f.wake = make(chan struct{})
}

// notify wakes every Wait.
func (f *feedState) notify() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gen.Add(1)
	if f.wake != nil {
		close(f.wake)
	}
	f.wake = make(chan struct{})
}

// waitChan returns the channel the next notify closes, starting the
// listener the first time (channel is the NOTIFY channel).
func (f *feedState) waitChan(channel string) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.started && f.listen != nil {
		f.started = true
		ctx, cancel := context.WithCancel(context.Background())
		f.cancel, f.done = cancel, make(chan struct{})
		go f.listenLoop(ctx, channel)
	}
	return f.wake
}

// listenLoop runs listen until the Store closes, again after each
// failure (after a pause, growing to PollInterval × 10).
func (f *feedState) listenLoop(ctx context.Context, channel string) {
	defer close(f.done)
	pause := 50 * time.Millisecond
	for ctx.Err() == nil {
		// An error ends the connection: consumers poll meanwhile, and
		// are woken once it listens again.
		began := time.Now()
		_ = f.listen(ctx, channel, f.notify)
		if ctx.Err() != nil {
			return
		}
		f.notify()
		if time.Since(began) > time.Minute {
			pause = 50 * time.Millisecond // it had been up a while: try again soon
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(pause*2, f.poll*10)
	}
}

// stop ends the listener, if it runs.
func (f *feedState) stop() {
	f.mu.Lock()
	cancel, done := f.cancel, f.done
	f.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}
