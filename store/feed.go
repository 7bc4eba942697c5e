package store

import (
	"context"
	"errors"
	"time"
)

// Feed is an optional Store capability: the events of committed writes,
// kept by the Store as part of each write (a transactional outbox: no
// event for a write that was rolled back, none lost for one that was
// committed), for named consumers to read in commit order.
//
// A consumer name stands for one logical consumer, however many replicas
// of a service run it. Claim hands out the events of one tenant at a
// time under a lease, so replicas with the same name share the work but
// never hold the same events at once, and each tenant's events are
// handled in order. A batch that is not acknowledged before its lease
// expires is handed out again: delivery is at least once, and Event.ID
// lets a consumer skip what it has handled. Consumers with different
// names each see every event.
//
// A Feed spans tenants: its methods need no tenant in the context.
type Feed interface {
	// Claim leases up to max of the events of one tenant that consumer
	// has not acknowledged, in Seq order, for the duration lease. It
	// returns a Batch without events when no tenant has events waiting
	// that are not leased to another Claim.
	Claim(ctx context.Context, consumer string, max int, lease time.Duration) (*Batch, error)

	// Ack records that b's events were handled: they are not handed to
	// b.Consumer again, and b's lease ends. It returns ErrLeaseLost when
	// the lease expired and the events were claimed again.
	Ack(ctx context.Context, b *Batch) error

	// Wait blocks until events may have been committed since the last
	// Claim, a Store-defined poll interval passes, or ctx is done (its
	// error is returned then).
	Wait(ctx context.Context) error
}

// Batch is the events a Claim leased.
type Batch struct {
	Consumer string
	Tenant   string
	Events   []Event
	Lease    string    // identifies the lease, for Ack
	Expires  time.Time // when the lease ends unless acknowledged
}

// ErrLeaseLost is returned by Feed.Ack for a batch whose lease expired
// and whose events were claimed again: another claim handles them now
// (or has).
var ErrLeaseLost = errors.New("store: the batch's lease expired and its events were claimed again")

// ErrNoFeed is returned by the Feed methods of a Store whose feed is
// not turned on in its configuration.
var ErrNoFeed = errors.New("store: the change feed is off; turn it on in the Store's Config")

// Consumer reads a Feed in a loop: the usual way to use one.
//
//	c := &store.Consumer{Feed: st, Name: "sessions", Handle: revokeOnDeactivation}
//	go c.Run(ctx)
type Consumer struct {
	Feed Feed
	Name string // the consumer name replicas share

	// Handle handles one batch. When it fails the batch is not
	// acknowledged, and its events are claimed again when its lease
	// expires.
	Handle func(ctx context.Context, b *Batch) error

	BatchSize int           // events per Claim; zero: 100
	Lease     time.Duration // zero: 30 seconds
}

// Run claims, handles and acknowledges batches until ctx is done or
// Handle fails, and returns that error. Between batches it waits on the
// Feed rather than polling.
func (c *Consumer) Run(ctx context.Context) error {
	size, lease := c.BatchSize, c.Lease
	if size <= 0 {
		size = 100
	}
	if lease <= 0 {
		lease = 30 * time.Second
	}
	for {
		b, err := c.Feed.Claim(ctx, c.Name, size, lease)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if len(b.Events) == 0 {
			if err := c.Feed.Wait(ctx); err != nil {
				return err
			}
			continue
		}
		if err := c.Handle(ctx, b); err != nil {
			return err
		}
		if err := c.Feed.Ack(ctx, b); err != nil && !errors.Is(err, ErrLeaseLost) {
			return err
		}
	}
}
