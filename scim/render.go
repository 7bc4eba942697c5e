package scim

import (
	"strconv"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// etag is the weak entity tag of a version.
func etag(version string) string { return `W/"` + version + `"` }

// location is the URL of resource id of type rt.
func location(base string, rt *schema.ResourceType, id string) string {
	return base + rt.Endpoint + "/" + id
}

// appendResource appends the JSON representation of r, shaped by proj.
func (h *Handler) appendResource(buf []byte, rt *schema.ResourceType, r *store.Resource, base string, proj *projection) ([]byte, error) {
	if proj.needsMap() {
		m, err := h.resourceMap(rt, r, base)
		if err != nil {
			return nil, err
		}
		proj.apply(m)
		b, err := marshal(m)
		if err != nil {
			return nil, err
		}
		return append(buf, b...), nil
	}
	// Fast path: splice the stored attributes between id and meta.
	buf = append(buf, `{"schemas":[`...)
	buf = appendString(buf, rt.Schema.ID)
	for _, s := range r.Schemas {
		buf = append(buf, ',')
		buf = appendString(buf, s)
	}
	attrs, err := h.rules[rt].showRaw(r.Attributes, base)
	if err != nil {
		return nil, err
	}
	buf = append(buf, `],"id":`...)
	buf = appendString(buf, r.ID)
	if inner := innerObject(attrs); len(inner) > 0 {
		buf = append(buf, ',')
		buf = append(buf, inner...)
	}
	if len(r.Members) > 0 && !proj.omitMembers {
		buf = append(buf, `,"members":[`...)
		for i, m := range r.Members {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendRef(buf, m.Value, base, m.Type, m.Display, m.Type)
		}
		buf = append(buf, ']')
	}
	if len(r.Groups) > 0 && !proj.omitGroups {
		buf = append(buf, `,"groups":[`...)
		for i, g := range r.Groups {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendRef(buf, g.Value, base, store.Group, g.Display, "direct")
		}
		buf = append(buf, ']')
	}
	buf = append(buf, `,"meta":{"resourceType":`...)
	buf = appendString(buf, r.Type)
	buf = append(buf, `,"created":"`...)
	buf = r.Created.UTC().AppendFormat(buf, timeLayout)
	buf = append(buf, `","lastModified":"`...)
	buf = r.LastModified.UTC().AppendFormat(buf, timeLayout)
	buf = append(buf, `","location":`...)
	buf = appendString(buf, location(base, rt, r.ID))
	buf = append(buf, `,"version":`...)
	buf = appendString(buf, etag(r.Version))
	return append(buf, "}}"...), nil
}

func appendRef(buf []byte, id, base, refType, display, typ string) []byte {
	buf = append(buf, `{"value":`...)
	buf = appendString(buf, id)
	buf = append(buf, `,"$ref":`...)
	if refType == store.Group {
		buf = appendString(buf, base+"/Groups/"+id)
	} else {
		buf = appendString(buf, base+"/Users/"+id)
	}
	if display != "" {
		buf = append(buf, `,"display":`...)
		buf = appendString(buf, display)
	}
	if typ != "" {
		buf = append(buf, `,"type":`...)
		buf = appendString(buf, typ)
	}
	return append(buf, '}')
}

// innerObject returns the members of a compact JSON object without the
// braces: `"a":1,"b":2` for `{"a":1,"b":2}`.
func innerObject(raw []byte) []byte {
	if len(raw) < 2 || raw[0] != '{' || raw[len(raw)-1] != '}' {
		return nil
	}
	return raw[1 : len(raw)-1]
}

// resourceMap is the full representation of r as a map, for projection.
func (h *Handler) resourceMap(rt *schema.ResourceType, r *store.Resource, base string) (map[string]any, error) {
	m, err := store.DecodeAttributes(r)
	if err != nil {
		return nil, err
	}
	h.rules[rt].shown(m, base)
	schemas := make([]any, 0, 1+len(r.Schemas))
	schemas = append(schemas, rt.Schema.ID)
	for _, s := range r.Schemas {
		schemas = append(schemas, s)
	}
	m["schemas"] = schemas
	m["id"] = r.ID
	if len(r.Members) > 0 {
		ms := make([]any, len(r.Members))
		for i, mb := range r.Members {
			ms[i] = refMap(mb.Value, base, mb.Type, mb.Display, mb.Type)
		}
		m["members"] = ms
	}
	if len(r.Groups) > 0 {
		gs := make([]any, len(r.Groups))
		for i, g := range r.Groups {
			gs[i] = refMap(g.Value, base, store.Group, g.Display, "direct")
		}
		m["groups"] = gs
	}
	m["meta"] = map[string]any{
		"resourceType": r.Type,
		"created":      r.Created.UTC().Format(timeLayout),
		"lastModified": r.LastModified.UTC().Format(timeLayout),
		"location":     location(base, rt, r.ID),
		"version":      etag(r.Version),
	}
	return m, nil
}

func refMap(id, base, refType, display, typ string) map[string]any {
	ref := base + "/Users/" + id
	if refType == store.Group {
		ref = base + "/Groups/" + id
	}
	m := map[string]any{"value": id, "$ref": ref}
	if display != "" {
		m["display"] = display
	}
	if typ != "" {
		m["type"] = typ
	}
	return m
}

// listed is one resource of a list, with how to render it.
type listed struct {
	rt   *schema.ResourceType
	r    *store.Resource
	proj *projection
}

// listPaging is what a ListResponse says of its page besides the
// resources.
type listPaging struct {
	total      int
	startIndex int // index paging: the 1-based index of the first item

	// Cursor paging (RFC 9865): no startIndex, and nextCursor when more
	// results follow: next after the whole page, after[i] after items[i]
	// for a page cut short.
	cursor bool
	next   string
	after  []string
}

// appendListResponse renders a ListResponse of items. Resources are added
// until the next one would take the body past Limits.MaxResponseBytes
// (the first one always goes in): itemsPerPage then says how many the
// page holds, and the client's next startIndex follows from it; in cursor
// paging, nextCursor is the position after the last item sent.
func (h *Handler) appendListResponse(items []listed, pg listPaging, base string) ([]byte, error) {
	body := make([]byte, 0, min(1024*len(items), h.limits.MaxResponseBytes))
	n := 0
	var err error
	for _, it := range items {
		mark := len(body)
		if n > 0 {
			body = append(body, ',')
		}
		if body, err = h.appendResource(body, it.rt, it.r, base, it.proj); err != nil {
			return nil, err
		}
		if n > 0 && len(body) > h.limits.MaxResponseBytes {
			body = body[:mark]
			break
		}
		n++
	}
	buf := make([]byte, 0, len(body)+256+len(pg.next))
	buf = append(buf, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":`...)
	buf = strconv.AppendInt(buf, int64(pg.total), 10)
	if !pg.cursor {
		buf = append(buf, `,"startIndex":`...)
		buf = strconv.AppendInt(buf, int64(pg.startIndex), 10)
	}
	buf = append(buf, `,"itemsPerPage":`...)
	buf = strconv.AppendInt(buf, int64(n), 10)
	if next := pg.nextAfter(n, len(items)); next != "" {
		buf = append(buf, `,"nextCursor":`...)
		buf = appendString(buf, next)
	}
	buf = append(buf, `,"Resources":[`...)
	buf = append(buf, body...)
	return append(buf, "]}"...), nil
}

// nextAfter is the nextCursor of a page that sent n of its items: the
// Store's for the whole page, or the position after the last item sent
// when the page was cut short (more results follow then: the items cut).
func (pg listPaging) nextAfter(n, items int) string {
	switch {
	case !pg.cursor:
		return ""
	case n < items:
		return pg.after[n-1]
	}
	return pg.next
}
