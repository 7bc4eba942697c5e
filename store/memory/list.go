package memory

import (
	"context"

	"github.com/scimkit/scimkit/store"
)

// List implements store.Store. Filters with an equality on userName,
// externalId, id or displayName (alone or in an "and") are answered from
// an index; any other filter scans the tenant's resources of that type.
func (s *Store) List(ctx context.Context, typ string, q store.Query) (*store.Page, error) {
	t, err := s.tenant(ctx, false)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return &store.Page{}, nil
	}
	tb, err := t.table(typ)
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()

	candidates := tb.order
	if q.Filter != nil {
		candidates = t.candidates(typ, tb, q.Filter)
	}
	var matched []*store.Resource
	var decoded map[*store.Resource]map[string]any
	if q.SortBy != nil {
		decoded = make(map[*store.Resource]map[string]any)
	}
	needFull := q.Filter != nil // filters may read members or groups
	for _, e := range candidates {
		r := t.resource(typ, e, needFull)
		if q.Filter != nil {
			attrs, err := store.DecodeAttributes(r)
			if err != nil {
				return nil, err
			}
			if !q.Filter.MatchDecoded(r, attrs) {
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

func (t *tenant) candidates(typ string, tb *table, f *store.Filter) []*entry {
	name := "userName"
	if typ == store.Group {
		name = "displayName"
	}
	attr, value, ok := f.Equality(name, "externalId", "id")
	if !ok {
		return tb.order
	}
	switch attr {
	case "id":
		if e := tb.byID[value]; e != nil {
			return []*entry{e}
		}
		return nil
	case "externalId":
		return tb.byExt[value]
	}
	if e := tb.byName[fold(value)]; e != nil {
		return []*entry{e}
	}
	return nil
}
