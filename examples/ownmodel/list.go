package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/store"
)

// List implements store.Store.
//
// The lookups identity providers make on every cycle are answered by the
// database from an index: userName eq (Entra's match query and its Test
// Connection probe), externalId eq, and a group's displayName eq. Every
// other filter, and sortBy, run in Go, with scimkit's evaluator, over the
// tenant's rows of the type: at most maxScan of them, past which List
// refuses (store.ErrFilterTooCostly, answered 400 tooMany) rather than
// read a whole large table per request. A product with more accounts than
// that translates more of q.Filter into SQL (q.Filter.Tree() is the
// filter as a tree of comparisons; store/sqlstore shows a complete
// translation) and pages in SQL.
func (s *accountStore) List(ctx context.Context, typ string, q store.Query) (*store.Page, error) {
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	var where string
	args := []any{tenant}
	whole := false // the WHERE clause is the whole filter
	if q.Filter != nil {
		if attr, key, w, ok := q.Filter.UniqueEquality(); ok && (typ == store.User && attr == "userName" || typ == store.Group && attr == "displayName") {
			where, whole = " AND "+map[string]string{store.User: "user_name_key", store.Group: "name_key"}[typ]+" = ?", w
			args = append(args, key)
		} else if _, v, ok := q.Filter.Equality("externalId"); ok {
			// externalId is caseExact: the database's = compares alike.
			where = " AND external_id = ?"
			args = append(args, v)
			_, _, whole = q.Filter.EqualityOnly("externalId")
		}
	}
	var rs []*store.Resource
	switch typ {
	case store.User:
		rs, err = s.scanAccounts(ctx, where, args)
	case store.Group:
		rs, err = s.scanTeams(ctx, where, args)
	default:
		return nil, unsupported(typ)
	}
	if err != nil {
		return nil, err
	}

	// The default order: creation time, then id (the cursor position).
	slices.SortFunc(rs, func(x, y *store.Resource) int {
		if c := x.Created.Compare(y.Created); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	decoded := make(map[*store.Resource]map[string]any, len(rs))
	matched := rs[:0]
	for _, r := range rs {
		attrs, err := store.DecodeAttributes(r)
		if err != nil {
			return nil, err
		}
		if q.Filter != nil && !whole && !q.Filter.MatchDecoded(r, attrs) {
			if err := q.Filter.Err(); err != nil {
				return nil, err // the filter is over the request's work limit
			}
			continue
		}
		decoded[r] = attrs
		matched = append(matched, r)
	}
	q.Sort(matched, func(r *store.Resource) map[string]any { return decoded[r] })
	page := &store.Page{TotalResults: len(matched)}
	if !q.UseCursor {
		page.Resources = q.Window(matched)
		return page, nil
	}
	return cursorPage(typ, q, matched, decoded, page)
}

// tooMany is the error of a List that would read more than maxScan rows.
func (s *accountStore) tooMany(typ string) error {
	return fmt.Errorf("ownmodel: a %s filter this store runs in Go would read more than %d rows: filter by userName, externalId or displayName: %w",
		typ, s.maxScan, store.ErrFilterTooCostly)
}

// scanAccounts reads the tenant's accounts that where selects (args[0] is
// the tenant), with their teams.
func (s *accountStore) scanAccounts(ctx context.Context, where string, args []any) ([]*store.Resource, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT `+accountColumns+` FROM accounts WHERE tenant = ?`+where+fmt.Sprintf(` LIMIT %d`, s.maxScan+1)), args...)
	if err != nil {
		return nil, s.fault(err)
	}
	var accounts []*account
	for rows.Next() {
		a := new(account)
		if err := a.scan(rows); err != nil {
			rows.Close()
			return nil, s.fault(err)
		}
		accounts = append(accounts, a)
	}
	if err := rows.Close(); err != nil {
		return nil, s.fault(err)
	}
	if len(accounts) > s.maxScan {
		return nil, s.tooMany(store.User)
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	groups, err := s.loadGroups(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*store.Resource, len(accounts))
	for i, a := range accounts {
		if out[i], err = a.resource(groups[a.ID]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanTeams reads the tenant's teams that where selects, with their
// members.
func (s *accountStore) scanTeams(ctx context.Context, where string, args []any) ([]*store.Resource, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT `+teamColumns+` FROM teams WHERE tenant = ?`+where+fmt.Sprintf(` LIMIT %d`, s.maxScan+1)), args...)
	if err != nil {
		return nil, s.fault(err)
	}
	var teams []*team
	for rows.Next() {
		t := new(team)
		if err := t.scan(rows); err != nil {
			rows.Close()
			return nil, s.fault(err)
		}
		teams = append(teams, t)
	}
	if err := rows.Close(); err != nil {
		return nil, s.fault(err)
	}
	if len(teams) > s.maxScan {
		return nil, s.tooMany(store.Group)
	}
	ids := make([]string, len(teams))
	for i, t := range teams {
		ids[i] = t.ID
	}
	members, err := s.loadMembers(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*store.Resource, len(teams))
	for i, t := range teams {
		if out[i], err = t.resource(members[t.ID]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// cursorPage pages matched (sorted) by cursor (RFC 9865) with scimkit's
// cursor codec. A position is the sort key, then the default order
// (Created, ID): the page starts after the resource the cursor names,
// wherever creates and deletes have moved the others.
func cursorPage(typ string, q store.Query, matched []*store.Resource, decoded map[*store.Resource]map[string]any, page *store.Page) (*store.Page, error) {
	pos := func(r *store.Resource) store.Cursor {
		return store.Cursor{Key: q.SortKey(r, decoded[r]), Seq: r.Created.UnixMicro(), ID: r.ID}
	}
	var after *store.Cursor
	if q.Cursor != "" {
		c, err := store.DecodeCursor(typ, q, q.Cursor)
		if err != nil {
			return nil, err
		}
		after = &c
	}
	start, end, more := store.CursorWindow(q, matched, after, pos)
	for _, r := range matched[start:end] {
		page.Resources = append(page.Resources, r)
		page.Cursors = append(page.Cursors, store.EncodeCursor(typ, q, pos(r)))
	}
	if more {
		page.NextCursor = page.Cursors[len(page.Cursors)-1]
	}
	return page, nil
}
