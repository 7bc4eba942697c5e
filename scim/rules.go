package scim

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/scimkit/scimkit/internal/jsonv"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// typeRules is what the Handler enforces on the attributes of one resource
// type at its two boundaries, whatever the Store holds:
//
//   - attributes whose returned characteristic is "never" (password) are
//     never handed to a Store (stored) and never appear in a response
//     (shown), even if a Store returns them;
//   - a reference to a resource of this endpoint (the enterprise manager)
//     is stored without "$ref", and its "$ref" is derived from its value
//     when it is shown, from Config.BaseURL or the request: nothing a
//     request carries (a Host header) is ever stored as a URL.
//
// Filters and sortBy cannot reach never-returned attributes either: store
// compiles paths to them as absent.
type typeRules struct {
	never []attrLoc
	refs  []attrLoc
	multi []multiLoc // multi-valued complex attributes: one primary, no duplicates
	// triggers are the quoted names whose presence in stored JSON means a
	// response must be rewritten; most resources hold none of them.
	triggers [][]byte
	// keys are the top-level members the rules read: the extension URN or
	// the core attribute of each.
	keys map[string]bool
}

// attrLoc is where an attribute lives in canonical attributes: ext is the
// extension URN holding it ("" for the core schema); sub, when set, is a
// sub-attribute of every value of attr; endpoint is, for a reference, the
// endpoint of the resource type it references ("/Users").
type attrLoc struct {
	ext      string
	attr     string
	sub      string
	endpoint string
}

// multiLoc is a multi-valued complex attribute; foldValue says its
// values compare case-insensitively.
type multiLoc struct {
	attrLoc
	foldValue bool
}

func newTypeRules(reg *schema.Registry, rt *schema.ResourceType) *typeRules {
	tr := &typeRules{}
	add := func(s *schema.Schema, ext string) {
		for _, a := range s.Attributes {
			if a.Returned == schema.ReturnedNever {
				tr.never = append(tr.never, attrLoc{ext: ext, attr: a.Name})
				tr.triggers = append(tr.triggers, []byte(strconv.Quote(a.Name)))
				continue
			}
			for _, sa := range a.SubAttributes {
				if sa.Returned == schema.ReturnedNever {
					tr.never = append(tr.never, attrLoc{ext: ext, attr: a.Name, sub: sa.Name})
					tr.triggers = append(tr.triggers, []byte(strconv.Quote(sa.Name)))
				}
			}
			if a.MultiValued && a.Type == schema.Complex && a.Mutability != schema.ReadOnly && !(ext == "" && a.Name == "members") {
				v := a.Sub("value")
				tr.multi = append(tr.multi, multiLoc{attrLoc{ext: ext, attr: a.Name}, v != nil && !v.CaseExact})
			}
			if ep := referencedEndpoint(reg, a); ep != "" {
				tr.refs = append(tr.refs, attrLoc{ext: ext, attr: a.Name, endpoint: ep})
				tr.triggers = append(tr.triggers, []byte(strconv.Quote(a.Name)))
			}
		}
	}
	add(rt.Schema, "")
	for _, e := range rt.Extensions {
		add(e, e.ID)
	}
	tr.keys = make(map[string]bool)
	for _, l := range append(slices.Clone(tr.never), tr.refs...) {
		if l.ext != "" {
			tr.keys[l.ext] = true
		} else {
			tr.keys[l.attr] = true
		}
	}
	return tr
}

// referencedEndpoint returns the endpoint a single-valued complex
// reference such as manager points into (its "$ref" sub-attribute names a
// registered resource type), or "".
func referencedEndpoint(reg *schema.Registry, a *schema.Attribute) string {
	if a.Type != schema.Complex || a.MultiValued || a.Sub("value") == nil {
		return ""
	}
	ref := a.Sub("$ref")
	if ref == nil {
		return ""
	}
	for _, name := range ref.ReferenceTypes {
		if t := reg.ResourceType(name); t != nil {
			return t.Endpoint
		}
	}
	return ""
}

// stored brings canonical attributes to what a Store may hold: no value
// that is never returned, no stored $ref, and in each multi-valued
// attribute at most one primary value and each (type, value) pair once
// (RFC 7643 §2.4). Values may be left raw (json.RawMessage, what a PATCH
// did not touch, stored so before): those are not decoded unless they
// hold a trigger.
func (tr *typeRules) stored(attrs map[string]any) {
	for _, l := range tr.multi {
		l.edit(attrs, func(c map[string]any) {
			if arr, ok := c[l.attr].([]any); ok {
				c[l.attr] = onePrimaryNoDuplicates(arr, l.foldValue)
			}
		})
	}
	for _, l := range tr.never {
		l.edit(attrs, func(c map[string]any) { l.removeFrom(c) })
	}
	for _, l := range tr.refs {
		l.edit(attrs, func(c map[string]any) {
			if m, ok := lazyMap(c[l.attr]); ok {
				delete(m, "$ref")
				c[l.attr] = m
			}
		})
	}
}

