package sqlstore

import (
	"context"
	"fmt"
	"strings"

	fp "github.com/scim2/filter-parser/v2"

	"github.com/scimkit/scimkit/store"
)

// List implements store.Store. An equality on a unique attribute
// (userName, a group's displayName …), externalId or id narrows the rows
// through an index; when it is the whole filter and no sortBy is asked,
// counting and paging run in SQL.
// Otherwise the narrowed rows are filtered, sorted and paged in Go.
func (s *Store) List(ctx context.Context, typ string, q store.Query) (_ *store.Page, err error) {
	defer s.classify(ctx, "List", &err)
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkType(typ); err != nil {
		return nil, err
	}
	where := `tenant = ? AND type = ?`
	args := []any{tenant, typ}
	filter := q.Filter
	if filter != nil {
		var whole bool
		if attr, key, w, ok := filter.UniqueEquality(); ok {
			whole = w
			if strings.IndexByte(key, 0) >= 0 {
				// No stored text holds U+0000 (PostgreSQL refuses it): nothing matches.
				return &store.Page{}, nil
			}
			where += ` AND id IN (SELECT id FROM scimkit_unique WHERE tenant = ? AND type = ? AND attribute = ? AND key = ?)`
			args = append(args, tenant, typ, attr, key)
		} else {
			indexed := []string{"externalId", "id"}
			attr, value, w := filter.EqualityOnly(indexed...)
			if !w {
				attr, value, _ = filter.Equality(indexed...)
			}
			whole = w
			if strings.IndexByte(value, 0) >= 0 {
				return &store.Page{}, nil
			}
			switch attr {
			case "id":
				where += ` AND id = ?`
				args = append(args, value)
			case "externalId":
				where += ` AND external_id = ?`
				args = append(args, value)
			}
		}
		if whole {
			filter = nil // the index answered it
		}
	}
	if filter == nil && q.SortBy == nil {
		return s.pageInSQL(ctx, tenant, typ, where, args, q)
	}
	if cond, cargs := s.narrowing(filter); cond != "" {
		where += cond
		args = append(args, cargs...)
	}

	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT `+columns+` FROM scimkit_resources WHERE `+where+` ORDER BY created_ns, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: listing %s: %w", typ, err)
	}
	var all []*store.Resource
	for rows.Next() {
		r, err := scanResource(typ, rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: listing %s: %w", typ, err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: listing %s: %w", typ, err)
	}
	needRefs := filter != nil && mentionsRefs(filter.Expr)
	if q.SortBy != nil && (strings.HasPrefix(q.SortBy.Name, "members") || strings.HasPrefix(q.SortBy.Name, "groups")) {
		needRefs = true
	}
	decoded := make(map[*store.Resource]map[string]any, len(all))
	matched := all[:0]
	for _, r := range all {
		if needRefs {
			if err := s.fill(ctx, s.db, tenant, r); err != nil {
				return nil, err
			}
		}
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
	page := &store.Page{TotalResults: len(matched)}
	for _, r := range q.Window(matched) {
		if !needRefs {
			if err := s.fill(ctx, s.db, tenant, r); err != nil {
				return nil, err
			}
		}
		page.Resources = append(page.Resources, r)
	}
	return page, nil
}

func (s *Store) pageInSQL(ctx context.Context, tenant, typ, where string, args []any, q store.Query) (*store.Page, error) {
	page := &store.Page{}
	if err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM scimkit_resources WHERE `+where), args...).Scan(&page.TotalResults); err != nil {
		return nil, fmt.Errorf("sqlstore: counting %s: %w", typ, err)
	}
	start := max(q.StartIndex, 1)
	if q.Count <= 0 || start > page.TotalResults {
		return page, nil
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT `+columns+` FROM scimkit_resources WHERE `+where+` ORDER BY created_ns, id LIMIT ? OFFSET ?`),
		append(args, q.Count, start-1)...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: listing %s: %w", typ, err)
	}
	for rows.Next() {
		r, err := scanResource(typ, rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: listing %s: %w", typ, err)
		}
		page.Resources = append(page.Resources, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: listing %s: %w", typ, err)
	}
	for _, r := range page.Resources {
		if err := s.fill(ctx, s.db, tenant, r); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// mentionsRefs reports whether a filter reads members or groups, which
// live in their own table.
func mentionsRefs(e fp.Expression) bool {
	switch t := e.(type) {
	case *fp.LogicalExpression:
		return mentionsRefs(t.Left) || mentionsRefs(t.Right)
	case *fp.NotExpression:
		return mentionsRefs(t.Expression)
	case *fp.ValuePath:
		return isRef(t.AttributePath.AttributeName)
	case *fp.AttributeExpression:
		return isRef(t.AttributePath.AttributeName)
	}
	return false
}

func isRef(name string) bool {
	return strings.EqualFold(name, "members") || strings.EqualFold(name, "groups")
}
