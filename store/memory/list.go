package memory

import (
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
	var matched []*store.Resource
	var decoded map[*store.Resource]map[string]any
	if q.SortBy != nil {
		decoded = make(map[*store.Resource]map[string]any)
	}
	needFull := filter != nil // filters may read members or groups
	for _, e := range candidates {
		r := t.resource(typ, e, needFull)
		if filter != nil {
			attrs, err := store.DecodeAttributes(r)
			if err != nil {
				return nil, err
			}
			if !filter.MatchDecoded(r, attrs) {
				if err := filter.Err(); err != nil {
					return nil, err // over the request's work limit: stop scanning
				}
				continue
			}
			if decoded != nil {
				decoded[r] = attrs
			}
		}
		matched = append(matched, r)
	}
	if q.SortBy != nil {
		q.Sort(matched, func(r *store.Resource) map[string]any {
			if a, ok := decoded[r]; ok {
				return a
			}
			a, _ := store.DecodeAttributes(r)
			return a
		})
	}
	page := &store.Page{TotalResults: len(matched)}
	for _, r := range q.Window(matched) {
		page.Resources = append(page.Resources, t.resource(typ, tb.byID[r.ID], true))
	}
	return page, nil
}

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
	if attr == "id" {
		if e := tb.byID[value]; e != nil {
			return []*entry{e}, exact
		}
		return nil, exact
	}
	hits = slices.Clone(tb.byExt[value])
	slices.SortFunc(hits, func(a, b *entry) int { return compareU64(a.seq, b.seq) }) // creation order
	return hits, exact
}
