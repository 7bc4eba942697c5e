package patch

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/internal/canon"
	"github.com/scimkit/scimkit/internal/jsonv"
	"github.com/scimkit/scimkit/scim/schema"
)

// Normalize rewrites req into RFC 7644 form for resource type rt and
// returns the rewrites it made, in order. With c.Strict it rewrites
// nothing and rejects the first non-RFC form instead. The returned
// request shares no mutable state with req.
func Normalize(req Request, rt *schema.ResourceType, c Compat) (Request, []Rewrite, error) {
	n := &normalizer{rt: rt}
	out := Request{Schemas: []string{PatchOpURN}}
	if !validSchemas(req.Schemas) {
		n.report(QuirkSchemas, -1, req.Schemas, []string{PatchOpURN})
	}
	if len(req.Operations) == 0 {
		n.report(QuirkEmptyOperations, -1, req.Operations, "no-op")
	}
	out.Operations = make([]Operation, 0, len(req.Operations))
	for i, o := range req.Operations {
		var err error
		if out.Operations, err = n.operation(out.Operations, i, o); err != nil {
			return Request{}, nil, err
		}
	}
	if c.Strict && len(n.rewrites) > 0 {
		r := n.rewrites[0]
		kind := invalidValue
		switch r.Quirk {
		case QuirkOpCase, QuirkSchemas, QuirkEmptyOperations, QuirkLegacyDot, QuirkFlatKey:
			kind = invalidSyntax
		case QuirkSchemaPath:
			kind = invalidPath
		}
		where := "the request"
		if r.Op >= 0 {
			where = "Operations[" + strconv.Itoa(r.Op) + "]"
		}
		return Request{}, nil, errorf(kind, "%s is not RFC 7644 (%s: %s); this tenant accepts RFC PATCH only", where, r.Quirk, r.Before)
	}
	return out, n.rewrites, nil
}

func validSchemas(s []string) bool {
	return len(s) == 1 && strings.EqualFold(s[0], PatchOpURN)
}

type normalizer struct {
	rt       *schema.ResourceType
	rewrites []Rewrite
}

func (n *normalizer) report(q Quirk, op int, before, after any) {
	n.rewrites = append(n.rewrites, Rewrite{Quirk: q, Op: op, Before: compact(before), After: compact(after)})
}

// operation normalises operation i and appends the result (one operation,
// or several for a remove by value) to dst.
func (n *normalizer) operation(dst []Operation, i int, o Operation) ([]Operation, error) {
	op := strings.ToLower(o.Op)
	switch op {
	case "add", "replace", "remove":
	default:
		return dst, errorf(invalidSyntax, "Operations[%d].op %q: use add, replace or remove", i, o.Op)
	}
	if op != o.Op {
		n.report(QuirkOpCase, i, o.Op, op)
	}
	path := o.Path
	if fixed, ok := fixLegacyDot(n.rt, path); ok {
		n.report(QuirkLegacyDot, i, path, fixed)
		path = fixed
	}
	if s, rest, ok := canon.SplitURN(n.rt, path); ok && rest == "" {
		// A schema URN as the path is no RFC 7644 attribute path; clients
		// mean the extension as a whole.
		n.report(QuirkSchemaPath, i, path, "the attributes of "+s.ID)
		if op == "remove" {
			return append(dst, Operation{Op: op, Path: s.ID}), nil
		}
		obj, ok := o.Value.(map[string]any)
		if !ok {
			return dst, errorf(invalidValue, "Operations[%d]: the value for %s must be an object of its attributes", i, s.ID)
		}
		return append(dst, Operation{Op: op, Value: n.pathless(i, map[string]any{s.ID: obj})}), nil
	}
	if path == "" {
		if op == "remove" {
			return dst, errorf(noTarget, "Operations[%d]: remove needs a path", i)
		}
		obj, ok := o.Value.(map[string]any)
		if !ok {
			return dst, errorf(invalidSyntax, "Operations[%d]: an %s without a path needs an object value", i, op)
		}
		return append(dst, Operation{Op: op, Value: n.pathless(i, obj)}), nil
	}
	t, err := resolve(n.rt, path)
	if err == nil && t.expr != nil {
		if fixed, ok := booleanLiterals(t.attr, path); ok {
			n.report(QuirkStringBoolean, i, path, fixed)
			path = fixed
			t, err = resolve(n.rt, path)
		}
	}
	if err == errUnknownAttribute || err == errNeverStored {
		// Apply decides: an unknown attribute is ignored by default and
		// invalidPath when strict; a never-returned one is always dropped.
		return append(dst, Operation{Op: op, Path: path, Value: o.Value}), nil
	}
	if err != nil {
		return dst, err
	}
	if op == "remove" {
		if o.Value != nil && t.expr == nil && t.sub == nil && t.attr.MultiValued && t.attr.Type == schema.Complex {
			ops, err := n.removeByValue(i, path, o.Value)
			return append(dst, ops...), err
		}
		return append(dst, Operation{Op: op, Path: path, resolved: t, resolvedFor: n.rt}), nil
	}
	var v any
	if t.expr != nil && t.sub == nil {
		v = n.element(i, t.attr, unwrapOne(n, i, o.Value))
	} else {
		v = n.value(i, t.valueAttr(), o.Value)
	}
	return append(dst, Operation{Op: op, Path: path, Value: v, resolved: t, resolvedFor: n.rt}), nil
}

