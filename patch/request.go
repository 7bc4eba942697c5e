package patch

import (
	"fmt"
	"strings"

	"github.com/scimkit/scimkit/scim/schema"
)

// PatchOpURN is the schema of a PATCH request body.
const PatchOpURN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// Request is a PATCH request body.
type Request struct {
	Schemas    []string
	Operations []Operation
}

// Operation is one PATCH operation. After Normalize, Op is "add",
// "replace" or "remove" and Path and Value are in RFC 7644 form.
//
// An Operation from Normalize also carries its path already resolved
// (unexported), so Apply does not parse it twice; compare Operations in
// tests with cmpopts.IgnoreUnexported(patch.Operation{}).
type Operation struct {
	Op    string
	Path  string // "" for a path-less add or replace
	Value any    // decoded JSON: map[string]any, []any, string, json.Number, bool or nil

	// resolved caches Path resolved against resolvedFor by Normalize, so
	// that Apply does not parse it again.
	resolved    *target
	resolvedFor *schema.ResourceType
}

// Parse reads a decoded PATCH body. It checks only the shape (an
// "Operations" array of objects with a string "op"); Normalize checks
// the rest.
func Parse(body map[string]any) (Request, error) {
	var req Request
	var ops any
	found := false
	for k, v := range body {
		switch {
		case strings.EqualFold(k, "schemas"):
			arr, ok := v.([]any)
			if !ok {
				return Request{}, errorf(invalidSyntax, "schemas must be an array of strings")
			}
			for _, s := range arr {
				str, ok := s.(string)
				if !ok {
					return Request{}, errorf(invalidSyntax, "schemas must be an array of strings")
				}
				req.Schemas = append(req.Schemas, str)
			}
		case strings.EqualFold(k, "Operations"):
			ops, found = v, true
		}
	}
	if !found {
		return Request{}, errorf(invalidSyntax, `the body has no "Operations" array`)
	}
	arr, ok := ops.([]any)
	if !ok && ops != nil {
		return Request{}, errorf(invalidSyntax, `"Operations" must be an array`)
	}
	for i, o := range arr {
		m, ok := o.(map[string]any)
		if !ok {
			return Request{}, errorf(invalidSyntax, "Operations[%d] must be an object", i)
		}
		var op Operation
		hasOp := false
		for k, v := range m {
			switch {
			case strings.EqualFold(k, "op"):
				s, ok := v.(string)
				if !ok {
					return Request{}, errorf(invalidSyntax, "Operations[%d].op must be a string", i)
				}
				op.Op, hasOp = s, true
			case strings.EqualFold(k, "path"):
				if v == nil {
					continue
				}
				s, ok := v.(string)
				if !ok {
					return Request{}, errorf(invalidSyntax, "Operations[%d].path must be a string", i)
				}
				op.Path = s
			case strings.EqualFold(k, "value"):
				op.Value = v
			}
		}
		if !hasOp {
			return Request{}, errorf(invalidSyntax, `Operations[%d] has no "op"`, i)
		}
		req.Operations = append(req.Operations, op)
	}
	return req, nil
}

// The scimType values a PATCH error carries (scim.ScimType names them
// for the rest of scimkit).
const (
	invalidSyntax = "invalidSyntax"
	invalidPath   = "invalidPath"
	invalidValue  = "invalidValue"
	noTarget      = "noTarget"
	mutability    = "mutability"
)

// Error is a PATCH that cannot be applied. The Handler answers 400 with
// ScimType: invalidSyntax, invalidPath, invalidValue, noTarget or
// mutability (RFC 7644 §3.12).
type Error struct {
	ScimType string
	Detail   string
}

func (e *Error) Error() string { return "patch: " + e.ScimType + ": " + e.Detail }

func errorf(scimType, format string, args ...any) *Error {
	return &Error{ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}
