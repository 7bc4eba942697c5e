package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/scimkit/scimkit/store"
)

// resolved is a member checked against the database.
type resolved struct {
	store.Member
	derived string // the display the member would show without one of its own
}

// resolveMembers checks that every member is a user or group of the
// tenant, fills in its type and drops duplicates. In PostgreSQL it locks
// those rows until the transaction ends, so a concurrent Delete of a
// member waits instead of leaving a membership behind.
func (s *Store) resolveMembers(ctx context.Context, q querier, tenant string, members []store.Member) ([]resolved, error) {
	if len(members) == 0 {
		return nil, nil
	}
	found := map[string]resolved{}
	ids := make([]string, 0, len(members))
	seen := map[string]bool{}
	for _, m := range members {
		if !storable(m.Value) {
			continue // no row has such an id: reported unknown below
		}
		if !seen[m.Value] {
			seen[m.Value] = true
			ids = append(ids, m.Value)
		}
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, tenant)
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := q.QueryContext(ctx, s.sql(`SELECT id, type, display_name FROM scimkit_resources
			WHERE tenant = ? AND type IN ('User', 'Group') AND id IN (`+placeholders(len(chunk))+`)`+s.d.forShare), args...)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: resolving members: %w", err)
		}
		for rows.Next() {
			var id, typ, display string
			if err := rows.Scan(&id, &typ, &display); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlstore: resolving members: %w", err)
			}
			found[id] = resolved{Member: store.Member{Value: id, Type: typ}, derived: display}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlstore: resolving members: %w", err)
		}
	}
	var unknown []string
	out := make([]resolved, 0, len(ids))
	done := map[string]bool{}
	for _, m := range members {
		if done[m.Value] {
			continue
		}
		done[m.Value] = true
		f, ok := found[m.Value]
		if !ok {
			unknown = append(unknown, m.Value)
			continue
		}
		f.Display = m.Display
		out = append(out, f)
	}
	if len(unknown) > 0 {
		return nil, &store.InvalidMemberError{IDs: unknown}
	}
	return out, nil
}

// storedDisplay keeps a member's display only when it differs from the
// derived one, so derived names follow renames.
func storedDisplay(m resolved) string {
	if m.Display == m.derived {
		return ""
	}
	return m.Display
}

func (s *Store) addMembers(ctx context.Context, tx *sql.Tx, tenant, groupID string, members []resolved) error {
	for _, m := range members {
		_, err := tx.ExecContext(ctx, s.sql(`INSERT INTO scimkit_members (tenant, group_id, member_id, member_type, display, added_ns)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant, group_id, member_id) DO UPDATE SET display = excluded.display`),
			tenant, groupID, m.Value, m.Type, storedDisplay(m), s.stamp())
		if err != nil {
			return fmt.Errorf("sqlstore: adding member %s: %w", m.Value, err)
		}
	}
	return nil
}

// replaceMembers makes the group's members exactly want, writing only the
// rows that change, and returns want resolved.
func (s *Store) replaceMembers(ctx context.Context, tx *sql.Tx, tenant, groupID string, before, want []store.Member) ([]resolved, error) {
	resolvedWant, err := s.resolveMembers(ctx, tx, tenant, want)
	if err != nil {
		return nil, err
	}
	had := make(map[string]string, len(before))
	for _, m := range before {
		had[m.Value] = m.Display
	}
	keep := map[string]bool{}
	var changed []resolved
	for _, m := range resolvedWant {
		keep[m.Value] = true
		shown := m.Display
		if shown == "" {
			shown = m.derived
		}
		if old, ok := had[m.Value]; !ok || old != shown {
			changed = append(changed, m)
		}
	}
	var gone []string
	for _, m := range before {
		if !keep[m.Value] {
			gone = append(gone, m.Value)
		}
	}
	if err := s.removeMembers(ctx, tx, tenant, groupID, gone); err != nil {
		return nil, err
	}
	return resolvedWant, s.addMembers(ctx, tx, tenant, groupID, changed)
}

func (s *Store) removeMembers(ctx context.Context, tx *sql.Tx, tenant, groupID string, ids []string) error {
	ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !storable(id) }) // not members, surely
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := []any{tenant, groupID}
		for _, id := range chunk {
			args = append(args, id)
		}
		if _, err := tx.ExecContext(ctx, s.sql(`DELETE FROM scimkit_members WHERE tenant = ? AND group_id = ? AND member_id IN (`+placeholders(len(chunk))+`)`), args...); err != nil {
			return fmt.Errorf("sqlstore: removing members: %w", err)
		}
	}
	return nil
}