func unwrapOne(n *normalizer, i int, v any) any {
	if arr, ok := v.([]any); ok && len(arr) == 1 {
		n.report(QuirkWrappedValue, i, v, arr[0])
		return arr[0]
	}
	return v
}

// removeByValue turns {"op":"remove","path":"members","value":[{"value":"x"}]}
// into one remove per member: members[value eq "x"].
func (n *normalizer) removeByValue(i int, path string, v any) ([]Operation, error) {
	arr, ok := v.([]any)
	if !ok {
		arr = []any{v}
	}
	var out []Operation
	var paths []string
	for _, e := range arr {
		var id string
		switch t := e.(type) {
		case string:
			id = t
		case map[string]any:
			for k, x := range t {
				if strings.EqualFold(k, "value") {
					id, _ = x.(string)
				}
			}
		}
		if id == "" {
			return nil, errorf(invalidValue, "Operations[%d]: each value to remove needs a \"value\"", i)
		}
		p := path + "[value eq " + compact(id) + "]"
		paths = append(paths, p)
		out = append(out, Operation{Op: "remove", Path: p})
	}
	n.report(QuirkRemoveByValue, i, map[string]any{"path": path, "value": v}, paths)
	return out, nil
}

// value normalises v for attribute a (the whole attribute, or one
// sub-attribute of a complex one).
func (n *normalizer) value(i int, a *schema.Attribute, v any) any {
	if v == nil {
		return nil
	}
	if a.MultiValued {
		arr, ok := v.([]any)
		if !ok {
			if s, isStr := v.(string); isStr && s == "" {
				return v // clear
			}
			n.report(QuirkUnwrappedMulti, i, v, []any{v})
			arr = []any{v}
		}
		out := make([]any, 0, len(arr))
		for _, e := range arr {
			out = append(out, n.element(i, a, e))
		}
		return out
	}
	if arr, ok := v.([]any); ok && len(arr) == 1 {
		n.report(QuirkWrappedValue, i, v, arr[0])
		v = arr[0]
	}
	if a.Type == schema.Complex {
		switch t := v.(type) {
		case string:
			if t == "" {
				return t // clear
			}
			n.report(QuirkBareValue, i, t, map[string]any{"value": t})
			return map[string]any{"value": t}
		case map[string]any:
			return n.complexObject(i, a, t)
		}
		return v
	}
	if m, ok := v.(map[string]any); ok {
		// [{"value": x}] sent for a simple attribute (legacy Entra SDKs).
		if x, has := m["value"]; has && len(m) <= 2 {
			n.report(QuirkWrappedValue, i, v, x)
			v = x
		}
	}
	return n.simple(i, a, v)
}

