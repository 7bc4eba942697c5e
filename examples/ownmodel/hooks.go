package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// accessHooks is how the product reacts to provisioning, in the request
// that provisions (scim.Hooks; set in scim.Config.Hooks):
//
//   - AfterWrite: a user deactivated (Entra's PATCH active "False") or
//     deleted loses its login sessions at once, instead of at their next
//     expiry. It runs after the write is committed, so a refused or failed
//     write ends no session.
//   - BeforeWrite: with Seats > 0, a create of an active user, or the
//     reactivation of one, beyond Seats active users is refused with 403
//     "seat limit reached", and nothing is stored. Entra logs the detail
//     and retries in its next cycle, when a seat may be free.
//
// Simplified, and said so: the seat count is read outside the Store's
// transaction, so two creates racing for the last seat may both get it.
// A product that must never exceed the limit keeps a seats row and
// decrements it in the Store's own transaction. For a reactivation the
// Handler calls BeforeWrite inside the Store's Update, which holds a
// connection for its transaction while the count takes another: do not
// cap the pool (sql.DB.SetMaxOpenConns) below the concurrent writes you
// serve. And a hook is in-process:
// a crash between the commit and AfterWrite leaves the sessions until they
// expire; a product that cannot accept that reads a store.Feed instead.
type accessHooks struct {
	DB      *sql.DB
	Dialect dialect
	Seats   int          // active users allowed per tenant; 0: no limit
	Logger  *slog.Logger // nil: slog.Default()
}

var _ scim.Hooks = (*accessHooks)(nil)

func (h *accessHooks) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}

// BeforeWrite implements scim.Hooks: the seat limit.
func (h *accessHooks) BeforeWrite(ctx context.Context, c *scim.Change) error {
	if h.Seats <= 0 || c.Type != store.User || c.After == nil || !isActive(c.After) {
		return nil
	}
	if c.Before != nil && isActive(c.Before) {
		return nil // already holds a seat
	}
	tenant, err := tenantOf(ctx)
	if err != nil {
		return err
	}
	used, err := h.activeUsers(ctx, tenant)
	if err != nil {
		return err
	}
	if used >= h.Seats {
		return &scim.Error{Status: 403, Detail: fmt.Sprintf(
			"seat limit reached: %d of %d seats are taken by active users; deactivate one or buy more seats", used, h.Seats)}
	}
	return nil
}

// activeUsers counts the tenant's active accounts, as the product reads
// the active column (NULL counts as active).
func (h *accessHooks) activeUsers(ctx context.Context, tenant string) (int, error) {
	var n int
	err := h.DB.QueryRowContext(ctx, h.Dialect.rebind(`SELECT COUNT(*) FROM accounts WHERE tenant = ? AND (active IS NULL OR active = ?)`), tenant, true).Scan(&n)
	if err != nil {
		if unavailable(err) {
			return 0, &store.UnavailableError{Op: "seat count", Err: err}
		}
		return 0, fmt.Errorf("ownmodel: counting seats: %w", err)
	}
	return n, nil
}

// AfterWrite implements scim.Hooks: deactivated and deleted users lose
// their sessions.
func (h *accessHooks) AfterWrite(ctx context.Context, c *scim.Change) {
	for _, e := range c.Events {
		if e.Type != store.User || (e.Kind != store.Deactivated && e.Kind != store.Deleted) {
			continue
		}
		tenant := e.Tenant
		if tenant == "" {
			tenant, _ = store.Tenant(ctx)
		}
		// The write is committed: finish even if the client hangs up now.
		n, err := revokeSessions(context.WithoutCancel(ctx), h.DB, h.Dialect, tenant, e.ResourceID)
		if err != nil {
			h.logger().ErrorContext(ctx, "revoking sessions failed", "user", e.ResourceID, "event", e.Kind, "request_id", c.RequestID, "err", err)
			continue
		}
		h.logger().InfoContext(ctx, "sessions revoked", "user", e.ResourceID, "event", e.Kind, "sessions", n, "request_id", c.RequestID)
	}
}

// isActive reports whether r's attributes say active (absent: active).
func isActive(r *store.Resource) bool {
	var v struct {
		Active *bool `json:"active"`
	}
	if json.Unmarshal(r.Attributes, &v) != nil || v.Active == nil {
		return true
	}
	return *v.Active
}
