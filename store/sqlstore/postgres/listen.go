package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Listener returns a function for sqlstore.FeedConfig.Listen: it opens a
// connection of its own to dsn (outside the pool: LISTEN holds it),
// listens on the channel, calls notify once it listens (events may have
// been committed before) and then for each notification, until ctx is
// done or the connection fails. Open sets it when the feed is enabled
// and Listen is nil.
func Listener(dsn string) func(ctx context.Context, channel string, notify func()) error {
	return func(ctx context.Context, channel string, notify func()) error {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return fmt.Errorf("postgres: feed listener: %w", err)
		}
		defer conn.Close(context.WithoutCancel(ctx))
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
			return fmt.Errorf("postgres: feed listener: %w", err)
		}
		notify()
		for {
			if _, err := conn.WaitForNotification(ctx); err != nil {
				return fmt.Errorf("postgres: feed listener: %w", err)
			}
			notify()
		}
	}
}
