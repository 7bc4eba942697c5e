package store

import (
	"encoding/json"
	"errors"
	"strings"

	fp "github.com/scim2/filter-parser/v2"

	"github.com/scimkit/scimkit/internal/canon"
	"github.com/scimkit/scimkit/internal/jsonv"
	"github.com/scimkit/scimkit/scim/schema"
)

type pathKind uint8

const (
	pathUnknown pathKind = iota // not in the schema: no values
	pathAttr                    // an attribute in Attributes (or in an element, inside a value filter)
	pathID
	pathCreated
	pathLastModified
	pathVersion
	pathResourceType
	pathMembers // a group's members
	pathGroups  // a user's groups
)

// Path is an attribute path resolved against a resource type, ready to read
// values from a Resource. Build one with CompilePath.
type Path struct {
	Name string // canonical spelling, e.g. "name.familyName"

	kind pathKind
	ext  string            // extension URN holding the attribute, or ""
	attr *schema.Attribute // the top-level attribute (or the element's sub-attribute inside a value filter)
	sub  *schema.Attribute // the sub-attribute read, if any
	elem bool              // relative to a multi-valued element (inside a value filter)

	hasValue bool // attr has a "value" sub-attribute (read for "emails co …")
}

// Attribute returns the attribute whose values the path yields: the
// sub-attribute if there is one. It is nil for unknown paths and for id and
// meta sub-attributes.
func (p *Path) Attribute() *schema.Attribute {
	if p.sub != nil {
		return p.sub
	}
	return p.attr
}

// Unknown reports whether the path names nothing in the schema.
func (p *Path) Unknown() bool { return p.kind == pathUnknown }

// Extension returns the URN of the extension the path's attribute belongs
// to, or "" for the core schema.
func (p *Path) Extension() string { return p.ext }

// valueType is the type the path's values compare as.
func (p *Path) valueType() (schema.Type, bool) {
	switch p.kind {
	case pathCreated, pathLastModified:
		return schema.DateTime, false
	case pathID, pathVersion, pathResourceType:
		return schema.String, true
	case pathMembers, pathGroups:
		if p.sub == nil {
			// "members eq id" compares the members' values.
			return schema.String, p.attr.Sub("value") != nil && p.attr.Sub("value").CaseExact
		}
		return schema.String, p.sub.CaseExact
	}
	if a := p.Attribute(); a != nil {
		if a.Type == schema.Complex && p.sub == nil {
			if v := a.Sub("value"); v != nil {
				return v.Type, v.CaseExact
			}
		}
		return a.Type, a.CaseExact
	}
	return schema.String, false
}

// CompilePath resolves ap against rt. Names match case-insensitively; a
// path that names nothing in the schema is not an error: it yields no
// values (so "eq" never matches and "pr" is false). So does a path to an
// attribute whose returned characteristic is "never" (password): it is
// never stored, and a filter or sortBy must not be able to probe it.
func CompilePath(ap fp.AttributePath, rt *schema.ResourceType) *Path {
	return compilePath(ap, rt, nil)
}

func compilePath(ap fp.AttributePath, rt *schema.ResourceType, within *schema.Attribute) *Path {
	p := &Path{}
	sub := ""
	if ap.SubAttribute != nil {
		sub = *ap.SubAttribute
	}
	if within != nil {
		// Inside emails[...]: names are sub-attributes of the element.
		p.elem = true
		p.attr = within.Sub(ap.AttributeName)
		if p.attr == nil || p.attr.Returned == schema.ReturnedNever {
			p.attr = nil
			p.Name = ap.AttributeName
			return p
		}
		p.kind = pathAttr
		p.Name = p.attr.Name
		p.hasValue = p.attr.Sub("value") != nil
		return p
	}
	s := rt.Schema
	if ap.URIPrefix != nil {
		es, rest, ok := canon.SplitURN(rt, *ap.URIPrefix)
		if !ok || rest != "" {
			p.Name = ap.String()
			return p
		}
		s = es
		if es != rt.Schema {
			p.ext = es.ID
		}
	}
	name := ap.AttributeName
	if p.ext == "" {
		switch strings.ToLower(name) {
		case "id":
			if sub == "" {
				p.kind, p.Name = pathID, "id"
				return p
			}
		case "externalid":
			if sub == "" {
				p.kind, p.attr, p.Name = pathAttr, schema.ExternalID, "externalId"
				return p
			}
		case "meta":
			switch strings.ToLower(sub) {
			case "created":
				p.kind, p.Name = pathCreated, "meta.created"
			case "lastmodified":
				p.kind, p.Name = pathLastModified, "meta.lastModified"
			case "version":
				p.kind, p.Name = pathVersion, "meta.version"
			case "resourcetype":
				p.kind, p.Name = pathResourceType, "meta.resourceType"
			default:
				p.Name = ap.String()
			}
			return p
		}
	}
	p.attr = s.Attribute(name)
	if p.attr == nil && ap.URIPrefix == nil {
		// Not in the core schema: an unqualified name that one extension
		// defines (Entra's legacy "manager eq …") means that attribute.
		for _, e := range rt.Extensions {
			if a := e.Attribute(name); a != nil {
				p.attr, p.ext = a, e.ID
				break
			}
		}
	}
	if p.attr == nil || p.attr.Returned == schema.ReturnedNever {
		// A never-returned attribute (password) is never stored, so no
		// filter or sort may reach it: it reads as absent.
		p.attr = nil
		p.Name = ap.String()
		return p
	}
	p.kind = pathAttr
	p.hasValue = p.attr.Sub("value") != nil
	if p.ext == "" && rt.Name == Group && p.attr.Name == "members" {
		p.kind = pathMembers
	}
	if p.ext == "" && rt.Name == User && p.attr.Name == "groups" {
		p.kind = pathGroups
	}
	p.Name = p.attr.Name
	if p.ext != "" {
		p.Name = p.ext + ":" + p.Name
	}
	if sub != "" {
		p.sub = p.attr.Sub(sub)
		if p.sub == nil || p.sub.Returned == schema.ReturnedNever {
			p.sub = nil
			p.kind = pathUnknown
			p.Name += "." + sub
			return p
		}
		p.Name += "." + p.sub.Name
	}
	return p
}

