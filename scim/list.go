package scim

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/internal/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// listParams are the query parameters of RFC 7644 §3.4.2, from the URL or
// a /.search body.
type listParams struct {
	filter, sortBy, sortOrder string
	startIndex, count         string
	attributes, excluded      string
}

// param returns the query parameter name, matched case-insensitively.
func param(q url.Values, name string) string {
	if v, ok := q[name]; ok && len(v) > 0 {
		return v[0]
	}
	for k, v := range q {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func (h *Handler) list(req *request, rt *schema.ResourceType) error {
	q := req.r.URL.Query()
	return h.runList(req, rt, listParams{
		filter:     param(q, "filter"),
		sortBy:     param(q, "sortBy"),
		sortOrder:  param(q, "sortOrder"),
		startIndex: param(q, "startIndex"),
		count:      param(q, "count"),
		attributes: param(q, "attributes"),
		excluded:   param(q, "excludedAttributes"),
	})
}

// search serves POST /Users/.search (RFC 7644 §3.4.3).
func (h *Handler) search(req *request, rt *schema.ResourceType) error {
	body, err := h.readBody(req)
	if err != nil {
		return err
	}
	str := func(k string) string {
		for key, v := range body {
			if strings.EqualFold(key, k) {
				switch t := v.(type) {
				case string:
					return t
				case []any:
					parts := make([]string, 0, len(t))
					for _, e := range t {
						if s, ok := e.(string); ok {
							parts = append(parts, s)
						}
					}
					return strings.Join(parts, ",")
				default:
					if v != nil {
						b, _ := marshal(v)
						return string(b)
					}
				}
			}
		}
		return ""
	}
	return h.runList(req, rt, listParams{
		filter: str("filter"), sortBy: str("sortBy"), sortOrder: str("sortOrder"),
		startIndex: str("startIndex"), count: str("count"),
		attributes: str("attributes"), excluded: str("excludedAttributes"),
	})
}

func (h *Handler) runList(req *request, rt *schema.ResourceType, p listParams) error {
	proj, err := parseProjection(rt, p.attributes, p.excluded)
	if err != nil {
		return err
	}
	q := store.Query{StartIndex: 1, Count: h.limits.MaxPageSize}
	if p.startIndex != "" {
		n, err := strconv.Atoi(strings.TrimSpace(p.startIndex))
		if err != nil {
			return badParam("startIndex", p.startIndex)
		}
		if n > 1 {
			q.StartIndex = n
		}
	}
	if p.count != "" {
		n, err := strconv.Atoi(strings.TrimSpace(p.count))
		if err != nil {
			return badParam("count", p.count)
		}
		q.Count = min(max(n, 0), h.limits.MaxPageSize)
	}
	if p.filter != "" {
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
	}
	if p.sortBy != "" {
		path, err := filter.ParsePath(p.sortBy)
		if err != nil || path.ValueExpression != nil {
			return errorf(http.StatusBadRequest, InvalidPath, "sortBy=%q is not an attribute path", p.sortBy)
		}
		q.SortBy = store.CompilePath(path.AttributePath, rt)
	}
	switch strings.ToLower(p.sortOrder) {
	case "", "ascending":
	case "descending":
		q.SortDescending = true
	default:
		return errorf(http.StatusBadRequest, InvalidValue, "sortOrder=%q: use ascending or descending", p.sortOrder)
	}
	page, err := h.store.List(req.ctx, rt.Name, q)
	if err != nil {
		return err
	}
	buf, err := h.appendListResponse(make([]byte, 0, 256+1024*len(page.Resources)), rt, page, q.StartIndex, req.baseURL, proj)
	if err != nil {
		return err
	}
	writeJSON(req.w, http.StatusOK, buf)
	return nil
}
