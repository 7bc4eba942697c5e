package canon

import (
	"reflect"

	"github.com/scimkit/scimkit/internal/jsonv"
	"github.com/scimkit/scimkit/scim/schema"
)

// ChangedImmutable returns the name of the first immutable attribute
// (RFC 7643 §2.2) that has a value in before and a different one in after,
// or "" when the change is allowed. Both are canonical attribute maps;
// values may be left as undecoded json.RawMessage.
func ChangedImmutable(rt *schema.ResourceType, before, after map[string]any) string {
	check := func(s *schema.Schema, ext string) string {
		for _, a := range s.Attributes {
			if a.Mutability != schema.Immutable {
				continue
			}
			b, x := member(before, ext, a.Name), member(after, ext, a.Name)
			if b != nil && !reflect.DeepEqual(b, x) {
				return a.Name
			}
		}
		return ""
	}
	if name := check(rt.Schema, ""); name != "" {
		return name
	}
	for _, e := range rt.Extensions {
		if name := check(e, e.ID); name != "" {
			return name
		}
	}
	return ""
}

// HasImmutable reports whether rt has any immutable attribute, so callers
// can skip decoding for ChangedImmutable (the default schemas have none).
func HasImmutable(rt *schema.ResourceType) bool {
	for _, s := range append([]*schema.Schema{rt.Schema}, rt.Extensions...) {
		for _, a := range s.Attributes {
			if a.Mutability == schema.Immutable {
				return true
			}
		}
	}
	return false
}

// member reads attribute name (of extension ext, if set), decoding raw
// JSON on the way.
func member(m map[string]any, ext, name string) any {
	if ext != "" {
		m, _ = lazy(m[ext]).(map[string]any)
	}
	return lazy(m[name])
}

func lazy(v any) any {
	d, err := jsonv.Lazy(v)
	if err != nil {
		return v
	}
	return d
}
