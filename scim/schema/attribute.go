package schema

import (
	"strings"

	escim "github.com/elimity-com/scim/schema"
)

// Type is an attribute's data type (RFC 7643 §2.3).
type Type uint8

// The RFC 7643 data types.
const (
	String Type = iota
	Boolean
	Decimal
	Integer
	DateTime
	Binary
	Reference
	Complex
)

var typeNames = [...]string{"string", "boolean", "decimal", "integer", "dateTime", "binary", "reference", "complex"}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}

func parseType(s string) Type {
	for i, n := range typeNames {
		if n == s {
			return Type(i)
		}
	}
	return String
}

// Mutability is an attribute's mutability (RFC 7643 §2.2).
type Mutability uint8

// The RFC 7643 mutability values.
const (
	ReadWrite Mutability = iota
	ReadOnly
	Immutable
	WriteOnly
)

var mutabilityNames = [...]string{"readWrite", "readOnly", "immutable", "writeOnly"}

func (m Mutability) String() string { return mutabilityNames[m] }

func parseMutability(s string) Mutability {
	for i, n := range mutabilityNames {
		if n == s {
			return Mutability(i)
		}
	}
	return ReadWrite
}

// Returned says when an attribute is returned (RFC 7643 §2.2).
type Returned uint8

// The RFC 7643 returned values.
const (
	ReturnedDefault Returned = iota
	ReturnedAlways
	ReturnedNever
	ReturnedRequest
)

var returnedNames = [...]string{"default", "always", "never", "request"}

func (r Returned) String() string { return returnedNames[r] }

func parseReturned(s string) Returned {
	for i, n := range returnedNames {
		if n == s {
			return Returned(i)
		}
	}
	return ReturnedDefault
}

// Attribute is one compiled attribute definition. Its fields are read-only
// once the attribute belongs to a Registry.
type Attribute struct {
	Name            string // as the schema spells it
	Type            Type
	MultiValued     bool
	Required        bool
	CaseExact       bool
	Mutability      Mutability
	Returned        Returned
	Uniqueness      string // "none", "server" or "global"
	CanonicalValues []string
	ReferenceTypes  []string
	Description     string
	SubAttributes   []*Attribute

	sub map[string]*Attribute // lower-cased name → sub-attribute
}

// Sub returns the sub-attribute called name, matched case-insensitively.
func (a *Attribute) Sub(name string) *Attribute {
	if a == nil || a.sub == nil {
		return nil
	}
	if s, ok := a.sub[name]; ok {
		return s
	}
	return a.sub[strings.ToLower(name)]
}

func compileAttribute(ca escim.CoreAttribute) *Attribute {
	a := &Attribute{
		Name:            ca.Name(),
		Type:            parseType(ca.AttributeType()),
		MultiValued:     ca.MultiValued(),
		Required:        ca.Required(),
		CaseExact:       ca.CaseExact(),
		Mutability:      parseMutability(ca.Mutability()),
		Returned:        parseReturned(ca.Returned()),
		Uniqueness:      ca.Uniqueness(),
		CanonicalValues: ca.CanonicalValues(),
		Description:     ca.Description(),
	}
	for _, r := range ca.ReferenceTypes() {
		a.ReferenceTypes = append(a.ReferenceTypes, string(r))
	}
	if a.Type == Complex {
		a.sub = make(map[string]*Attribute)
		for _, s := range ca.SubAttributes() {
			c := compileAttribute(s)
			a.SubAttributes = append(a.SubAttributes, c)
			a.sub[strings.ToLower(c.Name)] = c
			a.sub[c.Name] = c
		}
	}
	return a
}

// toJSON renders the attribute as RFC 7643 §7 describes it, omitting absent
// values rather than sending nulls.
func (a *Attribute) toJSON() map[string]any {
	m := map[string]any{
		"name":        a.Name,
		"type":        a.Type.String(),
		"multiValued": a.MultiValued,
		"required":    a.Required,
		"mutability":  a.Mutability.String(),
		"returned":    a.Returned.String(),
	}
	if a.Description != "" {
		m["description"] = a.Description
	}
	if a.Type != Complex && a.Type != Boolean {
		m["caseExact"] = a.CaseExact
		u := a.Uniqueness
		if u == "" {
			u = "none"
		}
		m["uniqueness"] = u
	}
	if len(a.CanonicalValues) > 0 {
		m["canonicalValues"] = a.CanonicalValues
	}
	if len(a.ReferenceTypes) > 0 {
		m["referenceTypes"] = a.ReferenceTypes
	}
	if len(a.SubAttributes) > 0 {
		subs := make([]any, len(a.SubAttributes))
		for i, s := range a.SubAttributes {
			subs[i] = s.toJSON()
		}
		m["subAttributes"] = subs
	}
	return m
}

// ExternalID is the common attribute externalId (RFC 7643 §3.1), which
// every resource type has although no schema lists it.
var ExternalID = &Attribute{Name: "externalId", Type: String, CaseExact: true, Uniqueness: "none",
	Description: "A String that is an identifier for the resource as defined by the provisioning client."}
