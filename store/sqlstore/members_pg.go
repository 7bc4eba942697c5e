package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/store"
)

// patchMembersSQL adds and removes members of a group in one PostgreSQL
// statement: it locks the members added (FOR SHARE, so that a concurrent
// Delete of one waits, and then removes the membership), bumps the
// group's version — only if every member added exists and the version is
// one ifMatch allows — and writes the membership rows. When the group's
// row is not returned, nothing was written.
const patchMembersSQL = `WITH found AS (
		SELECT id, type, display_name FROM scimkit_resources
		WHERE tenant = ? AND type IN ('User', 'Group') AND id = ANY(?::text[]) FOR SHARE),
	g AS (
		UPDATE scimkit_resources r SET version = r.version + 1, modified_ns = ?
		WHERE r.tenant = ? AND r.type = 'Group' AND r.id = ?
			AND (?::bigint[] IS NULL OR r.version = ANY(?::bigint[]))
			AND (SELECT count(*) FROM found) = ?
		RETURNING r.*),
	want AS (SELECT * FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS w(id, display, ord)),
	given AS (
		INSERT INTO scimkit_members (tenant, group_id, member_id, member_type, display, added_ns)
		SELECT g.tenant, g.id, f.id, f.type, CASE WHEN w.display = f.display_name THEN '' ELSE w.display END, ? + w.ord
		FROM g, want w JOIN found f ON f.id = w.id WHERE w.display <> ''
		ON CONFLICT (tenant, group_id, member_id) DO UPDATE SET display = excluded.display),
	plain AS (
		INSERT INTO scimkit_members (tenant, group_id, member_id, member_type, display, added_ns)
		SELECT g.tenant, g.id, f.id, f.type, '', ? + w.ord
		FROM g, want w JOIN found f ON f.id = w.id WHERE w.display = ''
		ON CONFLICT (tenant, group_id, member_id) DO NOTHING),
	gone AS (
		DELETE FROM scimkit_members m USING g
		WHERE m.tenant = g.tenant AND m.group_id = g.id AND m.member_id = ANY(?::text[]))
	SELECT g.id, g.unique_values, g.display_name, g.external_id, g.attributes, g.schemas, g.created_ns, g.modified_ns, g.version, NULL FROM g`

// errUndecided: the one-statement member patch wrote nothing for a reason
// that a second look did not find (a member deleted in between, say).
var errUndecided = errors.New("sqlstore: member patch undecided")

// patchMembersOnce is PatchMembers in one statement (PostgreSQL).
func (s *Store) patchMembersOnce(ctx context.Context, tenant, groupID, ifMatch string, add []store.Member, remove []string) (*store.Resource, error) {
	removed := make(map[string]bool, len(remove))
	for _, id := range remove {
		removed[id] = true
	}
	var ids, displays []string
	seen := map[string]int{}
	var unknown []string
	for _, m := range add {
		if !storable(m.Value) {
			unknown = append(unknown, m.Value)
			continue
		}
		if i, ok := seen[m.Value]; ok {
			if m.Display != "" {
				displays[i] = m.Display
			}
			continue
		}
		seen[m.Value] = len(ids)
		ids = append(ids, m.Value)
		displays = append(displays, m.Display)
	}
	if len(unknown) > 0 {
		return nil, &store.InvalidMemberError{IDs: unknown}
	}
	// Adds come before removes: an id in both ends up removed.
	var addIDs, addDisplays []string
	for i, id := range ids {
		if !removed[id] {
			addIDs, addDisplays = append(addIDs, id), append(addDisplays, displays[i])
		}
	}
	gone := make([]string, 0, len(remove))
	for _, id := range remove {
		if storable(id) {
			gone = append(gone, id)
		}
	}
	var versions []int64
	if ifMatch != "" && ifMatch != "*" {
		versions = []int64{}
		for v := range strings.SplitSeq(ifMatch, ",") {
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				versions = append(versions, n)
			}
		}
	}
	var vs any
	if versions != nil {
		vs = versions
	}
	var out *store.Resource
	err := s.retry(ctx, func() error {
		ns := s.stamp()
		first := s.stamps(len(addIDs))
		r, err := scanResource(store.Group, s.db.QueryRowContext(ctx, s.sql(patchMembersSQL),
			tenant, ids,
			ns, tenant, groupID, vs, vs, len(ids),
			addIDs, addDisplays,
			first-1, first-1,
			gone))
		out = r
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.whyNoPatch(ctx, tenant, groupID, ifMatch, add)
	}
	if err != nil {
		return nil, s.fault("patching the members of "+groupID, commitFailed(err)) // one statement: its own commit
	}
	return out, nil
}

// whyNoPatch finds why patchMembersSQL wrote nothing.
func (s *Store) whyNoPatch(ctx context.Context, tenant, groupID, ifMatch string, add []store.Member) error {
	g, err := s.load(ctx, s.db, tenant, store.Group, groupID, false)
	if err != nil {
		return err
	}
	if err := checkVersion(g, ifMatch); err != nil {
		return err
	}
	if _, err := s.resolveMembers(ctx, s.db, tenant, add); err != nil {
		return err
	}
	return errUndecided
}
