package store

import (
	"github.com/scimkit/scimkit/internal/jsonv"
	"github.com/scimkit/scimkit/scim/schema"
)

// isUnique reports whether a is an attribute a Store keeps unique: a
// single-valued text attribute whose uniqueness is "server" (or "global",
// kept per tenant too). Multi-valued and complex attributes are not.
func isUnique(a *schema.Attribute) bool {
	if a == nil || a.MultiValued || a.Uniqueness != "server" && a.Uniqueness != "global" {
		return false
	}
	switch a.Type {
	case schema.String, schema.Reference, schema.Binary:
		return true
	}
	return false
}

// UniqueValues returns the Unique values of canonical attributes attrs of
// resource type rt, for Resource.Unique: one for each attribute the
// schema marks unique that has a value.
func UniqueValues(rt *schema.ResourceType, attrs map[string]any) []Unique {
	var out []Unique
	add := func(s *schema.Schema, container map[string]any, prefix string) {
		for _, a := range s.Attributes {
			if !isUnique(a) {
				continue
			}
			v, _ := jsonv.Lazy(container[a.Name])
			if str, ok := v.(string); ok && str != "" {
				out = append(out, Unique{Attribute: prefix + a.Name, Value: str, CaseExact: a.CaseExact})
			}
		}
	}
	add(rt.Schema, attrs, "")
	for _, e := range rt.Extensions {
		ext, _ := jsonv.Lazy(attrs[e.ID])
		if m, ok := ext.(map[string]any); ok {
			add(e, m, e.ID+":")
		}
	}
	return out
}
