package sqlstore

import (
	"context"
	"fmt"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// DefaultMaxFallbackRows is Config.MaxFallbackRows when it is zero.
const DefaultMaxFallbackRows = 10000

// List implements store.Store. The filter becomes a SQL condition
// (translator); an equality on a unique attribute is answered through
// scimkit_unique's index. When SQL decides the filter exactly and the
// sortBy is one SQL can order by, filtering, ordering and paging all run
// in the database: a page is one statement (members or groups come
// along), plus a COUNT only when the page does not tell the total.
//
// Otherwise — a filter of more than store.WorkPerResource comparisons, a
// comparison SQL cannot decide as Go does (numbers and
// dateTimes inside documents, case-insensitive comparisons with non-ASCII
// literals), or a sortBy on a multi-valued or non-string attribute — the
// rows the SQL condition keeps (a superset) are read, at most
// Config.MaxFallbackRows of them, and filtered, sorted and paged in Go.
// More than that is refused with store.ErrFilterTooCostly.
func (s *Store) List(ctx context.Context, typ string, q store.Query) (_ *store.Page, err error) {
	defer s.classify(ctx, "List", &err)
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkType(typ); err != nil {
		return nil, err
	}
	where, filter, none := s.where(tenant, typ, q.Filter)
	if none {
		return &store.Page{}, nil
	}
	var after *store.Cursor
	if q.UseCursor && q.Cursor != "" {
		c, err := store.DecodeCursor(typ, q, q.Cursor)
		if err != nil {
			return nil, err
		}
		after = &c
	}
	order, sortable := s.orderBy(q)
	var page *store.Page
	err = s.readAgain(ctx, func() (err error) {
		switch {
		case filter == nil && sortable && q.UseCursor:
			page, err = s.cursorPageInSQL(ctx, typ, where, order, after, q)
		case filter == nil && sortable:
			page, err = s.pageInSQL(ctx, typ, where, order, q)
		default:
			page, err = s.pageInGo(ctx, typ, where, filter, after, q)
		}
		return err
	})
	return page, err
}

// where is the SQL condition of a filter on the tenant's resources of
// type typ, and the filter left for Go to decide (nil when SQL decides it
// exactly). none: nothing can match.
func (s *Store) where(tenant, typ string, filter *store.Filter) (where frag, rest *store.Filter, none bool) {
	where = cat("r.tenant = ", bind{tenant}, " AND r.type = ", bind{typ})
	if filter != nil {
		if attr, key, whole, ok := filter.UniqueEquality(); ok {
			if !storable(key) {
				return frag{}, nil, true // no stored value holds it
			}
			where = cat(where, " AND r.id IN (SELECT id FROM scimkit_unique WHERE tenant = ", bind{tenant}, " AND type = ", bind{typ},
				" AND attribute = ", bind{attr}, " AND key = ", bind{s.d.indexKey(key)}, ")")
			if whole {
				return where, nil, false // the filter is that equality (Entra's match): the index decides it
			}
		}
		if value, ok := externalIDEquality(filter); ok {
			if !storable(value) {
				return frag{}, nil, true
			}
			where = cat(where, " AND ", s.d.externalIDEquals(value))
		}
		tree := filter.Tree()
		if hints := valueHints(tree); len(hints) > 0 && s.d.name == "postgres" {
			where = cat(where, " AND scimkit_values(r.attributes) @> ", bind{hints}, "::text[]")
		}
		cond := sqlMaybe
		if comparisons(tree) <= store.WorkPerResource {
			cond = newTranslator(s.d).tree(tree)
		}
		where = and(where, cond)
		if where.exact {
			filter = nil // SQL decides it
		}
	}
	return where, filter, false
}

// comparisons counts the comparisons of a filter. The database evaluates
// a filter of at most store.WorkPerResource of them (a few, whatever the
// rows scanned); a longer one is evaluated in Go, under the request's work
// limit (store.Filter.LimitWork), so that a request's cost stays bounded
// by its own size, not by its size times the data's.
func comparisons(n *store.Node) int {
	c := 0
	if n.Kind == store.NodeCompare {
		c = 1
	}
	for _, k := range n.Children {
		c += comparisons(k)
	}
	return c
}

// externalIDEquality finds a conjunct externalId eq "value" (case-exact).
func externalIDEquality(f *store.Filter) (string, bool) {
	attr, value, ok := f.Equality("externalId")
	return value, ok && attr == "externalId" && value != "" // "" is also the column of a resource without one

}

// orderBy is the ORDER BY of q, and whether SQL orders as store.Query.Sort
// does: by a column, or by a single-valued string attribute.
func (s *Store) orderBy(q store.Query) (string, bool) {
	tie := s.tie()
	if q.SortBy == nil {
		return tie, true
	}
	key, ok := s.sortKey(q.SortBy)
	if !ok || key == "" {
		return tie, ok
	}
	dir := ""
	if q.SortDescending {
		dir = " DESC"
	}
	return "(" + key + ") IS NULL, " + key + dir + ", " + tie, true
}

// sortKey is the SQL expression of a resource's sort key, NULL when it
// has none; its text holds no argument.
func (s *Store) sortKey(p *store.Path) (string, bool) {
	tg := p.Target()
	switch tg.Kind {
	case store.TargetNone:
		return "", true // no resource has a key: the default order
	case store.TargetID:
		return s.collate("r.id"), true
	case store.TargetVersion:
		return s.collate("CAST(r.version AS TEXT)"), true
	case store.TargetResourceType:
		return s.collate("r.type"), true
	case store.TargetCreated:
		return "r.created_ns", true
	case store.TargetLastModified:
		return "r.modified_ns", true
	case store.TargetAttribute:
	default:
		return "", false
	}
	typ, caseExact := p.ValueType()
	if tg.MultiValued || (typ != schema.String && typ != schema.Reference && typ != schema.Binary) {
		return "", false
	}
	if !safeKey(tg.Attribute) || tg.Extension != "" && !safeKey(tg.Extension) || tg.Sub != "" && !safeKey(tg.Sub) {
		return "", false
	}
	t := newTranslator(s.d)
	v := t.pick(t.root(tg), tg, false)
	isStr, text := t.typeIs(v, "string"), t.text(v)
	if len(isStr.args) > 0 || len(text.args) > 0 {
		return "", false
	}
	key := text.sql
	if !caseExact {
		key = "lower(" + s.collate(key) + ")" // ASCII letters only, as store.SortFold
	}
	return s.collate("CASE WHEN " + isStr.sql + " AND " + text.sql + " <> '' THEN " + key + " END"), true
}

// tie is the default order: creation, then id compared as bytes (as
// store.Cursor's default-order key is).
func (s *Store) tie() string { return "r.created_ns, " + s.collate("r.id") }

// collate makes PostgreSQL order text byte for byte, as Go does.
func (s *Store) collate(expr string) string {
	if s.d.name == "postgres" {
		return "(" + expr + `) COLLATE "C"`
	}
	return expr
}

// pageInSQL reads one page with one statement.
func (s *Store) pageInSQL(ctx context.Context, typ string, where frag, order string, q store.Query) (*store.Page, error) {
	page := &store.Page{}
	start := max(q.StartIndex, 1)
	if q.Count > 0 {
		query := s.pageQuery(typ, where, order, q.Count, start-1)
		rs, err := s.readRows(ctx, typ, query)
		if err != nil {
			return nil, err
		}
		page.Resources = rs
		if start == 1 && len(page.Resources) < q.Count {
			page.TotalResults = len(page.Resources) // the page holds them all
			return page, nil
		}
	}
	count := cat(`SELECT COUNT(*) FROM scimkit_resources r WHERE `, where)
	if err := s.db.QueryRowContext(ctx, s.sqlOnce(count.sql), count.args...).Scan(&page.TotalResults); err != nil {
		return nil, s.fault("counting "+typ, err)
	}
	return page, nil
}

// readRows runs a query of columns and the refs column.
func (s *Store) readRows(ctx context.Context, typ string, query frag) ([]*store.Resource, error) {
	rows, err := s.db.QueryContext(ctx, s.sqlOnce(query.sql), query.args...)
	if err != nil {
		return nil, s.fault("listing "+typ, err)
	}
	defer rows.Close()
	var out []*store.Resource
	for rows.Next() {
		r, err := scanResource(typ, rows)
		if err != nil {
			return nil, s.fault("listing "+typ, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fault("listing "+typ, err)
	}
	return out, nil
}

// pageQuery reads count rows after offset in order: the rows are picked
// first, and their members or groups gathered for those rows only.
func (s *Store) pageQuery(typ string, where frag, order string, count, offset int) frag {
	return cat(`SELECT `, columns, `, `, s.d.refsSQL(typ), ` FROM (SELECT * FROM scimkit_resources r WHERE `, where,
		` ORDER BY `, order, ` LIMIT `, bind{count}, ` OFFSET `, bind{offset}, `) r ORDER BY `, order)
}

// pageInGo reads the rows where keeps, at most MaxFallbackRows, and
// filters, sorts and pages them in Go.
func (s *Store) pageInGo(ctx context.Context, typ string, where frag, filter *store.Filter, after *store.Cursor, q store.Query) (*store.Page, error) {
	query := cat(`SELECT `, columns, `, `, s.d.refsSQL(typ), ` FROM scimkit_resources r WHERE `, where,
		` ORDER BY `, s.tie(), ` LIMIT `, bind{s.maxFallback + 1})
	all, err := s.readRows(ctx, typ, query)
	if err != nil {
		return nil, err
	}
	if len(all) > s.maxFallback {
		return nil, fmt.Errorf("%w: this filter or sortBy is evaluated outside the database, over at most %d %s resources; narrow it (an eq on userName, externalId or id, or a comparison of a string attribute)",
			store.ErrFilterTooCostly, s.maxFallback, typ)
	}
	decoded := make(map[*store.Resource]map[string]any, len(all))
	matched := all[:0]
	for _, r := range all {
		attrs, err := store.DecodeAttributes(r)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: decoding %s %s: %w", typ, r.ID, err)
		}
		if filter != nil && !filter.MatchDecoded(r, attrs) {
			if err := filter.Err(); err != nil {
				return nil, err // over the request's work limit: stop
			}
			continue
		}
		decoded[r] = attrs
		matched = append(matched, r)
	}
	q.Sort(matched, func(r *store.Resource) map[string]any { return decoded[r] })
	if !q.UseCursor {
		return &store.Page{TotalResults: len(matched), Resources: q.Window(matched)}, nil
	}
	page := &store.Page{TotalResults: len(matched)}
	pos := func(r *store.Resource) store.Cursor { return s.position(q, r, decoded[r]) }
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
