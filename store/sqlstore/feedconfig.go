package sqlstore

import (
	"context"
	"time"
)

// FeedConfig configures the change feed (store.Feed): see the package
// documentation's "Change feed" section. The zero value is a Store
// without a feed, whose writes cost what they cost before there was one.
type FeedConfig struct {
	// Enabled makes every write insert its events (store.Changes) in the
	// same statement or transaction as the change, and the Store's
	// Claim, Ack and Wait serve them.
	Enabled bool

	// Retention is how long events are kept, acknowledged or not: older
	// ones are deleted by PruneFeed, which Claim calls at most once a
	// minute. Zero means DefaultFeedRetention; a negative Retention keeps
	// events for ever.
	Retention time.Duration

	// Values keeps each event's Before and After documents (the
	// resource's attributes before and after the change). Off, events
	// carry the changed Paths but not the values.
	Values bool

	// PollInterval bounds how long Wait blocks without a notification:
	// SQLite consumers poll at this interval, and PostgreSQL consumers
	// use it while the LISTEN connection is down and to retake leases
	// that expired. Zero means one second.
	PollInterval time.Duration

	// Listen, when set, subscribes to the notifications the writes send
	// on channel (PostgreSQL's NOTIFY, sent on commit): it calls notify
	// for each, and returns when ctx is done or its connection fails
	// (the Store then calls it again, after a pause). postgres.Open sets
	// it with a connection of its own; sqlstore links no driver.
	Listen func(ctx context.Context, channel string, notify func()) error
}

// DefaultFeedRetention is how long events are kept when
// FeedConfig.Retention is zero.
const DefaultFeedRetention = 7 * 24 * time.Hour

// pruneEvery is how often Claim prunes expired events, at most.
const pruneEvery = time.Minute

// pruneBatch bounds the events one PruneFeed deletes.
const pruneBatch = 1000