// PatchMembers implements store.MemberPatcher: one row per member added
// or removed, whatever the size of the group.
func (s *Store) PatchMembers(ctx context.Context, groupID, ifMatch string, add []store.Member, remove []string) (_ *store.Resource, err error) {
	defer s.classify(ctx, "PatchMembers", &err)
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	if !storable(groupID) {
		return nil, notFound(store.Group, groupID)
	}
	want := s.wantEvents(ctx)
	var evs []store.Event
	if s.d.name == "postgres" && len(add) <= 1000 && len(remove) <= 1000 {
		out, err := s.patchMembersOnce(ctx, tenant, groupID, ifMatch, add, remove)
		if !errors.Is(err, errUndecided) {
			return out, err
		}
	}
	var out *store.Resource
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		// Members first, then the group: the order Delete takes its locks in.
		members, err := s.resolveMembers(ctx, tx, tenant, add)
		if err != nil {
			return err
		}
		r, err := scanResource(store.Group, tx.QueryRowContext(ctx, s.sql(`SELECT `+columns+`, NULL FROM scimkit_resources r WHERE r.tenant = ? AND r.type = 'Group' AND r.id = ?`+s.d.forUpdate), tenant, groupID))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound(store.Group, groupID)
		}
		if err != nil {
			return fmt.Errorf("sqlstore: reading group %s: %w", groupID, err)
		}
		if err := checkVersion(r, ifMatch); err != nil {
			return err
		}
		var had map[string]store.Member
		if want {
			if had, err = s.memberships(ctx, tx, tenant, groupID, members, remove); err != nil {
				return err
			}
		}
		for _, m := range members {
			q := `INSERT INTO scimkit_members (tenant, group_id, member_id, member_type, display, added_ns) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (tenant, group_id, member_id) DO NOTHING`
			if m.Display != "" {
				q = `INSERT INTO scimkit_members (tenant, group_id, member_id, member_type, display, added_ns) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (tenant, group_id, member_id) DO UPDATE SET display = excluded.display`
			}
			if _, err := tx.ExecContext(ctx, s.sql(q), tenant, groupID, m.Value, m.Type, storedDisplay(m), s.stamp()); err != nil {
				return fmt.Errorf("sqlstore: adding member %s: %w", m.Value, err)
			}
		}
		if err := s.removeMembers(ctx, tx, tenant, groupID, remove); err != nil {
			return err
		}
		ns := s.stamp()
		if _, err := tx.ExecContext(ctx, s.sql(`UPDATE scimkit_resources SET version = version + 1, modified_ns = ? WHERE tenant = ? AND type = 'Group' AND id = ?`), ns, tenant, groupID); err != nil {
			return fmt.Errorf("sqlstore: updating group %s: %w", groupID, err)
		}
		v, _ := strconv.ParseInt(r.Version, 10, 64)
		r.Version = strconv.FormatInt(v+1, 10)
		r.LastModified = time.Unix(0, ns).UTC()
		if want {
			evs = memberEvents(groupID, r.Version, members, remove, had)
			store.StampEvents(ctx, r.LastModified, evs)
			if err := s.appendEvents(ctx, tx, tenant, ns, evs); err != nil {
				return fmt.Errorf("sqlstore: updating group %s: %w", groupID, err)
			}
		}
		out = r
		return nil
	})
	if err == nil && want {
		s.committed(ctx, evs)
	}
	return out, err
}

// memberships returns which of the members to add and the ids to remove
// are members of the group now (with their type and shown display).
func (s *Store) memberships(ctx context.Context, tx *sql.Tx, tenant, groupID string, add []resolved, remove []string) (map[string]store.Member, error) {
	ids := make([]string, 0, len(add)+len(remove))
	for _, m := range add {
		ids = append(ids, m.Value)
	}
	for _, id := range remove {
		if storable(id) {
			ids = append(ids, id)
		}
	}
	had := make(map[string]store.Member)
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := []any{tenant, groupID}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := tx.QueryContext(ctx, s.sql(`SELECT m.member_id, m.member_type, CASE WHEN m.display <> '' THEN m.display ELSE COALESCE(x.display_name, '') END
			FROM scimkit_members m LEFT JOIN scimkit_resources x ON x.tenant = m.tenant AND x.type = m.member_type AND x.id = m.member_id
			WHERE m.tenant = ? AND m.group_id = ? AND m.member_id IN (`+placeholders(len(chunk))+`)`), args...)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: reading the members of %s: %w", groupID, err)
		}
		for rows.Next() {
			var m store.Member
			if err := rows.Scan(&m.Value, &m.Type, &m.Display); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlstore: reading the members of %s: %w", groupID, err)
			}
			had[m.Value] = m
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlstore: reading the members of %s: %w", groupID, err)
		}
	}
	return had, nil
}

// memberEvents are the effective changes of a member patch of group
// groupID (now at version), given who was a member before (had): a
// MemberAdded for each member added that was not a member (and is not
// removed by the same patch), then a MemberRemoved for each id removed
// that was one.
func memberEvents(groupID, version string, add []resolved, remove []string, had map[string]store.Member) []store.Event {
	removed := make(map[string]bool, len(remove))
	for _, id := range remove {
		removed[id] = true
	}
	var evs []store.Event
	for _, m := range add {
		if _, ok := had[m.Value]; ok || removed[m.Value] {
			continue
		}
		shown := m.Member
		if shown.Display == "" {
			shown.Display = m.derived
		}
		evs = append(evs, store.MemberEvent(store.MemberAdded, groupID, version, shown))
	}
	done := make(map[string]bool, len(remove))
	for _, id := range remove {
		if m, ok := had[id]; ok && !done[id] {
			done[id] = true
			evs = append(evs, store.MemberEvent(store.MemberRemoved, groupID, version, m))
		}
	}
	return evs
}
