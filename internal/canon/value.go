package canon

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scimkit/scim/schema"
)

// ValueError reports a value that does not fit its attribute's definition.
// A Handler answers it with 400 and scimType invalidValue.
type ValueError struct {
	Path   string // the attribute, e.g. "emails.primary"
	Detail string
}

func (e *ValueError) Error() string {
	if e.Path == "" {
		return e.Detail
	}
	return e.Path + ": " + e.Detail
}

// Options adjust Canonicalize.
type Options struct {
	// Strict rejects attributes the schema does not define instead of
	// dropping them.
	Strict bool
}

// Canonicalize validates a resource body decoded with json.Decoder.UseNumber
// against rt and returns its attributes in canonical form:
//
//   - attribute names spelled as the schema spells them, extension values
//     nested under their schema URN (also when the body used the flat
//     "urn:…:User:attr" form or left the URN out of "schemas");
//   - the strings "true"/"false" (any case) turned into booleans where the
//     schema says boolean; a single value wrapped for a multi-valued
//     attribute, a one-element array unwrapped for a single-valued one, a
//     bare string turned into {"value": s} for a complex attribute (manager);
//   - nulls, empty arrays, "schemas",
//     "id", "meta" and readOnly or never-returned attributes (password)
//     removed; unknown attributes removed unless opts.Strict.
//
// A value of the wrong type yields a *ValueError.
func Canonicalize(rt *schema.ResourceType, body map[string]any, opts Options) (map[string]any, error) {
	out := make(map[string]any, len(body))
	for k, v := range body {
		switch strings.ToLower(k) {
		case "schemas", "id", "meta":
			continue
		}
		if s, rest, ok := SplitURN(rt, k); ok {
			if s == rt.Schema {
				if rest == "" {
					// Core attributes nested under the core URN: merge them.
					obj, isObj := v.(map[string]any)
					if !isObj {
						return nil, &ValueError{Path: k, Detail: "must be an object"}
					}
					if err := canonicalInto(out, rt.Schema, "", obj, opts); err != nil {
						return nil, err
					}
					continue
				}
				if err := canonicalAttr(out, rt.Schema, "", rest, v, opts); err != nil {
					return nil, err
				}
				continue
			}
			ext, _ := out[s.ID].(map[string]any)
			if ext == nil {
				ext = make(map[string]any)
			}
			if rest == "" {
				if v == nil {
					continue
				}
				obj, isObj := v.(map[string]any)
				if !isObj {
					return nil, &ValueError{Path: s.ID, Detail: "an extension's value must be an object"}
				}
				if err := canonicalInto(ext, s, s.ID+":", obj, opts); err != nil {
					return nil, err
				}
			} else if err := canonicalAttr(ext, s, s.ID+":", rest, v, opts); err != nil {
				return nil, err
			}
			if len(ext) > 0 {
				out[s.ID] = ext
			}
			continue
		}
		if strings.HasPrefix(strings.ToLower(k), "urn:") {
			// An unregistered schema's values: unknown attributes.
			if opts.Strict {
				return nil, &ValueError{Path: k, Detail: "schema is not registered"}
			}
			continue
		}
		if err := canonicalAttr(out, rt.Schema, "", k, v, opts); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// canonicalInto validates the attributes of in against s and stores the
// canonical values in out. prefix is prepended to paths in errors.
func canonicalInto(out map[string]any, s *schema.Schema, prefix string, in map[string]any, opts Options) error {
	for k, v := range in {
		if err := canonicalAttr(out, s, prefix, k, v, opts); err != nil {
			return err
		}
	}
	return nil
}

// canonicalAttr validates attribute k (possibly dotted, "name.givenName")
// of schema s with value v and stores its canonical value in out.
func canonicalAttr(out map[string]any, s *schema.Schema, prefix, k string, v any, opts Options) error {
	name, sub, dotted := strings.Cut(k, ".")
	a := s.Attribute(name)
	if a == nil && prefix == "" && strings.EqualFold(name, "externalId") { // core schema only
		a = schema.ExternalID
	}
	if a == nil {
		if opts.Strict {
			return &ValueError{Path: prefix + k, Detail: "unknown attribute"}
		}
		return nil
	}
	if a.Mutability == schema.ReadOnly || a.Returned == schema.ReturnedNever {
		return nil
	}
	if dotted {
		// "name.givenName": a sub-attribute of a single-valued complex attribute.
		if a.Type != schema.Complex || a.MultiValued {
			if opts.Strict {
				return &ValueError{Path: prefix + k, Detail: "unknown attribute"}
			}
			return nil
		}
		cur, _ := out[a.Name].(map[string]any)
		if cur == nil {
			cur = make(map[string]any)
		}
		if err := complexAttr(cur, a, prefix+a.Name, sub, v, opts); err != nil {
			return err
		}
		if len(cur) > 0 {
			out[a.Name] = cur
		}
		return nil
	}
	cv, err := CanonicalValue(a, prefix+a.Name, v, opts)
	if err != nil {
		return err
	}
	if cv == nil {
		delete(out, a.Name)
		return nil
	}
	// "name" and "name.givenName" in one body merge, whichever comes first.
	if cur, ok := out[a.Name].(map[string]any); ok {
		if m, isMap := cv.(map[string]any); isMap {
			for k, x := range m {
				cur[k] = x
			}
			return nil
		}
	}
	out[a.Name] = cv
	return nil
}

// CanonicalValue validates v for attribute a and returns its canonical form,
// or nil when v carries no value (null, empty array). path names a in errors.
func CanonicalValue(a *schema.Attribute, path string, v any, opts Options) (any, error) {
	if v == nil {
		return nil, nil
	}
	if a.MultiValued {
		arr, ok := v.([]any)
		if !ok {
			arr = []any{v}
		}
		vals := make([]any, 0, len(arr))
		for _, e := range arr {
			cv, err := singleValue(a, path, e, opts)
			if err != nil {
				return nil, err
			}
			if cv != nil {
				vals = append(vals, cv)
			}
		}
		if len(vals) == 0 {
			return nil, nil
		}
		return vals, nil
	}
	if arr, ok := v.([]any); ok {
		switch len(arr) {
		case 0:
			return nil, nil
		case 1:
			v = arr[0]
		default:
			return nil, &ValueError{Path: path, Detail: "is single-valued but got an array of " + strconv.Itoa(len(arr))}
		}
	}
	return singleValue(a, path, v, opts)
}

func singleValue(a *schema.Attribute, path string, v any, opts Options) (any, error) {
	if v == nil {
		return nil, nil
	}
	if a.Type == schema.Complex {
		switch t := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(t))
			if err := complexInto(out, a, path, t, opts); err != nil {
				return nil, err
			}
			if len(out) == 0 {
				return nil, nil
			}
			return out, nil
		default:
			// A bare value for a complex attribute is its "value" sub-attribute
			// (Entra sends manager as a bare id).
			if va := a.Sub("value"); va != nil {
				sv, err := simpleValue(va, path, va.Name, v)
				if err != nil {
					return nil, err
				}
				if sv == nil {
					return nil, nil
				}
				return map[string]any{va.Name: sv}, nil
			}
			return nil, &ValueError{Path: path, Detail: "must be an object"}
		}
	}
	return simpleValue(a, path, "", v)
}

