package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scimkit/store"
)

// List implements store.Store.
//
// A List without filter and sortBy (a client reading every user, page by
// page, as Okta's import does) pages in SQL: by offset, or by keyset for
// a cursor. The lookups identity providers make every cycle are answered
// by the database from an index: userName eq (Entra's match query and its
// Test Connection probe), externalId eq, and a group's displayName eq. Every
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
	if typ != store.User && typ != store.Group {
		return nil, unsupported(typ)
	}
	if q.Filter == nil && q.SortBy == nil {
		return s.pageInSQL(ctx, typ, tenant, q)
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
	limit := fmt.Sprintf(` LIMIT %d`, s.maxScan+1)
	if typ == store.User {
		rs, err = s.readAccounts(ctx, where+limit, args)
	} else {
		rs, err = s.readTeams(ctx, where+limit, args)
	}
	if err == nil && len(rs) > s.maxScan {
		err = s.tooMany(typ)
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

// readAccounts reads the tenant's accounts that rest (the query after
// "WHERE tenant = ?") selects, with their teams; args[0] is the tenant.
func (s *accountStore) readAccounts(ctx context.Context, rest string, args []any) ([]*store.Resource, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT `+accountColumns+` FROM accounts WHERE tenant = ?`+rest), args...)
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

// readTeams reads the tenant's teams that rest selects, with their
// members.
func (s *accountStore) readTeams(ctx context.Context, rest string, args []any) ([]*store.Resource, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT `+teamColumns+` FROM teams WHERE tenant = ?`+rest), args...)
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

// pageInSQL answers a List without filter and sortBy with one page read
// in the default order, (created, id), and a COUNT. The ids are
// lower-case UUIDs (store.NewID), which every collation orders as bytes,
// as store.Cursor asks. The count and the page are two statements, so a
// write between them can make TotalResults off by what it changed.
func (s *accountStore) pageInSQL(ctx context.Context, typ, tenant string, q store.Query) (*store.Page, error) {
	table := map[string]string{store.User: "accounts", store.Group: "teams"}[typ]
	page := &store.Page{}
	if err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM `+table+` WHERE tenant = ?`), tenant).Scan(&page.TotalResults); err != nil {
		return nil, s.fault(err)
	}
	where, args := "", []any{tenant}
	limit, offset := max(q.Count, 0), max(q.StartIndex, 1)-1
	if q.UseCursor {
		offset = 0
		limit++ // one more: is there a next page?
		if q.Cursor != "" {
			c, err := store.DecodeCursor(typ, q, q.Cursor)
			if err != nil {
				return nil, err
			}
			at := time.UnixMicro(c.Seq).UTC()
			where = ` AND (created > ? OR created = ? AND id > ?)`
			args = append(args, at, at, c.ID)
		}
	}
	if q.Count <= 0 {
		return page, nil
	}
	order := fmt.Sprintf(` ORDER BY created, id LIMIT %d OFFSET %d`, limit, offset)
	var rs []*store.Resource
	var err error
	if typ == store.User {
		rs, err = s.readAccounts(ctx, where+order, args)
	} else {
		rs, err = s.readTeams(ctx, where+order, args)
	}
	if err != nil {
		return nil, err
	}
	if !q.UseCursor {
		page.Resources = rs
		return page, nil
	}
	more := len(rs) > q.Count
	if more {
		rs = rs[:q.Count]
	}
	for _, r := range rs {
		page.Resources = append(page.Resources, r)
		page.Cursors = append(page.Cursors, store.EncodeCursor(typ, q, store.Cursor{Seq: r.Created.UnixMicro(), ID: r.ID}))
	}
	if more {
		page.NextCursor = page.Cursors[len(page.Cursors)-1]
	}
	return page, nil
}
