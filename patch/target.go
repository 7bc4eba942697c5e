package patch

import (
	"errors"
	"strings"

	fp "github.com/scim2/filter-parser/v2"

	"github.com/scimkit/scimkit/internal/canon"
	"github.com/scimkit/scimkit/internal/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// target is a PATCH path resolved against a resource type.
type target struct {
	ext    *schema.Schema    // the extension holding the attribute; nil: core
	attr   *schema.Attribute // the attribute
	sub    *schema.Attribute // the sub-attribute, if the path names one
	filter *store.ElementFilter
	expr   fp.Expression // the value filter as parsed, if any
}

var errUnknownAttribute = errors.New("unknown attribute")

// errNeverStored is a path to an attribute whose returned characteristic
// is "never" (password): the operation is accepted and dropped, so the
// value is never stored, returned or matched.
var errNeverStored = errors.New("never-returned attribute")

// fixLegacyDot rewrites "urn:…:User.manager" to "urn:…:User:manager" for
// a registered schema. ok reports a change.
func fixLegacyDot(rt *schema.ResourceType, path string) (string, bool) {
	if len(path) < 4 || !strings.EqualFold(path[:4], "urn:") {
		return path, false
	}
	fix := func(s *schema.Schema) (string, bool) {
		n := len(s.ID)
		if len(path) > n && strings.EqualFold(path[:n], s.ID) && path[n] == '.' {
			return path[:n] + ":" + path[n+1:], true
		}
		return path, false
	}
	if p, ok := fix(rt.Schema); ok {
		return p, true
	}
	for _, s := range rt.Extensions {
		if p, ok := fix(s); ok {
			return p, true
		}
	}
	return path, false
}

// resolve parses and resolves path. It returns errUnknownAttribute or
// errNeverStored (wrapped in nothing) for names the schema lacks or never
// stores, and *Error otherwise. Results are memoised (resolved).
func resolve(rt *schema.ResourceType, path string) (*target, error) {
	return resolved.get(rt, path)
}

// resolveUncached is resolve without the memo.
func resolveUncached(rt *schema.ResourceType, path string) (*target, error) {
	p, err := filter.ParsePath(path)
	if err != nil {
		return nil, errorf(invalidPath, "path %q: %v", path, err)
	}
	t := &target{}
	ap := p.AttributePath
	s := rt.Schema
	if ap.URIPrefix != nil {
		es, rest, ok := canon.SplitURN(rt, *ap.URIPrefix)
		if !ok || rest != "" {
			return nil, errUnknownAttribute
		}
		s = es
		if es != rt.Schema {
			t.ext = es
		}
	}
	name := ap.AttributeName
	if t.ext == nil {
		switch strings.ToLower(name) {
		case "id", "meta", "schemas":
			return nil, errorf(mutability, "%s is read-only", name)
		case "externalid":
			t.attr = schema.ExternalID
		}
	}
	if t.attr == nil {
		t.attr = s.Attribute(name)
	}
	if t.attr == nil && ap.URIPrefix == nil {
		// An unqualified name one extension defines: Entra's "manager".
		for _, e := range rt.Extensions {
			if a := e.Attribute(name); a != nil {
				t.attr, t.ext = a, e
				break
			}
		}
	}
	if t.attr == nil {
		return nil, errUnknownAttribute
	}
	subName := ""
	if ap.SubAttribute != nil {
		subName = *ap.SubAttribute
	}
	if p.ValueExpression != nil {
		if !t.attr.MultiValued || t.attr.Type != schema.Complex {
			return nil, errorf(invalidPath, "path %q: a value filter needs a multi-valued complex attribute", path)
		}
		t.expr = p.ValueExpression
		if t.filter, err = store.CompileElementFilter(p.ValueExpression, rt, t.attr); err != nil {
			return nil, errorf(invalidPath, "path %q: %v", path, err)
		}
		if p.SubAttribute != nil {
			subName = *p.SubAttribute
		}
	}
	if subName != "" {
		if t.attr.Type != schema.Complex {
			return nil, errUnknownAttribute
		}
		if t.sub = t.attr.Sub(subName); t.sub == nil {
			return nil, errUnknownAttribute
		}
	}
	if t.attr.Returned == schema.ReturnedNever || (t.sub != nil && t.sub.Returned == schema.ReturnedNever) {
		return nil, errNeverStored
	}
	if t.attr.Mutability == schema.ReadOnly || (t.sub != nil && t.sub.Mutability == schema.ReadOnly && t.attr.Name != "manager") {
		return nil, errorf(mutability, "%s is read-only", t.name())
	}
	return t, nil
}

// name is the target's canonical path, for messages.
func (t *target) name() string {
	n := t.attr.Name
	if t.ext != nil {
		n = t.ext.ID + ":" + n
	}
	if t.sub != nil {
		n += "." + t.sub.Name
	}
	return n
}

// valueAttr is the attribute a value for this target must fit.
func (t *target) valueAttr() *schema.Attribute {
	if t.sub != nil {
		return t.sub
	}
	return t.attr
}
