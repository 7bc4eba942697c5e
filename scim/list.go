package scim

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/internal/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

func (h *Handler) list(req *request, rt *schema.ResourceType) error {
	return h.runList(req, rt, req.query)
}

// search serves POST /Users/.search (RFC 7644 §3.4.3): the parameters come
// from the body's members, matched case-insensitively; other members
// (schemas) are ignored.
func (h *Handler) search(req *request, rt *schema.ResourceType) error {
	body, err := h.readBody(req)
	if err != nil {
		return err
	}
	var p listParams
	for key, v := range body {
		if f, _ := p.field(key); f == nil || v == nil {
			continue
		}
		s, ok := searchValue(v)
		if !ok {
			return paramError(key, "must be a string (attributes and excludedAttributes may be an array of strings)")
		}
		if err := p.put(key, s); err != nil {
			return err
		}
	}
	return h.runList(req, rt, p)
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
	proj, err := parseProjection(rt, p.attributes, p.excluded, h.limits.MaxAttributes)
	if err != nil {
		return err
	}
	q := store.Query{StartIndex: 1, Count: h.limits.MaxPageSize}
	if p.has(pStartIndex) {
		n, err := strconv.Atoi(strings.TrimSpace(p.startIndex))
		if err != nil {
			return badParam("startIndex", p.startIndex)
		}
		if n > 1 {
			q.StartIndex = n
		}
	}
	if p.has(pCount) {
		n, err := strconv.Atoi(strings.TrimSpace(p.count))
		if err != nil {
			return badParam("count", p.count)
		}
		q.Count = min(max(n, 0), h.limits.MaxPageSize)
	}
	if p.has(pFilter) { // given empty, it fails to parse: never "no filter"
		if len(p.filter) > h.limits.MaxFilterLength {
			return errorf(http.StatusBadRequest, InvalidFilter, "filter: longer than %d bytes", h.limits.MaxFilterLength)
		}
		expr, err := filter.Parse(p.filter)
		if err != nil {
			return err
		}
		if q.Filter, err = store.CompileFilter(expr, rt); err != nil {
			return err
		}
		q.Filter.LimitWork(h.limits.MaxFilterWork)
	}
	if p.sortBy != "" {
		path, err := filter.ParsePath(p.sortBy)
		if err != nil || path.ValueExpression != nil {
			return errorf(http.StatusBadRequest, InvalidPath, "sortBy=%q is not an attribute path", truncate(p.sortBy, 64))
		}
		q.SortBy = store.CompilePath(path.AttributePath, rt)
	}
	switch strings.ToLower(p.sortOrder) {
	case "", "ascending":
	case "descending":
		q.SortDescending = true
	default:
		return errorf(http.StatusBadRequest, InvalidValue, "sortOrder=%q: use ascending or descending", truncate(p.sortOrder, 64))
	}
	page, err := h.store.List(req.ctx, rt.Name, q)
	if errors.Is(err, store.ErrFilterTooCostly) || err == nil && q.Filter.Err() != nil {
		return errorf(http.StatusBadRequest, TooMany, "the filter compares more stored values than one request may (%d units; Limits.MaxFilterWork): narrow it with an equality on userName, externalId or id, which an index answers, or use fewer terms", h.limits.MaxFilterWork)
	}
	if err != nil {
		return err
	}
	buf, err := h.appendListResponse(rt, page, q.StartIndex, req.baseURL, proj)
	if err != nil {
		return err
	}
	writeJSON(req.w, http.StatusOK, buf)
	return nil
}
