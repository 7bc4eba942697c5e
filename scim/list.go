package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	fp "github.com/scim2/filter-parser/v2"

	"github.com/scimkit/scimkit/internal/clip"
	"github.com/scimkit/scimkit/internal/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

func (h *Handler) list(req *request, rt *schema.ResourceType) error {
	return h.runList(req, rt, req.query)
}

// search serves POST /{endpoint}/.search (RFC 7644 §3.4.3).
func (h *Handler) search(req *request, rt *schema.ResourceType) error {
	p, err := h.searchParams(req)
	if err != nil {
		return err
	}
	return h.runList(req, rt, p)
}

// searchParams reads a SearchRequest body: the parameters come from its
// members, matched case-insensitively; other members (schemas) are
// ignored.
func (h *Handler) searchParams(req *request) (listParams, error) {
	var p listParams
	body, err := h.readBody(req)
	if err != nil {
		return p, err
	}
	for key, v := range body {
		if f, _ := p.field(key); f == nil || v == nil {
			continue
		}
		s, ok := searchValue(v)
		if !ok {
			return p, paramError(key, "must be a string (attributes and excludedAttributes may be an array of strings)")
		}
		if err := p.put(key, s); err != nil {
			return p, err
		}
	}
	return p, nil
}

// searchValue reads a /.search member as the query parameter it stands for.
func searchValue(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return string(t), true
	case []any:
		parts := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ","), true
	}
	return "", false
}

func (h *Handler) runList(req *request, rt *schema.ResourceType, p listParams) error {
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
	q, proj, err := h.query(rt, p, expr)
	if err != nil {
		return err
	}
	page, err := h.listPage(req, rt, q)
	if err != nil {
		return err
	}
	req.obs.listed(page.TotalResults)
	items := make([]listed, len(page.Resources))
	for i, r := range page.Resources {
		items[i] = listed{rt, r, proj}
	}
	pg := listPaging{total: page.TotalResults, startIndex: q.StartIndex}
	if q.UseCursor {
		pg.cursor, pg.next, pg.after = true, page.NextCursor, page.Cursors
	}
	buf, err := h.appendListResponse(items, pg, req.baseURL)
	if err != nil {
		return err
	}
	writeJSON(req.w, http.StatusOK, buf)
	return nil
}

// checkCursor refuses cursor paging where it cannot be served. The cursor
// parameter, even empty, asks for it (RFC 9865 §2); startIndex asks for
// index paging, so both at once is ambiguous. A Store that does not page
// by cursor would answer with the first page and no nextCursor, which a
// client reads as the end of the list: 501 instead.
func (h *Handler) checkCursor(p listParams) error {
	if !p.has(pCursor) {
		return nil
	}
	if p.has(pStartIndex) {
		return errorf(http.StatusBadRequest, InvalidValue, "startIndex and cursor ask for two kinds of paging: send startIndex (index paging) or cursor (cursor paging, RFC 9865), not both")
	}
	if !h.cursors {
		return errorf(http.StatusNotImplemented, "", "cursor paging (RFC 9865) is not supported by this service's store: page with startIndex and count (/ServiceProviderConfig has pagination.cursor false)")
	}
	return nil
}

// parseFilter parses the filter parameter; nil when none was given (given
// empty, it fails to parse: never "no filter").
func (h *Handler) parseFilter(p listParams) (fp.Expression, error) {
	if !p.has(pFilter) {
		return nil, nil
	}
	if len(p.filter) > h.limits.MaxFilterLength {
		return nil, errorf(http.StatusBadRequest, InvalidFilter, "filter: longer than %d bytes", h.limits.MaxFilterLength)
	}
	return filter.Parse(p.filter)
}

func checkSortOrder(p listParams) error {
	switch strings.ToLower(p.sortOrder) {
	case "", "ascending", "descending":
		return nil
	}
	return errorf(http.StatusBadRequest, InvalidValue, "sortOrder=%q: use ascending or descending", clip.String(p.sortOrder, 64))
}

// query builds the Query and the projection p asks of resource type rt,
// the filter expr compiled against it.
func (h *Handler) query(rt *schema.ResourceType, p listParams, expr fp.Expression) (store.Query, *projection, error) {
	q := store.Query{StartIndex: 1, Count: h.limits.MaxPageSize}
	proj, err := parseProjection(rt, p.attributes, p.excluded, h.limits.MaxAttributes)
	if err != nil {
		return q, nil, err
	}
	if p.has(pStartIndex) {
		n, err := strconv.Atoi(strings.TrimSpace(p.startIndex))
		if err != nil {
			return q, nil, badParam("startIndex", p.startIndex)
		}
		q.StartIndex = max(n, 1)
	}
	if p.has(pCursor) {
		q.UseCursor, q.Cursor = true, p.cursor
	}
	if p.has(pCount) {
		n, err := strconv.Atoi(strings.TrimSpace(p.count))
		if err != nil {
			return q, nil, badParam("count", p.count)
		}
		q.Count = min(max(n, 0), h.limits.MaxPageSize)
	}
	if expr != nil {
		if q.Filter, err = store.CompileFilter(expr, rt); err != nil {
			return q, nil, err
		}
		q.Filter.LimitWork(h.limits.MaxFilterWork)
	}
	if p.sortBy != "" {
		path, err := filter.ParsePath(p.sortBy)
		if err != nil || path.ValueExpression != nil {
			return q, nil, errorf(http.StatusBadRequest, InvalidPath, "sortBy=%q is not an attribute path", clip.String(p.sortBy, 64))
		}
		q.SortBy = store.CompilePath(path.AttributePath, rt)
	}
	q.SortDescending = strings.EqualFold(p.sortOrder, "descending")
	return q, proj, nil
}

// listPage lists one page of rt, answering a filter over its work limit
// with 400 tooMany.
func (h *Handler) listPage(req *request, rt *schema.ResourceType, q store.Query) (*store.Page, error) {
	page, err := h.store.List(req.ctx, rt.Name, q)
	if errors.Is(err, store.ErrFilterTooCostly) || err == nil && q.Filter.Err() != nil {
		return nil, errorf(http.StatusBadRequest, TooMany, "the filter compares more stored values than one request may (%d units; Limits.MaxFilterWork): narrow it with an equality on userName, externalId or id, which an index answers, or use fewer terms", h.limits.MaxFilterWork)
	}
	if err == nil && q.UseCursor && len(page.Cursors) != len(page.Resources) {
		return nil, fmt.Errorf("scim: the Store listed %s by cursor with %d Page.Cursors for %d resources: a CursorPager gives one per resource", rt.Name, len(page.Cursors), len(page.Resources))
	}
	return page, err
}