// values returns every value the path reaches in r (attrs is r.Attributes
// decoded) or, inside a value filter, in elem. Multi-valued attributes
// contribute each value, the primary one first (RFC 7644 §3.4.2.3 sorts by
// it).
func (p *Path) values(r *Resource, attrs, elem map[string]any) []any {
	return p.read(r, attrs, elem, false)
}

// valueIter walks the values of a path without collecting them: a
// filter compares each as it comes (and stops at the first that decides),
// in stored order.
type valueIter struct {
	p    *Path
	arr  []any // the values, or the elements to pick them from
	one  any   // the value of a single-valued attribute, when arr is nil
	pick bool  // pick the path's value from each element (or from one)
	i    int
}

// stored returns the attribute's value as stored, in attrs (or its
// extension object) or, inside a value filter, in elem.
func (p *Path) stored(attrs, elem map[string]any) any {
	if p.elem {
		return elem[p.attr.Name]
	}
	src := attrs
	if p.ext != "" {
		src, _ = attrs[p.ext].(map[string]any)
	}
	return src[p.attr.Name]
}

// iter returns an iterator over the values of the path (as values does)
// or, with whole, its nodes: what "pr" tests, where a complex value counts
// as itself, not as its "value" sub-attribute (RFC 7644 §3.4.2.2: pr
// matches a non-empty node). Values come in stored order.
func (p *Path) iter(r *Resource, attrs, elem map[string]any, whole bool) valueIter {
	it := valueIter{p: p}
	if p.kind != pathAttr {
		it.arr = p.read(r, attrs, elem, whole)
		return it
	}
	v := p.stored(attrs, elem)
	it.pick = !whole || p.sub != nil
	if arr, ok := v.([]any); ok {
		it.arr = arr
	} else {
		it.one = v
	}
	return it
}

// next returns the next value, or false when there is none.
func (it *valueIter) next() (any, bool) {
	if it.one != nil {
		v := it.one
		it.one = nil
		if it.pick {
			v = it.p.pickComplex(v)
		}
		return v, v != nil
	}
	for it.i < len(it.arr) {
		v := it.arr[it.i]
		it.i++
		if it.pick {
			if v = it.p.pickComplex(v); v == nil {
				continue
			}
		}
		return v, true
	}
	return nil, false
}

func (p *Path) read(r *Resource, attrs, elem map[string]any, whole bool) []any {
	switch p.kind {
	case pathUnknown:
		return nil
	case pathID:
		return []any{r.ID}
	case pathCreated:
		return []any{r.Created}
	case pathLastModified:
		return []any{r.LastModified}
	case pathVersion:
		return []any{r.Version}
	case pathResourceType:
		return []any{r.Type}
	case pathMembers:
		out := make([]any, 0, len(r.Members))
		for _, m := range r.Members {
			out = append(out, pick(p.sub, map[string]any{"value": m.Value, "type": m.Type, "display": m.Display}))
		}
		return out
	case pathGroups:
		out := make([]any, 0, len(r.Groups))
		for _, g := range r.Groups {
			out = append(out, pick(p.sub, map[string]any{"value": g.Value, "display": g.Display, "type": "direct"}))
		}
		return out
	}
	v := p.stored(attrs, elem)
	if v == nil {
		return nil
	}
	if arr, ok := v.([]any); ok {
		out := make([]any, 0, len(arr))
		for _, e := range arr {
			x := e
			if !whole || p.sub != nil {
				x = p.pickComplex(e)
			}
			if x == nil {
				continue
			}
			out = append(out, x)
			if m, isMap := e.(map[string]any); isMap && m["primary"] == true && len(out) > 1 {
				out[0], out[len(out)-1] = out[len(out)-1], out[0]
			}
		}
		return out
	}
	if whole && p.sub == nil {
		return []any{v}
	}
	if x := p.pickComplex(v); x != nil {
		return []any{x}
	}
	return nil
}

// pickComplex reads the sub-attribute from a complex value; for a
// multi-valued complex attribute without a sub-attribute it reads "value"
// (RFC 7644 §3.4.2.2: "emails co …" means the emails' values).
func (p *Path) pickComplex(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if p.sub != nil {
		return m[p.sub.Name]
	}
	if p.hasValue {
		// "emails co …" means the emails' values; "manager eq …" the manager's id.
		return m["value"]
	}
	return m
}

func pick(sub *schema.Attribute, m map[string]any) any {
	if sub == nil {
		return m["value"]
	}
	v := m[sub.Name]
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	return v
}

// decodeAttributes decodes a resource's attributes as the Handler wrote
// them, keeping numbers as json.Number.
func decodeAttributes(raw json.RawMessage) (map[string]any, error) {
	if len(raw) == 0 {
		return map[string]any{}, nil
	}
	v, err := jsonv.Decode(raw)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("store: attributes are not a JSON object")
	}
	return m, nil
}

// DecodeAttributes decodes r.Attributes into a map, numbers as json.Number.
func DecodeAttributes(r *Resource) (map[string]any, error) { return decodeAttributes(r.Attributes) }
