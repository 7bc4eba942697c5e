package schema

import (
	"strings"

	escim "github.com/elimity-com/scim/schema"
)

// Well-known schema URNs.
const (
	UserURN           = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupURN          = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseUserURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

// Schema is a compiled RFC 7643 schema: a core resource schema or an
// extension.
type Schema struct {
	ID          string
	Name        string
	Description string
	Attributes  []*Attribute

	byName map[string]*Attribute // lower-cased name → attribute
}

// Compile turns an elimity-com/scim schema into a Schema.
func Compile(s escim.Schema) *Schema {
	c := &Schema{
		ID:          s.ID,
		Name:        s.Name.Value(),
		Description: s.Description.Value(),
		byName:      make(map[string]*Attribute),
	}
	for _, ca := range s.Attributes {
		a := compileAttribute(ca)
		c.Attributes = append(c.Attributes, a)
		c.byName[strings.ToLower(a.Name)] = a
		c.byName[a.Name] = a // the schema's own spelling: found without lower-casing
	}
	return c
}

// Attribute returns the top-level attribute called name, matched
// case-insensitively, or nil.
func (s *Schema) Attribute(name string) *Attribute {
	if a, ok := s.byName[name]; ok {
		return a
	}
	return s.byName[strings.ToLower(name)]
}

// JSON returns the schema's RFC 7643 §7 representation without meta.
func (s *Schema) JSON() map[string]any {
	attrs := make([]any, len(s.Attributes))
	for i, a := range s.Attributes {
		attrs[i] = a.toJSON()
	}
	m := map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:schemas:core:2.0:Schema"},
		"id":         s.ID,
		"attributes": attrs,
	}
	if s.Name != "" {
		m["name"] = s.Name
	}
	if s.Description != "" {
		m["description"] = s.Description
	}
	return m
}
