package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/scimkit/scimkit/store"
)

// accountStore is a store.Store over the product's own tables
// (schema.go): users are accounts, groups are teams. This is the file a
// team adapts to plug scimkit into the users it already has; accounts.go
// and teams.go say which attribute goes in which column.
//
// Every method is scoped to the tenant of its context (a tenant column on
// every table). Writes are transactions; an Update reads the row locked
// (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE locks the whole
// database), so no concurrent write is lost. Uniqueness is the database's
// unique indexes, so two concurrent creates of one userName cannot both
// succeed.
//
// Simplified, and said so: only User and Group are stored (other resource
// types are store.ErrUnsupportedType, answered 501); List filters in SQL
// only for the lookups Entra and Okta make (list.go).
type accountStore struct {
	db *sql.DB
	d  dialect

	// now is the clock. Times are stored at microsecond precision, which
	// both databases keep.
	now func() time.Time

	// maxScan bounds how many rows a List reads to match a filter the
	// database cannot answer (list.go).
	maxScan int

	// seats is the number of active users a tenant may have (seats.go);
	// 0: no limit.
	seats int
}

var (
	_ store.Store       = (*accountStore)(nil)
	_ store.CursorPager = (*accountStore)(nil)
)

// newAccountStore returns a store over db, whose tables createTables made.
func newAccountStore(db *sql.DB, d dialect) *accountStore {
	return &accountStore{db: db, d: d, now: time.Now, maxScan: 10000}
}

func (s *accountStore) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func tenantOf(ctx context.Context) (string, error) {
	t, ok := store.Tenant(ctx)
	if !ok {
		return "", store.ErrNoTenant
	}
	return t, nil
}

func notFound(typ, id string) error { return fmt.Errorf("%w: %s %s", store.ErrNotFound, typ, id) }

func unsupported(typ string) error {
	// The product models users and teams only: a resource type of
	// another kind registered with the Handler is not stored here.
	return fmt.Errorf("ownmodel: %w: %q", store.ErrUnsupportedType, typ)
}

// inTx runs fn in a transaction, committed when fn returns nil. A
// transaction PostgreSQL aborted as a deadlock victim runs again, up to
// three times (fn, and the Update function it calls, must allow that).
func (s *accountStore) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.tryTx(ctx, fn)
		if attempt == 3 || !retryable(err) {
			return err
		}
	}
}

func (s *accountStore) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fault(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return s.fault(tx.Commit())
}

