package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"

	"github.com/scimkit/scimkit/scim"
)

// The seat limit: with seats > 0, a tenant has at most seats active users.
// Creating an active user, or reactivating one, beyond it is refused with
// 403 "seat limit reached" and nothing is stored; Entra logs the detail
// and tries again in its next cycle, when a seat may be free. Creating a
// disabled user is always allowed.
//
// It is enforced in the Store's own transaction, not in a
// scim.Hooks.BeforeWrite: a hook runs before the Store's transaction (or
// beside it, on another connection), so two creates racing for the last
// seat would both count one free and both get it. Here the transaction
// first locks the tenant's row in tenants, then counts and writes: a
// tenant's seat-taking writes run one after the other, and the count each
// one reads is the count it commits against.

// takeSeat refuses, within tx, a write that makes a user of tenant active
// when every seat is taken. The caller calls it only for such a write
// (a create of an active user; a reactivation), before the write, and
// the user is not counted yet: it is not inserted, or not active.
func (s *accountStore) takeSeat(ctx context.Context, tx *sql.Tx, tenant string) error {
	// The upsert writes the tenant's row if it is new and, either way,
	// holds its lock until tx ends (PostgreSQL; SQLite's BEGIN IMMEDIATE
	// holds the database's write lock already).
	if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO tenants (tenant) VALUES (?)
		ON CONFLICT (tenant) DO UPDATE SET tenant = excluded.tenant`), tenant); err != nil {
		return s.fault(err)
	}
	var used int
	if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM accounts WHERE tenant = ? AND (active IS NULL OR active = ?)`),
		tenant, true).Scan(&used); err != nil {
		return s.fault(err)
	}
	if used >= s.seats {
		return &scim.Error{Status: http.StatusForbidden, Detail: fmt.Sprintf(
			"seat limit reached: %d of %d seats are taken by active users; deactivate one or buy more seats", used, s.seats)}
	}
	return nil
}

// takesSeat reports whether a write that leaves a user active (now) when
// it was not (was; false for a create) must take a seat.
func (s *accountStore) takesSeat(was, now bool) bool {
	return s.seats > 0 && now && !was
}
