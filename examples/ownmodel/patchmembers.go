package main

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/scimkit/scimkit/store"
)

var _ store.MemberPatcher = (*accountStore)(nil)

// PatchMembers implements store.MemberPatcher: Entra adds and removes
// group members one PATCH at a time, and this touches only the rows of the
// members named, so that adding one member to a team of 100,000 costs
// what adding one to a team of 10 does.
func (s *accountStore) PatchMembers(ctx context.Context, groupID, ifMatch string, add []store.Member, remove []string) (*store.Resource, error) {
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	var out *store.Resource
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var t team
		err := t.scan(tx.QueryRowContext(ctx, s.d.rebind(`SELECT `+teamColumns+` FROM teams WHERE tenant = ? AND id = ?`+s.d.forUpdate), tenant, groupID))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound(store.Group, groupID)
		}
		if err != nil {
			return s.fault(err)
		}
		if !store.VersionMatches(ifMatch, t.version()) {
			return store.ErrPrecondition
		}
		members, err := s.resolveMembers(ctx, tx, tenant, add)
		if err != nil {
			return err
		}
		if err := s.addMembers(ctx, tx, groupID, members); err != nil {
			return err
		}
		for part := range slices.Chunk(remove, chunk) {
			list := inList(len(part))
			args := append(append([]any{groupID}, anys("", part)...), anys("", part)...)
			if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM team_members WHERE team_id = ?
				AND (account_id IN (`+list+`) OR member_team_id IN (`+list+`))`), args...); err != nil {
				return s.fault(err)
			}
		}
		t.Updated, t.Revision = s.clock(), t.Revision+1
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE teams SET updated = ?, revision = ? WHERE id = ?`), t.Updated, t.Revision, groupID); err != nil {
			return s.fault(err)
		}
		out, err = t.resource(nil)
		return err
	})
	return out, err
}

// addMembers appends the members (resolved, deduplicated) that are not
// members of the team yet; one that is keeps its place, and takes the
// display given, if any.
func (s *accountStore) addMembers(ctx context.Context, tx *sql.Tx, teamID string, members []store.Member) error {
	if len(members) == 0 {
		return nil
	}
	existing := map[string]bool{}
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.Value
	}
	for part := range slices.Chunk(ids, chunk) {
		list := inList(len(part))
		args := append(append([]any{teamID}, anys("", part)...), anys("", part)...)
		rows, err := tx.QueryContext(ctx, s.d.rebind(`SELECT COALESCE(account_id, member_team_id) FROM team_members
			WHERE team_id = ? AND (account_id IN (`+list+`) OR member_team_id IN (`+list+`))`), args...)
		if err != nil {
			return s.fault(err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return s.fault(err)
			}
			existing[id] = true
		}
		if err := rows.Close(); err != nil {
			return s.fault(err)
		}
	}
	var next int64
	if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COALESCE(MAX(position), -1) + 1 FROM team_members WHERE team_id = ?`), teamID).Scan(&next); err != nil {
		return s.fault(err)
	}
	var fresh []store.Member
	for _, m := range members {
		if !existing[m.Value] {
			fresh = append(fresh, m)
			continue
		}
		if m.Display == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE team_members SET display = ?
			WHERE team_id = ? AND (account_id = ? OR member_team_id = ?)`), m.Display, teamID, m.Value, m.Value); err != nil {
			return s.fault(err)
		}
	}
	return s.insertMembers(ctx, tx, teamID, next, fresh)
}
