package scim

import (
	"net/http"
)

// searchAll serves POST /.search at the root (RFC 7644 §3.4.3): the filter
// runs on every resource type, and each resource's schemas tell its type.
// The results of a type follow those of the type registered before it
// (Users, Groups, then your own), and paging runs over them all. A filter
// that does not fit a type (a boolean attribute compared with a string)
// matches nothing of it, unless it fits no type at all: then it is 400.
// sortBy is refused here: search one endpoint to sort.
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
	expr, err := h.parseFilter(p)
	if err != nil {
		return err
	}
	var (
		items    []listed
		total    int
		start    int
		firstErr error
		compiled int
	)
	for _, rt := range h.reg.ResourceTypes() {
		q, proj, err := h.query(rt, p, expr)
		if err != nil {
			if asError(err).ScimType != InvalidFilter {
				return err // paging and projection errors hold for every type
			}
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		compiled++
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
	if compiled == 0 && firstErr != nil {
		return firstErr
	}
	buf, err := h.appendListResponse(items, total, max(start, 1), req.baseURL)
	if err != nil {
		return err
	}
	writeJSON(req.w, http.StatusOK, buf)
	return nil
}
