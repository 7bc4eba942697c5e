package sqlstore

import (
	"context"
	"time"

	"github.com/scimkit/scimkit/store"
)

var _ store.CursorPager = (*Store)(nil)

// PagesByCursor implements store.CursorPager: List pages by cursor (RFC
// 9865), on both dialects.
func (s *Store) PagesByCursor() bool { return true }

// position is r's place in q's order, as store.Cursor says it: the sort
// key, then (created_ns, id).
func (s *Store) position(q store.Query, r *store.Resource, attrs map[string]any) store.Cursor {
	c := store.Cursor{Seq: r.Created.UnixNano(), ID: r.ID}
	if q.SortBy != nil {
		if attrs == nil {
			attrs, _ = store.DecodeAttributes(r)
		}
		c.Key = q.SortKey(r, attrs)
	}
	return c
}

// cursorPageInSQL reads the page after position after (nil: the first)
// with a keyset condition, so that the page starts right after the
// resource the cursor names however many were created or deleted before
// it, and the database reads only the page (no OFFSET).
func (s *Store) cursorPageInSQL(ctx context.Context, typ string, where frag, order string, after *store.Cursor, q store.Query) (*store.Page, error) {
	page := &store.Page{}
	more := false
	if q.Count > 0 {
		cond := where
		if after != nil {
			key := ""
			if q.SortBy != nil {
				key, _ = s.sortKey(q.SortBy)
			}
			cond = and(where, s.keyset(key, q.SortDescending, after))
		}
		query := s.pageQuery(typ, cond, order, q.Count+1, 0)
		rs, err := s.readRows(ctx, typ, query)
		if err != nil {
			return nil, err
		}
		page.Resources = rs
		if len(page.Resources) > q.Count {
			more = true
			page.Resources = page.Resources[:q.Count]
		}
		for _, r := range page.Resources {
			page.Cursors = append(page.Cursors, store.EncodeCursor(typ, q, s.position(q, r, nil)))
		}
		if more {
			page.NextCursor = page.Cursors[len(page.Cursors)-1]
		}
		if after == nil && !more {
			page.TotalResults = len(page.Resources)
			return page, nil
		}
	}
	count := cat(`SELECT COUNT(*) FROM scimkit_resources r WHERE `, where)
	if err := s.db.QueryRowContext(ctx, s.sqlOnce(count.sql), count.args...).Scan(&page.TotalResults); err != nil {
		return nil, s.fault("counting "+typ, err)
	}
	return page, nil
}

// keyset is the condition "after c" in the order of sort key key (""
// when unsorted), absent keys last in both directions, ties by
// (created_ns, id).
func (s *Store) keyset(key string, desc bool, c *store.Cursor) frag {
	tie := cat("(r.created_ns, "+s.collate("r.id")+") > (", bind{c.Seq}, ", ", bind{c.ID}, ")")
	if key == "" {
		return tie
	}
	if c.Key == nil {
		return cat("(", key, ") IS NULL AND ", tie)
	}
	var k any = c.Key
	if t, ok := c.Key.(time.Time); ok {
		k = t.UnixNano()
	}
	op := " > "
	if desc {
		op = " < "
	}
	return cat("((", key, ") IS NULL OR (", key, ")"+op, bind{k}, " OR ((", key, ") = ", bind{k}, " AND ", tie, "))")
}
