package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scimkit/store"
)

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, typ, id, ifMatch string) (err error) {
	defer s.classify(ctx, "Delete", &err)
	tenant, err := tenantOf(ctx)
	if err != nil {
		return err
	}
	if err := checkType(typ); err != nil {
		return err
	}
	if !storable(id) {
		return notFound(typ, id)
	}
	want := s.wantEvents(ctx)
	var evs []store.Event
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		// Lock the groups that list it before the resource itself: an
		// Update or PatchMembers holds a group and then takes its members'
		// rows, so this order cannot deadlock with them.
		if s.d.forUpdate != "" {
			rows, err := tx.QueryContext(ctx, s.sql(`SELECT id FROM scimkit_resources
				WHERE tenant = ? AND type = 'Group' AND id IN (SELECT group_id FROM scimkit_members WHERE tenant = ? AND member_id = ?)
				ORDER BY id`+s.d.forUpdate), tenant, tenant, id)
			if err != nil {
				return fmt.Errorf("sqlstore: deleting %s %s: %w", typ, id, err)
			}
			rows.Close()
		}
		var before *store.Resource
		if want {
			// The whole resource, for the events: its document, and a
			// user's groups, each of which loses a member.
			r, err := s.load(ctx, tx, tenant, typ, id, true)
			if err != nil {
				return err
			}
			before = r
		} else {
			var version int64
			err := tx.QueryRowContext(ctx, s.sql(`SELECT version FROM scimkit_resources WHERE tenant = ? AND type = ? AND id = ?`+s.d.forUpdate), tenant, typ, id).Scan(&version)
			if errors.Is(err, sql.ErrNoRows) {
				return notFound(typ, id)
			}
			if err != nil {
				return fmt.Errorf("sqlstore: deleting %s %s: %w", typ, id, err)
			}
			before = &store.Resource{ID: id, Version: strconv.FormatInt(version, 10)}
		}
		if err := checkVersion(before, ifMatch); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.sql(`DELETE FROM scimkit_resources WHERE tenant = ? AND type = ? AND id = ?`), tenant, typ, id); err != nil {
			return fmt.Errorf("sqlstore: deleting %s %s: %w", typ, id, err)
		}
		if _, err := tx.ExecContext(ctx, s.sql(`DELETE FROM scimkit_unique WHERE tenant = ? AND type = ? AND id = ?`), tenant, typ, id); err != nil {
			return fmt.Errorf("sqlstore: deleting %s %s: %w", typ, id, err)
		}
		// Every group it was in changes.
		ns := s.stamp()
		left, err := s.leaveGroups(ctx, tx, tenant, id, ns)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.sql(`DELETE FROM scimkit_members WHERE tenant = ? AND (member_id = ? OR group_id = ?)`), tenant, id, id); err != nil {
			return fmt.Errorf("sqlstore: deleting the memberships of %s: %w", id, err)
		}
		if want {
			// Deleted, then the member leaving each group it was in (a
			// user's or a group's), with the group's new version.
			before.Groups = nil
			evs = store.Changes(before, nil)
			for _, g := range left {
				evs = append(evs, store.MemberEvent(store.MemberRemoved, g.id, g.version, store.Member{Value: id, Type: typ, Display: before.Display}))
			}
			store.StampEvents(ctx, time.Unix(0, ns).UTC(), evs)
			if err := s.appendEvents(ctx, tx, tenant, ns, evs); err != nil {
				return fmt.Errorf("sqlstore: deleting %s %s: %w", typ, id, err)
			}
		}
		return nil
	})
	if err == nil && want {
		s.committed(ctx, evs)
	}
	return err
}

// groupVersion is a group and its version.
type groupVersion struct{ id, version string }

// leaveGroups gives every group that lists member a new version, at ns,
// and returns them with it, by id. (The caller removes the memberships.)
func (s *Store) leaveGroups(ctx context.Context, tx *sql.Tx, tenant, member string, ns int64) ([]groupVersion, error) {
	rows, err := tx.QueryContext(ctx, s.sql(`UPDATE scimkit_resources SET version = version + 1, modified_ns = ?
		WHERE tenant = ? AND type = 'Group' AND id IN (SELECT group_id FROM scimkit_members WHERE tenant = ? AND member_id = ?)
		RETURNING id, version`), ns, tenant, tenant, member)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: updating the groups of %s: %w", member, err)
	}
	defer rows.Close()
	var gs []groupVersion
	for rows.Next() {
		var g groupVersion
		var v int64
		if err := rows.Scan(&g.id, &v); err != nil {
			return nil, fmt.Errorf("sqlstore: updating the groups of %s: %w", member, err)
		}
		g.version = strconv.FormatInt(v, 10)
		gs = append(gs, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: updating the groups of %s: %w", member, err)
	}
	slices.SortFunc(gs, func(a, b groupVersion) int { return strings.Compare(a.id, b.id) })
	return gs, nil
}