// Create implements store.Store.
func (s *accountStore) Create(ctx context.Context, r *store.Resource) (*store.Resource, error) {
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	switch r.Type {
	case store.User:
		a := account{ID: store.NewID(), Tenant: tenant, Created: now, Updated: now, Revision: 1}
		if err := a.setFromSCIM(r); err != nil {
			return nil, err
		}
		insert := func(q querier) error {
			_, err := q.ExecContext(ctx, s.d.rebind(`INSERT INTO accounts (`+accountColumns+`, user_name_key)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				a.ID, a.Tenant, a.UserName, a.ExternalID, a.DisplayName, a.GivenName, a.FamilyName,
				a.Email, a.Active, a.ManagerID, a.Extra, a.Created, a.Updated, a.Revision, a.userNameKey())
			if isUnique(err) {
				return &store.ConflictError{Attribute: "userName", Value: a.UserName}
			}
			return s.fault(err)
		}
		if s.takesSeat(false, a.isActive()) {
			err = s.inTx(ctx, func(tx *sql.Tx) error {
				if err := s.takeSeat(ctx, tx, tenant); err != nil {
					return err
				}
				return insert(tx)
			})
		} else {
			err = insert(s.db)
		}
		if err != nil {
			return nil, err
		}
		return a.resource(nil)
	case store.Group:
		t := team{ID: store.NewID(), Tenant: tenant, Created: now, Updated: now, Revision: 1}
		if err := t.setFromSCIM(r); err != nil {
			return nil, err
		}
		var out *store.Resource
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			members, err := s.resolveMembers(ctx, tx, tenant, r.Members)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, s.d.rebind(`INSERT INTO teams (`+teamColumns+`, name_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				t.ID, t.Tenant, t.Name, t.ExternalID, t.Extra, t.Created, t.Updated, t.Revision, t.nameKey())
			if isUnique(err) {
				return &store.ConflictError{Attribute: "displayName", Value: t.Name}
			}
			if err != nil {
				return s.fault(err)
			}
			if err := s.writeMembers(ctx, tx, t.ID, members); err != nil {
				return err
			}
			out, err = s.readTeam(ctx, tx, tenant, t.ID, "")
			return err
		})
		return out, err
	}
	return nil, unsupported(r.Type)
}

// readAccount reads one account, with lock appended to the SELECT.
func (s *accountStore) readAccount(ctx context.Context, q querier, tenant, id, lock string) (*account, error) {
	var a account
	err := a.scan(q.QueryRowContext(ctx, s.d.rebind(`SELECT `+accountColumns+` FROM accounts WHERE tenant = ? AND id = ?`+lock), tenant, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(store.User, id)
	}
	if err != nil {
		return nil, s.fault(err)
	}
	return &a, nil
}

func (s *accountStore) readUser(ctx context.Context, q querier, tenant, id, lock string) (*store.Resource, error) {
	a, err := s.readAccount(ctx, q, tenant, id, lock)
	if err != nil {
		return nil, err
	}
	groups, err := s.loadGroups(ctx, q, []string{id})
	if err != nil {
		return nil, err
	}
	return a.resource(groups[id])
}

func (s *accountStore) readTeam(ctx context.Context, q querier, tenant, id, lock string) (*store.Resource, error) {
	var t team
	err := t.scan(q.QueryRowContext(ctx, s.d.rebind(`SELECT `+teamColumns+` FROM teams WHERE tenant = ? AND id = ?`+lock), tenant, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(store.Group, id)
	}
	if err != nil {
		return nil, s.fault(err)
	}
	members, err := s.loadMembers(ctx, q, []string{id})
	if err != nil {
		return nil, err
	}
	return t.resource(members[id])
}

// Get implements store.Store.
func (s *accountStore) Get(ctx context.Context, typ, id string) (*store.Resource, error) {
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	switch typ {
	case store.User:
		return s.readUser(ctx, s.db, tenant, id, "")
	case store.Group:
		return s.readTeam(ctx, s.db, tenant, id, "")
	}
	return nil, notFound(typ, id)
}

// Update implements store.Store: read locked, let fn change a copy, write
// it back, in one transaction.
func (s *accountStore) Update(ctx context.Context, typ, id, ifMatch string, fn func(*store.Resource) error) (*store.Resource, error) {
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	if typ != store.User && typ != store.Group {
		return nil, notFound(typ, id)
	}
	var out *store.Resource
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var cur *store.Resource
		var err error
		if typ == store.User {
			cur, err = s.readUser(ctx, tx, tenant, id, s.d.forUpdate)
		} else {
			cur, err = s.readTeam(ctx, tx, tenant, id, s.d.forUpdate)
		}
		if err != nil {
			return err
		}
		if !store.VersionMatches(ifMatch, cur.Version) {
			return store.ErrPrecondition
		}
		revision, _ := strconv.ParseInt(cur.Version, 10, 64)
		created := cur.Created
		wasActive := typ == store.User && isActive(cur)
		if err := fn(cur); err != nil {
			return err
		}
		now := s.clock()
		if typ == store.User {
			a := account{ID: id, Tenant: tenant, Created: created, Updated: now, Revision: revision + 1}
			if err := a.setFromSCIM(cur); err != nil {
				return err
			}
			if s.takesSeat(wasActive, a.isActive()) {
				if err := s.takeSeat(ctx, tx, tenant); err != nil {
					return err
				}
			}
			_, err = tx.ExecContext(ctx, s.d.rebind(`UPDATE accounts SET user_name = ?, user_name_key = ?,
				external_id = ?, display_name = ?, given_name = ?, family_name = ?, email = ?, active = ?,
				manager_id = ?, scim_extra = ?, updated = ?, revision = ? WHERE id = ?`),
				a.UserName, a.userNameKey(), a.ExternalID, a.DisplayName, a.GivenName, a.FamilyName, a.Email,
				a.Active, a.ManagerID, a.Extra, a.Updated, a.Revision, id)
			if isUnique(err) {
				return &store.ConflictError{Attribute: "userName", Value: a.UserName}
			}
			if err != nil {
				return s.fault(err)
			}
			out, err = s.readUser(ctx, tx, tenant, id, "")
			return err
		}
		t := team{ID: id, Tenant: tenant, Created: created, Updated: now, Revision: revision + 1}
		if err := t.setFromSCIM(cur); err != nil {
			return err
		}
		members, err := s.resolveMembers(ctx, tx, tenant, cur.Members)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.d.rebind(`UPDATE teams SET name = ?, name_key = ?, external_id = ?,
			scim_extra = ?, updated = ?, revision = ? WHERE id = ?`),
			t.Name, t.nameKey(), t.ExternalID, t.Extra, t.Updated, t.Revision, id)
		if isUnique(err) {
			return &store.ConflictError{Attribute: "displayName", Value: t.Name}
		}
		if err != nil {
			return s.fault(err)
		}
		if err := s.writeMembers(ctx, tx, id, members); err != nil {
			return err
		}
		out, err = s.readTeam(ctx, tx, tenant, id, "")
		return err
	})
	return out, err
}

// Delete implements store.Store. The foreign keys of team_members remove
// the memberships; the teams that lose a member get a new version first.
func (s *accountStore) Delete(ctx context.Context, typ, id, ifMatch string) error {
	tenant, err := tenantOf(ctx)
	if err != nil {
		return err
	}
	table, memberColumn := "accounts", "account_id"
	switch typ {
	case store.User:
	case store.Group:
		table, memberColumn = "teams", "member_team_id"
	default:
		return notFound(typ, id)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// Lock order: the teams first, then the row deleted, as an
		// Update of a team does (the team, then, through the foreign key,
		// its members); the opposite order deadlocks with it.
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE teams SET revision = revision + 1, updated = ?
			WHERE id IN (SELECT team_id FROM team_members WHERE `+memberColumn+` = ?)`), s.clock(), id); err != nil {
			return s.fault(err)
		}
		var revision int64
		err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT revision FROM `+table+` WHERE tenant = ? AND id = ?`+s.d.forUpdate), tenant, id).Scan(&revision)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound(typ, id) // rolls the teams' new versions back
		}
		if err != nil {
			return s.fault(err)
		}
		if !store.VersionMatches(ifMatch, strconv.FormatInt(revision, 10)) {
			return store.ErrPrecondition
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM `+table+` WHERE id = ?`), id); err != nil {
			return s.fault(err)
		}
		return nil
	})
}

// PagesByCursor implements store.CursorPager: List pages by cursor.
func (s *accountStore) PagesByCursor() bool { return true }
