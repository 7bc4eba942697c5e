package scim

import (
	"net/http"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/internal/canon"
	"github.com/scimkit/scimkit/internal/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

// projection is what the attributes and excludedAttributes parameters ask
// for (RFC 7644 §3.4.2.5 and §3.9).
type projection struct {
	include     []projItem // attributes=…: only these (plus schemas and id)
	exclude     []projItem // excludedAttributes=…: all but these
	omitMembers bool       // excluded "members": the fast path can honour it
	omitGroups  bool       // excluded "groups": likewise
}

// projItem is one resolved attribute reference. key is the top-level key
// in the representation ("userName", "meta", or an extension URN); name is
// the attribute inside an extension; sub the sub-attribute.
type projItem struct {
	key  string
	name string
	sub  string
}

func (p *projection) needsMap() bool {
	if p == nil {
		return false
	}
	return len(p.include) > 0 || len(p.exclude) > 0
}

// parseProjection resolves the comma-separated attribute lists against rt.
// Names the schema does not define are ignored; a list of more than
// maxItems items is refused, and an item repeated counts once, so that
// shaping a resource costs what the schema has, not what the URL repeats.
func parseProjection(rt *schema.ResourceType, attributes, excluded string, maxItems int) (*projection, error) {
	for _, l := range []struct{ name, list string }{{"attributes", attributes}, {"excludedAttributes", excluded}} {
		if n := strings.Count(l.list, ",") + 1; n > maxItems {
			return nil, errorf(http.StatusBadRequest, InvalidValue, "%s lists %d items; at most %d", l.name, n, maxItems)
		}
	}
	p := &projection{}
	var err error
	if p.include, err = parseItems(rt, attributes); err != nil {
		return nil, err
	}
	ex, err := parseItems(rt, excluded)
	if err != nil {
		return nil, err
	}
	for _, it := range ex {
		switch {
		case it.key == "members" && it.sub == "" && rt.Name == "Group":
			p.omitMembers = true
		case it.key == "groups" && it.sub == "" && rt.Name == "User":
			p.omitGroups = true
		case it.key == "id" || it.key == "schemas":
			// always returned
		default:
			p.exclude = append(p.exclude, it)
		}
	}
	return p, nil
}

func parseItems(rt *schema.ResourceType, list string) ([]projItem, error) {
	var out []projItem
	add := func(it projItem) {
		if !slices.Contains(out, it) { // out is bounded by the schema's size
			out = append(out, it)
		}
	}
	for _, raw := range strings.Split(list, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		if s, rest, ok := canon.SplitURN(rt, raw); ok && rest == "" && s != rt.Schema {
			add(projItem{key: s.ID})
			continue
		}
		path, err := filter.ParsePath(raw)
		if err != nil {
			return nil, errorf(http.StatusBadRequest, InvalidPath, "attribute %q: %v", raw, err)
		}
		ap := path.AttributePath
		sub := ""
		if ap.SubAttribute != nil {
			sub = *ap.SubAttribute
		} else if path.SubAttribute != nil {
			sub = *path.SubAttribute
		}
		s := rt.Schema
		if ap.URIPrefix != nil {
			es, rest, ok := canon.SplitURN(rt, *ap.URIPrefix)
			if !ok || rest != "" {
				continue
			}
			s = es
		}
		name := ap.AttributeName
		if s == rt.Schema {
			switch strings.ToLower(name) {
			case "id":
				add(projItem{key: "id"})
				continue
			case "schemas":
				add(projItem{key: "schemas"})
				continue
			case "externalid":
				add(projItem{key: "externalId"})
				continue
			case "meta":
				add(projItem{key: "meta", sub: metaSub(sub)})
				continue
			}
		}
		a := s.Attribute(name)
		if a == nil {
			continue
		}
		it := projItem{key: a.Name}
		if s != rt.Schema {
			it = projItem{key: s.ID, name: a.Name}
		}
		if sub != "" {
			sa := a.Sub(sub)
			if sa == nil {
				continue
			}
			it.sub = sa.Name
		}
		add(it)
	}
	return out, nil
}

func metaSub(sub string) string {
	for _, n := range []string{"resourceType", "created", "lastModified", "location", "version"} {
		if strings.EqualFold(n, sub) {
			return n
		}
	}
	return ""
}

// apply shapes the full representation m in place.
func (p *projection) apply(m map[string]any) {
	if p.omitMembers {
		delete(m, "members")
	}
	if p.omitGroups {
		delete(m, "groups")
	}
	if len(p.include) > 0 {
		out := map[string]any{"schemas": m["schemas"], "id": m["id"]}
		for _, it := range p.include {
			copyItem(out, m, it)
		}
		clear(m)
		for k, v := range out {
			m[k] = v
		}
	}
	for _, it := range p.exclude {
		removeItem(m, it)
	}
}

// container returns the map holding item it's attribute: m itself, or the
// extension object.
func container(m map[string]any, it projItem) (map[string]any, string) {
	if it.name == "" {
		return m, it.key
	}
	ext, _ := m[it.key].(map[string]any)
	return ext, it.name
}

func copyItem(dst, src map[string]any, it projItem) {
	from, name := container(src, it)
	if from == nil {
		return
	}
	v, ok := from[name]
	if !ok {
		return
	}
	to := dst
	if it.name != "" {
		ext, _ := dst[it.key].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
			dst[it.key] = ext
		}
		to = ext
	}
	if it.sub == "" {
		to[name] = v
		return
	}
	switch t := v.(type) {
	case map[string]any:
		cur, _ := to[name].(map[string]any)
		if cur == nil {
			cur = map[string]any{}
			to[name] = cur
		}
		if sv, ok := t[it.sub]; ok {
			cur[it.sub] = sv
		}
	case []any:
		cur, _ := to[name].([]any)
		if len(cur) != len(t) {
			cur = make([]any, len(t))
			for i := range cur {
				cur[i] = map[string]any{}
			}
			to[name] = cur
		}
		for i, e := range t {
			em, _ := e.(map[string]any)
			cm, _ := cur[i].(map[string]any)
			if em == nil || cm == nil {
				continue
			}
			if sv, ok := em[it.sub]; ok {
				cm[it.sub] = sv
			}
		}
	}
}

func removeItem(m map[string]any, it projItem) {
	from, name := container(m, it)
	if from == nil {
		return
	}
	if it.sub == "" {
		delete(from, name)
		if it.name != "" && len(from) == 0 {
			delete(m, it.key)
		}
		return
	}
	switch t := from[name].(type) {
	case map[string]any:
		delete(t, it.sub)
	case []any:
		for _, e := range t {
			if em, ok := e.(map[string]any); ok {
				delete(em, it.sub)
			}
		}
	}
}