// shown turns stored attributes into what a response shows: never-returned
// values removed, each reference's "$ref" derived from its value.
func (tr *typeRules) shown(attrs map[string]any, base string) {
	for _, l := range tr.never {
		l.edit(attrs, func(c map[string]any) { l.removeFrom(c) })
	}
	for _, l := range tr.refs {
		l.edit(attrs, func(c map[string]any) {
			m, ok := lazyMap(c[l.attr])
			if !ok {
				return
			}
			delete(m, "$ref")
			if id, _ := m["value"].(string); id != "" {
				m["$ref"] = base + l.endpoint + "/" + id
			}
			c[l.attr] = m
		})
	}
}

// touches reports whether stored attributes may need shown.
func (tr *typeRules) touches(raw []byte) bool {
	for _, t := range tr.triggers {
		if bytes.Contains(raw, t) {
			return true
		}
	}
	return false
}

// showRaw is shown for stored JSON: it returns raw itself when nothing in
// it needs a change (the common case), else the object with the members
// the rules read rewritten and every other member copied as it is.
func (tr *typeRules) showRaw(raw []byte, base string) ([]byte, error) {
	if !tr.touches(raw) {
		return raw, nil
	}
	out := make([]byte, 0, len(raw)+64)
	out = append(out, '{')
	n := 0
	err := jsonv.EachMember(raw, func(key string, keyStart, valueStart, valueEnd int) error {
		if n > 0 {
			out = append(out, ',')
		}
		if !tr.keys[key] {
			out = append(out, raw[keyStart:valueEnd]...)
			n++
			return nil
		}
		one := map[string]any{key: json.RawMessage(raw[valueStart:valueEnd])}
		tr.shown(one, base)
		v, ok := one[key]
		if !ok {
			if n > 0 {
				out = out[:len(out)-1]
			}
			return nil
		}
		out = appendString(out, key)
		out = append(out, ':')
		var err error
		out, err = appendValue(out, v)
		n++
		return err
	})
	if err != nil {
		return nil, err
	}
	return append(out, '}'), nil
}

// edit calls fn with the object holding l's attribute, when there is one:
// attrs itself, or its extension object (decoded, and dropped when fn
// leaves it empty).
func (l attrLoc) edit(attrs map[string]any, fn func(container map[string]any)) {
	if l.ext == "" {
		if _, ok := attrs[l.attr]; ok {
			fn(attrs)
		}
		return
	}
	ext, ok := lazyMap(attrs[l.ext])
	if !ok {
		return
	}
	if _, ok := ext[l.attr]; !ok {
		return
	}
	fn(ext)
	if len(ext) == 0 {
		delete(attrs, l.ext)
		return
	}
	attrs[l.ext] = ext
}

// removeFrom deletes l's attribute from c, or its sub-attribute from each
// of its values.
func (l attrLoc) removeFrom(c map[string]any) {
	if l.sub == "" {
		delete(c, l.attr)
		return
	}
	v, err := jsonv.Lazy(c[l.attr])
	if err != nil {
		delete(c, l.attr) // not JSON: nothing to keep
		return
	}
	switch t := v.(type) {
	case map[string]any:
		delete(t, l.sub)
	case []any:
		for _, e := range t {
			if m, ok := e.(map[string]any); ok {
				delete(m, l.sub)
			}
		}
	}
	c[l.attr] = v
}

// lazyMap returns v as an object, decoding it if it is raw JSON.
func lazyMap(v any) (map[string]any, bool) {
	d, err := jsonv.Lazy(v)
	if err != nil {
		return nil, false
	}
	m, ok := d.(map[string]any)
	return m, ok
}

// onePrimaryNoDuplicates collapses values with the same (type, value) into
// the first of them (primary if any of them was), and leaves primary on
// the last value that has it: the one rule every write follows, whatever
// the client sent. Values without a value sub-attribute are kept as they
// are.
func onePrimaryNoDuplicates(arr []any, foldValue bool) []any {
	type pair struct{ typ, value string }
	var seen map[pair]map[string]any
	out := arr[:0:0]
	for _, e := range arr {
		m, ok := e.(map[string]any)
		v, hasValue := m["value"].(string)
		if !ok || !hasValue {
			out = append(out, e)
			continue
		}
		if foldValue {
			v = store.FoldKey(v)
		}
		t, _ := m["type"].(string)
		k := pair{t, v}
		if first := seen[k]; first != nil {
			if m["primary"] == true {
				first["primary"] = true
			}
			continue
		}
		if seen == nil {
			seen = map[pair]map[string]any{}
		}
		seen[k] = m
		out = append(out, e)
	}
	last := -1
	for i, e := range out {
		if m, ok := e.(map[string]any); ok && m["primary"] == true {
			if last >= 0 {
				out[last].(map[string]any)["primary"] = false
			}
			last = i
		}
	}
	return out
}