func (n *normalizer) simple(i int, a *schema.Attribute, v any) any {
	if a.Type == schema.Boolean {
		if s, ok := v.(string); ok {
			if b, ok := canon.Bool(s); ok {
				n.report(QuirkStringBoolean, i, s, b)
				return b
			}
		}
	}
	return v
}

// element normalises one element of multi-valued attribute a.
func (n *normalizer) element(i int, a *schema.Attribute, e any) any {
	if a.Type != schema.Complex {
		return n.simple(i, a, e)
	}
	switch t := e.(type) {
	case string:
		if role, ok := n.roleJSON(i, a, t); ok {
			return role
		}
		n.report(QuirkBareValue, i, t, map[string]any{"value": t})
		return map[string]any{"value": t}
	case map[string]any:
		if s, ok := t["value"].(string); ok {
			if role, ok := n.roleJSON(i, a, s); ok {
				merged := maps.Clone(t)
				delete(merged, "value")
				maps.Copy(merged, role)
				return n.complexObject(i, a, merged)
			}
		}
		return n.complexObject(i, a, t)
	}
	return e
}

// roleJSON parses Entra's roles sent as JSON inside a string:
// {"id":"…","value":"Admin","displayName":"Admin"}.
func (n *normalizer) roleJSON(i int, a *schema.Attribute, s string) (map[string]any, bool) {
	if !strings.EqualFold(a.Name, "roles") || !strings.HasPrefix(strings.TrimSpace(s), "{") {
		return nil, false
	}
	v, err := jsonv.Decode([]byte(s))
	if err != nil {
		return nil, false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	role := map[string]any{}
	for k, x := range obj {
		switch strings.ToLower(k) {
		case "value":
			role["value"] = x
		case "displayname", "display":
			role["display"] = x
		case "type":
			role["type"] = x
		case "primary":
			role["primary"] = x
		}
	}
	n.report(QuirkRoleJSON, i, s, role)
	return role, true
}

// complexObject normalises the sub-attributes of a complex value.
func (n *normalizer) complexObject(i int, a *schema.Attribute, m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for _, k := range sortedKeys(m) {
		v := m[k]
		sa := a.Sub(k)
		if sa == nil {
			out[k] = v
			continue
		}
		if sa.Name == "$ref" && v == nil {
			n.report(QuirkNullRef, i, map[string]any{"$ref": nil}, "omitted")
			continue
		}
		if arr, ok := v.([]any); ok && !sa.MultiValued && len(arr) == 1 {
			n.report(QuirkWrappedValue, i, v, arr[0])
			v = arr[0]
		}
		out[sa.Name] = n.simple(i, sa, v)
	}
	return out
}

// pathless normalises the value of a path-less add or replace into RFC
// form: core attributes by name, extension attributes nested under their
// URN, sub-attributes nested in their parent.
func (n *normalizer) pathless(i int, obj map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for _, k := range sortedKeys(obj) {
		v := obj[k]
		switch strings.ToLower(k) {
		case "id", "meta", "schemas":
			n.report(QuirkReadOnlyInValue, i, map[string]any{k: v}, "ignored")
			continue
		}
		key := k
		if fixed, ok := fixLegacyDot(n.rt, key); ok {
			n.report(QuirkLegacyDot, i, key, fixed)
			key = fixed
		}
		if s, rest, ok := canon.SplitURN(n.rt, key); ok {
			if rest == "" {
				m, isObj := v.(map[string]any)
				if !isObj {
					out[key] = v // Apply rejects it
					continue
				}
				for _, sk := range sortedKeys(m) {
					n.set(i, out, s, sk, m[sk])
				}
				continue
			}
			n.report(QuirkFlatKey, i, key, s.ID+" → "+rest)
			n.set(i, out, s, rest, v)
			continue
		}
		if strings.Contains(key, ".") {
			n.report(QuirkFlatKey, i, key, strings.Replace(key, ".", " → ", 1))
		}
		n.set(i, out, n.rt.Schema, key, v)
	}
	return out
}

// set stores attribute key ("name" or "name.sub") of schema s into the
// RFC-form object out.
func (n *normalizer) set(i int, out map[string]any, s *schema.Schema, key string, v any) {
	name, sub, dotted := strings.Cut(key, ".")
	a := s.Attribute(name)
	if a == nil && s == n.rt.Schema {
		if strings.EqualFold(name, "externalId") {
			a = schema.ExternalID
		} else {
			for _, e := range n.rt.Extensions {
				if ea := e.Attribute(name); ea != nil {
					a, s = ea, e
					break
				}
			}
		}
	}
	if a == nil || a.Returned == schema.ReturnedNever {
		// Unknown: Apply drops it, or rejects it when strict. Never
		// returned (password): Apply drops it, and no rewrite may carry
		// its value into a log line. Qualified, so that an extension's
		// key never lands on a core attribute of the same name.
		if s != n.rt.Schema {
			key = s.ID + ":" + key
		}
		out[key] = v
		return
	}
	container := out
	if s != n.rt.Schema {
		ext, _ := out[s.ID].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
			out[s.ID] = ext
		}
		container = ext
	}
	if dotted && a.Type == schema.Complex && a.MultiValued {
		// "emails.value" in a path-less value means what path emails.value
		// means; Apply resolves a dotted key as a path.
		if sa := a.Sub(sub); sa != nil {
			prefix := ""
			if s != n.rt.Schema {
				prefix = s.ID + ":"
			}
			out[prefix+a.Name+"."+sa.Name] = n.value(i, sa, v)
			return
		}
	}
	if dotted && a.Type == schema.Complex && !a.MultiValued {
		sa := a.Sub(sub)
		if sa == nil {
			container[a.Name+"."+sub] = v
			return
		}
		obj, _ := container[a.Name].(map[string]any)
		if obj == nil {
			obj = map[string]any{}
			container[a.Name] = obj
		}
		obj[sa.Name] = n.value(i, sa, v)
		return
	}
	nv := n.value(i, a, v)
	if cur, ok := container[a.Name].(map[string]any); ok {
		if m, isMap := nv.(map[string]any); isMap {
			maps.Copy(cur, m)
			return
		}
	}
	container[a.Name] = nv
}

