package main

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/store"
)

// querier is what a *sql.DB and a *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// chunk is how many ids one IN (…) list holds: far below SQLite's 32766
// and PostgreSQL's 65535 parameters.
const chunk = 500

// inList returns "?, ?, …" for n values.
func inList(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anys(tenant string, ids []string) []any {
	args := make([]any, 0, len(ids)+1)
	if tenant != "" {
		args = append(args, tenant)
	}
	for _, id := range ids {
		args = append(args, id)
	}
	return args
}

// resolveMembers checks that every member is an account or a team of the
// tenant, and returns them deduplicated (the first mention wins) with
// their Type set. Unknown ids are an *store.InvalidMemberError.
func (s *accountStore) resolveMembers(ctx context.Context, q querier, tenant string, members []store.Member) ([]store.Member, error) {
	var ids []string
	seen := map[string]bool{}
	for _, m := range members {
		if !seen[m.Value] {
			seen[m.Value] = true
			ids = append(ids, m.Value)
		}
	}
	typeOf := map[string]string{}
	for part := range slices.Chunk(ids, chunk) {
		for _, table := range []struct{ name, typ string }{{"accounts", store.User}, {"teams", store.Group}} {
			rows, err := q.QueryContext(ctx, s.d.rebind(`SELECT id FROM `+table.name+` WHERE tenant = ? AND id IN (`+inList(len(part))+`)`), anys(tenant, part)...)
			if err != nil {
				return nil, s.fault(err)
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return nil, s.fault(err)
				}
				typeOf[id] = table.typ
			}
			if err := rows.Close(); err != nil {
				return nil, s.fault(err)
			}
		}
	}
	var out []store.Member
	var unknown []string
	done := map[string]bool{}
	for _, m := range members {
		if done[m.Value] {
			continue
		}
		done[m.Value] = true
		typ, ok := typeOf[m.Value]
		if !ok {
			unknown = append(unknown, m.Value)
			continue
		}
		out = append(out, store.Member{Value: m.Value, Type: typ, Display: m.Display})
	}
	if len(unknown) > 0 {
		return nil, &store.InvalidMemberError{IDs: unknown}
	}
	return out, nil
}

// writeMembers replaces the rows of team teamID's members, in order.
func (s *accountStore) writeMembers(ctx context.Context, q querier, teamID string, members []store.Member) error {
	if _, err := q.ExecContext(ctx, s.d.rebind(`DELETE FROM team_members WHERE team_id = ?`), teamID); err != nil {
		return s.fault(err)
	}
	return s.insertMembers(ctx, q, teamID, 0, members)
}

// insertMembers inserts rows for members at positions from, from+1 …
func (s *accountStore) insertMembers(ctx context.Context, q querier, teamID string, from int64, members []store.Member) error {
	insert := s.d.rebind(`INSERT INTO team_members (team_id, position, account_id, member_team_id, display) VALUES (?, ?, ?, ?, ?)`)
	for i, m := range members {
		var acc, sub, display sql.NullString
		if m.Type == store.User {
			acc = sql.NullString{String: m.Value, Valid: true}
		} else {
			sub = sql.NullString{String: m.Value, Valid: true}
		}
		if m.Display != "" {
			display = sql.NullString{String: m.Display, Valid: true}
		}
		if _, err := q.ExecContext(ctx, insert, teamID, from+int64(i), acc, sub, display); err != nil {
			if isForeignKey(err) { // deleted since resolveMembers looked
				return &store.InvalidMemberError{IDs: []string{m.Value}}
			}
			return s.fault(err)
		}
	}
	return nil
}

// loadMembers returns the members of each of the teams teamIDs, in the
// order added. A member the provider sent without a display shows the
// member's current name.
func (s *accountStore) loadMembers(ctx context.Context, q querier, teamIDs []string) (map[string][]store.Member, error) {
	out := map[string][]store.Member{}
	for part := range slices.Chunk(teamIDs, chunk) {
		rows, err := q.QueryContext(ctx, s.d.rebind(`
			SELECT m.team_id, m.account_id, m.member_team_id, m.display, a.display_name, a.user_name, t.name
			FROM team_members m
			LEFT JOIN accounts a ON a.id = m.account_id
			LEFT JOIN teams t ON t.id = m.member_team_id
			WHERE m.team_id IN (`+inList(len(part))+`)
			ORDER BY m.team_id, m.position`), anys("", part)...)
		if err != nil {
			return nil, s.fault(err)
		}
		for rows.Next() {
			var teamID string
			var acc, sub, display, accDisplay, accUser, subName sql.NullString
			if err := rows.Scan(&teamID, &acc, &sub, &display, &accDisplay, &accUser, &subName); err != nil {
				rows.Close()
				return nil, s.fault(err)
			}
			m := store.Member{Value: acc.String, Type: store.User, Display: display.String}
			if sub.Valid {
				m.Value, m.Type = sub.String, store.Group
			}
			if !display.Valid {
				switch {
				case sub.Valid:
					m.Display = subName.String
				case accDisplay.Valid && accDisplay.String != "":
					m.Display = accDisplay.String
				default:
					m.Display = accUser.String
				}
			}
			out[teamID] = append(out[teamID], m)
		}
		if err := rows.Close(); err != nil {
			return nil, s.fault(err)
		}
	}
	return out, nil
}

// loadGroups returns the teams each of the accounts accountIDs is a
// direct member of, by team id.
func (s *accountStore) loadGroups(ctx context.Context, q querier, accountIDs []string) (map[string][]store.GroupRef, error) {
	out := map[string][]store.GroupRef{}
	for part := range slices.Chunk(accountIDs, chunk) {
		rows, err := q.QueryContext(ctx, s.d.rebind(`
			SELECT m.account_id, t.id, t.name
			FROM team_members m JOIN teams t ON t.id = m.team_id
			WHERE m.account_id IN (`+inList(len(part))+`)`), anys("", part)...)
		if err != nil {
			return nil, s.fault(err)
		}
		for rows.Next() {
			var acc string
			var g store.GroupRef
			if err := rows.Scan(&acc, &g.Value, &g.Display); err != nil {
				rows.Close()
				return nil, s.fault(err)
			}
			out[acc] = append(out[acc], g)
		}
		if err := rows.Close(); err != nil {
			return nil, s.fault(err)
		}
	}
	for _, gs := range out {
		slices.SortFunc(gs, func(x, y store.GroupRef) int { return strings.Compare(x.Value, y.Value) })
	}
	return out, nil
}
