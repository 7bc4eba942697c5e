package sqlstore

import (
	"strings"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// valueHints returns the "attribute:value" entries of scimkit_values
// (migration 5) that every resource matching the filter holds: one per
// top-level conjunct that requires an element of a multi-valued core
// attribute whose "value" equals an ASCII literal, as in
// emails[type eq "work" and value eq "x"] or emails.value eq "x". They
// narrow the rows through the GIN index; the filter still decides.
func valueHints(n *store.Node) []string {
	var out []string
	var conj func(n *store.Node, visit func(*store.Node))
	conj = func(n *store.Node, visit func(*store.Node)) {
		if n.Kind == store.NodeAnd {
			conj(n.Children[0], visit)
			conj(n.Children[1], visit)
			return
		}
		visit(n)
	}
	hint := func(attr string, c *store.Node) {
		if c.Kind != store.NodeCompare || c.Op != "eq" || c.Null || !isASCII(c.String) || !storable(c.String) {
			return
		}
		if c.Type != schema.String && c.Type != schema.Reference && c.Type != schema.Binary {
			return
		}
		out = append(out, attr+":"+strings.ToLower(c.String))
	}
	conj(n, func(c *store.Node) {
		tg := c.Target
		if tg.Kind != store.TargetAttribute || tg.Extension != "" || !tg.MultiValued || tg.InElement {
			return
		}
		switch c.Kind {
		case store.NodeHas:
			conj(c.Children[0], func(e *store.Node) {
				if e.Target.InElement && e.Target.Attribute == "value" {
					hint(tg.Attribute, e)
				}
			})
		case store.NodeCompare:
			if tg.Complex && tg.HasValue && (tg.Sub == "" || tg.Sub == "value") {
				hint(tg.Attribute, c)
			}
		}
	})
	return out
}
