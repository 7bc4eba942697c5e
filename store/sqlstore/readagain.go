package sqlstore

import (
	"context"
	"errors"

	"github.com/scimkit/scimkit/store"
)

// readAttempts bounds how often a read runs when the database fails it.
const readAttempts = 4

// readAgain runs a read (no effect on the database) again while it fails
// for a database fault: a pool may hold several connections the server
// has closed (a restart, a failover, pg_terminate_backend), each of which
// fails once and is then dropped, so a read usually succeeds on the next.
func (s *Store) readAgain(ctx context.Context, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt == readAttempts || ctx.Err() != nil {
			return err
		}
		if !errors.Is(s.d.unavailable(ctx, "Get", err), store.ErrUnavailable) {
			return err
		}
	}
}
