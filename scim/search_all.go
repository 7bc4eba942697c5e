package scim

import (
	"fmt"
	"net/http"

	fp "github.com/scim2/filter-parser/v2"

	"github.com/scimkit/scimkit/internal/clip"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// searchAll serves POST /.search at the root (RFC 7644 §3.4.3): the filter
// runs on every resource type, and each resource's schemas tell its type.
// The results of a type follow those of the type registered before it
// (Users, Groups, then your own), and paging runs over them all. A filter
// that does not fit a type (a boolean attribute compared with a string)
// matches nothing of it, unless it fits no type at all: then it is 400.
// sortBy is refused here: search one endpoint to sort.
//
// Cursor paging (RFC 9865) works here too: the cursor names a resource
// type and the Store's position within it, so the walk goes through the
// types in the same order and stays exact while resources are created and
// deleted.
func (h *Handler) searchAll(req *request) error {
	p, err := h.searchParams(req)
	if err != nil {
		return err
	}
	if p.sortBy != "" {
		return errorf(http.StatusBadRequest, InvalidValue, "sortBy is not supported by a search across resource types; POST to an endpoint's /.search (such as /Users/.search) to sort")
	}
	if err := checkSortOrder(p); err != nil {
		return err
	}
	if err := h.checkCursor(p); err != nil {
		return err
	}
	expr, err := h.parseFilter(p)
	if err != nil {
		return err
	}
	if p.has(pCursor) {
		return h.searchAllByCursor(req, p, expr)
	}
	var (
		items []listed
		total int
		start int
	)
	searched, err := h.searchedTypes(p, expr)
	if err != nil {
		return err
	}
	for _, st := range searched {
		rt, q, proj := st.rt, st.q, st.proj
		start = q.StartIndex
		// This type's part of the window: what is left of it past the
		// results of the types before.
		want := q.Count - len(items)
		q.StartIndex = max(1, start-total)
		q.Count = max(0, want)
		page, err := h.listPage(req, rt, q)
		if err != nil {
			return err
		}
		for _, r := range page.Resources {
			items = append(items, listed{rt, r, proj})
		}
		total += page.TotalResults
	}
	buf, err := h.appendListResponse(items, listPaging{total: total, startIndex: max(start, 1)}, req.baseURL)
	if err != nil {
		return err
	}
	writeJSON(req.w, http.StatusOK, buf)
	return nil
}

// searchAllByCursor is searchAll in cursor paging. The types before the
// cursor's are listed for their totalResults only (count 0); the cursor's
// type from its position on, and the types after it from their start,
// until the page is full; those after that for their totals again.
func (h *Handler) searchAllByCursor(req *request, p listParams, expr fp.Expression) error {
	var from searchCursor // the zero value: the first page
	if p.cursor != "" {
		var err error
		if from, err = decodeSearchCursor(p.cursor); err != nil {
			return err
		}
	}
	reached := from.typ == "" // the walk has reached the cursor's type
	var (
		items []listed
		pg    = listPaging{cursor: true}
		more  bool // a result follows the last item
	)
	searched, err := h.searchedTypes(p, expr)
	if err != nil {
		return err
	}
	for _, st := range searched {
		rt, q, proj := st.rt, st.q, st.proj
		want := q.Count - len(items)
		if more {
			want = 0 // a Store may end a page early: the walk goes on there
		}
		q.Cursor, q.Count = "", max(0, want)
		switch {
		case !reached && rt.Name != from.typ:
			q.Count = 0 // before the cursor: only its total
		case !reached:
			reached, q.Cursor = true, from.inner
		}
		page, err := h.listPage(req, rt, q)
		if err != nil {
			return err
		}
		pg.total += page.TotalResults
		if !reached {
			continue
		}
		for i, r := range page.Resources {
			items = append(items, listed{rt, r, proj})
			pg.after = append(pg.after, searchCursor{rt.Name, page.Cursors[i]}.encode())
		}
		if page.NextCursor != "" || q.Count == 0 && q.Cursor == "" && page.TotalResults > 0 {
			more = true // more of this type after the page, or a type after it
		}
	}
	if !reached {
		return fmt.Errorf("%w: its resource type %q is not searched by this filter", store.ErrInvalidCursor, clip.String(from.typ, 64))
	}
	if more && len(items) > 0 {
		pg.next = pg.after[len(pg.after)-1]
	}
	buf, err := h.appendListResponse(items, pg, req.baseURL)
	if err != nil {
		return err
	}
	writeJSON(req.w, http.StatusOK, buf)
	return nil
}

// searchedType is one resource type a root search lists, with its query
// and projection.
type searchedType struct {
	rt   *schema.ResourceType
	q    store.Query
	proj *projection
}

// searchedTypes compiles the search for every resource type, in
// registration order. A filter that does not fit a type leaves that type
// out; one that fits none is the error of the first type. Other errors
// (paging, projection) hold for every type and are returned at once.
func (h *Handler) searchedTypes(p listParams, expr fp.Expression) ([]searchedType, error) {
	var out []searchedType
	var firstErr error
	for _, rt := range h.reg.ResourceTypes() {
		q, proj, err := h.query(rt, p, expr)
		if err != nil {
			if asError(err).ScimType != InvalidFilter {
				return nil, err
			}
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		out = append(out, searchedType{rt, q, proj})
	}
	if len(out) == 0 && firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}