func complexInto(out map[string]any, a *schema.Attribute, path string, in map[string]any, opts Options) error {
	for k, v := range in {
		if err := complexAttr(out, a, path, k, v, opts); err != nil {
			return err
		}
	}
	return nil
}

func complexAttr(out map[string]any, a *schema.Attribute, path, k string, v any, opts Options) error {
	sa := a.Sub(k)
	if sa == nil {
		if opts.Strict {
			return &ValueError{Path: path + "." + k, Detail: "unknown sub-attribute"}
		}
		return nil
	}
	if sa.Mutability == schema.ReadOnly || sa.Returned == schema.ReturnedNever {
		return nil
	}
	if arr, ok := v.([]any); ok && !sa.MultiValued {
		if len(arr) != 1 {
			if len(arr) == 0 {
				return nil
			}
			return &ValueError{Path: path + "." + sa.Name, Detail: "is single-valued but got an array"}
		}
		v = arr[0]
	}
	sv, err := simpleValue(sa, path, sa.Name, v)
	if err != nil {
		return err
	}
	if sv == nil {
		delete(out, sa.Name)
		return nil
	}
	out[sa.Name] = sv
	return nil
}

// simpleValue validates a non-complex value; nil stays nil. The value's
// path in errors is parent, or parent.name when name is not empty (built
// only on error: this runs for every value of every request).
func simpleValue(a *schema.Attribute, parent, name string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	path := func() string {
		if name == "" {
			return parent
		}
		return parent + "." + name
	}
	switch a.Type {
	case schema.String, schema.Reference, schema.Binary:
		s, ok := v.(string)
		if !ok {
			return nil, &ValueError{Path: path(), Detail: fmt.Sprintf("must be a string, got %s", jsonKind(v))}
		}
		if strings.IndexByte(s, 0) >= 0 {
			return nil, &ValueError{Path: path(), Detail: "contains the NUL character (\\u0000), which cannot be stored"}
		}
		return s, nil
	case schema.DateTime:
		s, ok := v.(string)
		if !ok {
			return nil, &ValueError{Path: path(), Detail: fmt.Sprintf("must be a dateTime string, got %s", jsonKind(v))}
		}
		if _, err := ParseDateTime(s); err != nil {
			return nil, &ValueError{Path: path(), Detail: fmt.Sprintf("%q is not an xsd:dateTime such as 2008-01-23T04:56:22Z", s)}
		}
		return s, nil
	case schema.Boolean:
		if b, ok := Bool(v); ok {
			return b, nil
		}
		return nil, &ValueError{Path: path(), Detail: fmt.Sprintf("must be a boolean, got %s", jsonKind(v))}
	case schema.Integer:
		n, ok := v.(json.Number)
		if !ok {
			if f, isF := v.(float64); isF && f == math.Trunc(f) {
				return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), nil
			}
			return nil, &ValueError{Path: path(), Detail: fmt.Sprintf("must be an integer, got %s", jsonKind(v))}
		}
		if _, err := strconv.ParseInt(string(n), 10, 64); err != nil {
			return nil, &ValueError{Path: path(), Detail: fmt.Sprintf("must be an integer, got %s", n)}
		}
		return n, nil
	case schema.Decimal:
		switch t := v.(type) {
		case json.Number:
			return t, nil
		case float64:
			return json.Number(strconv.FormatFloat(t, 'g', -1, 64)), nil
		}
		return nil, &ValueError{Path: path(), Detail: fmt.Sprintf("must be a number, got %s", jsonKind(v))}
	}
	return nil, &ValueError{Path: path(), Detail: "unsupported type"}
}

// Bool reports the boolean v stands for: a JSON boolean, or the strings
// "true"/"false" in any case (Entra sends "True" and "False").
func Bool(v any) (b, ok bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case string:
		switch {
		case strings.EqualFold(t, "true"):
			return true, true
		case strings.EqualFold(t, "false"):
			return false, true
		}
	}
	return false, false
}

// ParseDateTime parses an xsd:dateTime as SCIM uses it (RFC 3339, with or
// without a zone; fractional seconds allowed).
func ParseDateTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02T15:04:05.999999999", s)
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// MissingRequired returns the names of rt's required attributes (core
// schema) that attrs, a canonical attribute map, lacks or holds empty.
func MissingRequired(rt *schema.ResourceType, attrs map[string]any) []string {
	var missing []string
	for _, a := range rt.Schema.Attributes {
		if !a.Required || a.Mutability == schema.ReadOnly {
			continue
		}
		v, ok := attrs[a.Name]
		if raw, isRaw := v.(json.RawMessage); isRaw && (string(raw) == `""` || string(raw) == "null") {
			v = nil // left undecoded by the caller (patch.Apply reads stored resources so)
		}
		if !ok || v == nil || v == "" {
			missing = append(missing, a.Name)
		}
	}
	return missing
}
