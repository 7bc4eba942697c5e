package main

import (
	"context"
	"database/sql"
	"log/slog"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// accessHooks is how the product reacts to provisioning, in the request
// that provisions: its AfterWrite is scim.Config.Hooks's After (through
// scim.HookFuncs). A user deactivated (Entra's PATCH active "False") or
// deleted loses its login sessions at once, instead of at their next
// expiry. It runs after the write is committed, so a refused or failed
// write ends no session.
//
// A hook is in-process: a crash between the commit and AfterWrite leaves
// the sessions until they expire; a product that cannot accept that reads
// a store.Feed instead. (The seat limit is not a hook: seats.go says why.)
type accessHooks struct {
	DB      *sql.DB
	Dialect dialect
	Logger  *slog.Logger // nil: slog.Default()
}

func (h *accessHooks) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}

// AfterWrite is a scim.Hooks AfterWrite: deactivated and deleted users lose
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