// sortedKeys makes rewrites come out in the same order every time.
func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

// booleanLiterals rewrites quoted "True"/"False" compared with a boolean
// sub-attribute inside path's value filter (roles[primary eq "True"]) to
// the JSON literals.
func booleanLiterals(attr *schema.Attribute, path string) (string, bool) {
	open := strings.IndexByte(path, '[')
	if open < 0 {
		return path, false
	}
	if !containsFold(path[open:], `"true"`) && !containsFold(path[open:], `"false"`) {
		return path, false // the common case: nothing to rewrite, no regexp
	}
	out := path
	for _, sa := range attr.SubAttributes {
		if sa.Type != schema.Boolean {
			continue
		}
		re := regexp.MustCompile(`(?i)(\b` + regexp.QuoteMeta(sa.Name) + `\s+(?:eq|ne)\s+)"(true|false)"`)
		out = out[:open] + re.ReplaceAllStringFunc(out[open:], func(m string) string {
			sm := re.FindStringSubmatch(m)
			return sm[1] + strings.ToLower(sm[2])
		})
	}
	return out, out != path
}

// containsFold is a case-insensitive strings.Contains for an ASCII needle.
func containsFold(s, needle string) bool {
	for i := 0; i+len(needle) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(needle)], needle) {
			return true
		}
	}
	return false
}
