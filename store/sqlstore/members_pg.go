package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scimkit/store"
)

// memberPatchHead starts both member-patch statements: found locks the
// members added (FOR SHARE), and g bumps the group's version only if
// every one of them exists and ifMatch allows.
const memberPatchHead = `WITH found AS (
		SELECT id, type, display_name FROM scimkit_resources
		WHERE tenant = ? AND type IN ('User', 'Group') AND id = ANY(?::text[]) FOR SHARE),
	g AS (
		UPDATE scimkit_resources r SET version = r.version + 1, modified_ns = ?
		WHERE r.tenant = ? AND r.type = 'Group' AND r.id = ?
			AND (?::bigint[] IS NULL OR r.version = ANY(?::bigint[]))
			AND (SELECT count(*) FROM found) = ?
		RETURNING r.*),`

// patchMembersSQL adds and removes members of a group in one PostgreSQL
// statement: it locks the members added (FOR SHARE, so that a concurrent
// Delete of one waits, and then removes the membership), bumps the
// group's version — only if every member added exists and the version is
// one ifMatch allows — and writes the membership rows. When the group's
// row is not returned, nothing was written.
const patchMembersSQL = memberPatchHead + `
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
	goneSeen := make(map[string]bool, len(remove))
	for _, id := range remove {
		if storable(id) && !goneSeen[id] {
			goneSeen[id] = true
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
	want := s.wantEvents(ctx)
	var out *store.Resource
	var evs []store.Event
	err := s.retry(ctx, func() error {
		ns := s.stamp()
		first := s.stamps(len(addIDs))
		if !want {
			r, err := scanResource(store.Group, s.db.QueryRowContext(ctx, s.sql(patchMembersSQL),
				tenant, ids,
				ns, tenant, groupID, vs, vs, len(ids),
				addIDs, addDisplays,
				first-1, first-1,
				gone))
			out = r
			return err
		}
		// Each member that may join or leave gets an event id; the
		// statement keeps the events of those that did.
		addEIDs, goneEIDs := newIDs(len(addIDs)), newIDs(len(gone))
		args := []any{tenant, ids,
			ns, tenant, groupID, vs, vs, len(ids),
			addIDs, addDisplays, addEIDs,
			first - 1, first - 1,
			gone, gone, goneEIDs, tenant}
		q := patchMembersEventsSQL
		if s.feed.on {
			q = patchMembersFeedSQL
			evs := []store.Event{{}}
			store.StampEvents(ctx, time.Unix(0, ns).UTC(), evs)
			args = append(args, tenant, tenant, s.principalJSON(evs[0].Principal), evs[0].RequestID, ns)
		}
		var changes sql.NullString
		r, err := scanResource(store.Group, withExtra{s.db.QueryRowContext(ctx, s.sql(q), args...), &changes})
		if err != nil {
			return err
		}
		out = r
		evs, err = s.memberChanges(ctx, ns, r, changes.String)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.whyNoPatch(ctx, tenant, groupID, ifMatch, add)
	}
	if err != nil {
		return nil, s.fault("patching the members of "+groupID, commitFailed(err)) // one statement: its own commit
	}
	if want {
		s.committed(ctx, evs)
	}
	return out, nil
}

// patchMembersEventsSQL is patchMembersSQL that also returns the
// effective changes (changesCTE), for store.Committed.
var patchMembersEventsSQL = changesCTE + `
	SELECT g.id, g.unique_values, g.display_name, g.external_id, g.attributes, g.schemas, g.created_ns, g.modified_ns, g.version, NULL,
		(SELECT json_agg(json_build_array(c.kind, c.id, c.member, c.mtype, c.display) ORDER BY c.part, c.ord)::text FROM ch c)
	FROM g`

// patchMembersFeedSQL is patchMembersEventsSQL appending the events to
// the feed, in the same statement: the tenant's head is bumped (and
// locked) last, after the group's row and the memberships.
var patchMembersFeedSQL = changesCTE + `,
	n AS (SELECT count(*) AS n FROM ch),
	h AS (
		INSERT INTO scimkit_feed_heads (tenant, seq) SELECT ?::text, n.n FROM n, g WHERE n.n > 0
		ON CONFLICT (tenant) DO UPDATE SET seq = scimkit_feed_heads.seq + excluded.seq
		RETURNING seq, pg_notify('` + feedChannel + `', tenant)),
	fe AS (
		INSERT INTO scimkit_feed (tenant, seq, id, kind, type, resource_id, version, paths, member, before_doc, after_doc, principal, request_id, time_ns)
		SELECT ?::text, h.seq - n.n + row_number() OVER (ORDER BY c.part, c.ord), c.id, c.kind, 'Group', g.id, g.version::text, '',
			json_build_object('value', c.member, 'type', c.mtype, 'display', c.display)::text, '', '', ?::text, ?::text, ?::bigint
		FROM h, n, g, ch c)
	SELECT g.id, g.unique_values, g.display_name, g.external_id, g.attributes, g.schemas, g.created_ns, g.modified_ns, g.version, NULL,
		(SELECT json_agg(json_build_array(c.kind, c.id, c.member, c.mtype, c.display) ORDER BY c.part, c.ord)::text FROM ch c)
	FROM g`

// changesCTE is patchMembersSQL whose writes return what they changed,
// and ch: the effective changes, a member.added for each member inserted
// (not one already there) then a member.removed for each one deleted,
// with the event ids the statement was given.
const changesCTE = memberPatchHead + `
	want AS (SELECT * FROM unnest(?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS w(id, display, eid, ord)),
	given AS (
		INSERT INTO scimkit_members (tenant, group_id, member_id, member_type, display, added_ns)
		SELECT g.tenant, g.id, f.id, f.type, CASE WHEN w.display = f.display_name THEN '' ELSE w.display END, ? + w.ord
		FROM g, want w JOIN found f ON f.id = w.id WHERE w.display <> ''
		ON CONFLICT (tenant, group_id, member_id) DO UPDATE SET display = excluded.display
		RETURNING member_id, (xmax = 0) AS fresh),
	plain AS (
		INSERT INTO scimkit_members (tenant, group_id, member_id, member_type, display, added_ns)
		SELECT g.tenant, g.id, f.id, f.type, '', ? + w.ord
		FROM g, want w JOIN found f ON f.id = w.id WHERE w.display = ''
		ON CONFLICT (tenant, group_id, member_id) DO NOTHING
		RETURNING member_id),
	gone AS (
		DELETE FROM scimkit_members m USING g
		WHERE m.tenant = g.tenant AND m.group_id = g.id AND m.member_id = ANY(?::text[])
		RETURNING m.member_id, m.member_type, m.display),
	ch AS (
		SELECT 1 AS part, w.ord, 'member.added' AS kind, w.eid AS id, f.id AS member, f.type AS mtype,
			CASE WHEN w.display <> '' THEN w.display ELSE f.display_name END AS display
		FROM want w JOIN found f ON f.id = w.id
		WHERE w.id IN (SELECT member_id FROM given WHERE fresh UNION ALL SELECT member_id FROM plain)
		UNION ALL
		SELECT 2, x.ord, 'member.removed', x.eid, d.member_id, d.member_type,
			CASE WHEN d.display <> '' THEN d.display ELSE COALESCE(r.display_name, '') END
		FROM gone d JOIN unnest(?::text[], ?::text[]) WITH ORDINALITY AS x(id, eid, ord) ON x.id = d.member_id
			LEFT JOIN scimkit_resources r ON r.tenant = ? AND r.type = d.member_type AND r.id = d.member_id)`

// withExtra scans a row of scanResource's columns and one more.
type withExtra struct {
	row   *sql.Row
	extra any
}

func (w withExtra) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra)...) }

// memberChanges are the stamped events of the changes a member patch
// statement returned (kind, event id, member id, type, display arrays),
// with the ids the statement stored.
func (s *Store) memberChanges(ctx context.Context, ns int64, g *store.Resource, changes string) ([]store.Event, error) {
	if changes == "" {
		return nil, nil
	}
	var rows [][5]string
	if err := json.Unmarshal([]byte(changes), &rows); err != nil {
		return nil, fmt.Errorf("sqlstore: reading the member changes of %s: %w", g.ID, err)
	}
	evs := make([]store.Event, len(rows))
	for i, c := range rows {
		evs[i] = store.MemberEvent(store.EventKind(c[0]), g.ID, g.Version, store.Member{Value: c[2], Type: c[3], Display: c[4]})
	}
	store.StampEvents(ctx, time.Unix(0, ns).UTC(), evs)
	for i, c := range rows {
		evs[i].ID = c[1] // the id the statement stored
	}
	return evs, nil
}

func newIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = store.NewID()
	}
	return out
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
