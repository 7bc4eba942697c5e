package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/scimkit/scimkit/store"
)

// List implements store.Store. Filters with an equality on a unique
// attribute (userName, a group's displayName …), externalId or id (alone
// or in an "and") are answered from an index; any other filter scans the
// tenant's resources of that type.
func (s *Store) List(ctx context.Context, typ string, q store.Query) (*store.Page, error) {
	t, err := s.tenant(ctx, false)
	if err != nil {
		return nil, err
	}
	after, err := position(typ, q)
	if err != nil {
		return nil, err // refused even where there is nothing to list
	}
	if t == nil {
		return &store.Page{}, nil
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	tb := t.table(typ, false)
	if tb == nil {
		return &store.Page{}, nil
	}

	candidates := tb.order
	filter := q.Filter
	if filter != nil {
		var exact bool
		candidates, exact = t.candidates(typ, tb, filter)
		if exact {
			filter = nil // the index answered the whole filter
		}
	}
	var matched []hit
	needFull := filter != nil || q.SortBy != nil // filters and sortBy may read members or groups
	for _, e := range candidates {
		h := hit{e: e, pos: store.Cursor{Seq: int64(e.seq)}}
		if filter != nil || q.SortBy != nil {
			r := t.resource(typ, e, needFull)
			attrs, err := store.DecodeAttributes(r)
			if err != nil {
				return nil, err
			}
			if filter != nil && !filter.MatchDecoded(r, attrs) {
				if err := filter.Err(); err != nil {
					return nil, err // over the request's work limit: stop scanning
				}
				continue
			}
			h.pos.Key = q.SortKey(r, attrs)
		}
		matched = append(matched, h)
	}
	if q.SortBy != nil {
		// Stable: equal keys keep creation order, as Query.Sort has it.
		slices.SortStableFunc(matched, func(a, b hit) int { return q.CompareSortKeys(a.pos.Key, b.pos.Key) })
	}
	page := &store.Page{TotalResults: len(matched)}
	if !q.UseCursor {
		for _, h := range window(q, matched) {
			page.Resources = append(page.Resources, t.resource(typ, h.e, true))
		}
		return page, nil
	}
	return t.cursorPage(typ, q, after, matched, page)
}

// hit is a resource that matched: its entry and its position in the
// query's order.
type hit struct {
	e   *entry
	pos store.Cursor
}

// window is Query.Window over hits.
func window(q store.Query, hs []hit) []hit {
	start := max(q.StartIndex, 1)
	if start > len(hs) || q.Count <= 0 {
		return nil
	}
	return hs[start-1 : min(start-1+q.Count, len(hs))]
}

// position decodes q.Cursor: nil for the first page (or no cursor
// paging).
func position(typ string, q store.Query) (*store.Cursor, error) {
	if !q.UseCursor || q.Cursor == "" {
		return nil, nil
	}
	c, err := store.DecodeCursor(typ, q, q.Cursor)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// cursorPage fills page with the hits (in the query's order) that follow
// position after (nil: from the first). A position is (sort key, creation
// sequence): the sequence is never reused, so the page starts right after
// the resource the cursor names, wherever creates and deletes have moved
// the others, and even when that resource itself is gone.
func (t *tenant) cursorPage(typ string, q store.Query, after *store.Cursor, hs []hit, page *store.Page) (*store.Page, error) {
	start, end, more := store.CursorWindow(q, hs, after, func(h hit) store.Cursor { return h.pos })
	for _, h := range hs[start:end] {
		page.Resources = append(page.Resources, t.resource(typ, h.e, true))
		page.Cursors = append(page.Cursors, store.EncodeCursor(typ, q, h.pos))
	}
	if more {
		page.NextCursor = page.Cursors[len(page.Cursors)-1]
	}
	return page, nil
}

// PagesByCursor implements store.CursorPager: List pages by cursor.
func (s *Store) PagesByCursor() bool { return true }

var _ store.CursorPager = (*Store)(nil)

// candidates narrows the scan with an index when the filter requires an
// equality on a unique attribute, externalId or id. exact reports that
// the hits match the whole filter, so Match need not run.
func (t *tenant) candidates(typ string, tb *table, f *store.Filter) (hits []*entry, exact bool) {
	if attr, key, whole, ok := f.UniqueEquality(); ok {
		if e := tb.unique[attr][key]; e != nil {
			return []*entry{e}, whole
		}
		return nil, whole
	}
	indexed := []string{"externalId", "id"}
	attr, value, ok := f.EqualityOnly(indexed...)
	exact = ok
	if !ok {
		if attr, value, ok = f.Equality(indexed...); !ok {
			return tb.order, false
		}
	}
	if attr == "externalId" && value == "" {
		return tb.order, false // "" is not indexed: Match decides (an externalId of "" matches, an absent one not)
	}
	if attr == "id" {
		if e := tb.byID[value]; e != nil {
			return []*entry{e}, exact
		}
		return nil, exact
	}
	hits = slices.Clone(tb.byExt[value])
	slices.SortFunc(hits, func(a, b *entry) int { return cmp.Compare(a.seq, b.seq) }) // creation order
	return hits, exact
}
