package store

import (
	"time"

	fp "github.com/scim2/filter-parser/v2"

	"github.com/scimkit/scimkit/scim/schema"
)

// NodeKind says what a filter Node is.
type NodeKind uint8

const (
	NodeFalse   NodeKind = iota // matches nothing (a value filter on a path the schema does not have)
	NodeAnd                     // Children[0] and Children[1]
	NodeOr                      // Children[0] or Children[1]
	NodeNot                     // not Children[0]
	NodeCompare                 // Target Op Value
	NodeHas                     // some element of Target matches Children[0] (emails[type eq "work"])
)

// TargetKind says where a filter Target's values live.
type TargetKind uint8

const (
	TargetNone         TargetKind = iota // a path the schema does not have: no values
	TargetAttribute                      // an attribute in Attributes (or in an element, inside NodeHas)
	TargetID                             // Resource.ID
	TargetCreated                        // Resource.Created
	TargetLastModified                   // Resource.LastModified
	TargetVersion                        // Resource.Version
	TargetResourceType                   // Resource.Type
	TargetMembers                        // a group's Members: value, type, display
	TargetGroups                         // a user's Groups: value, display, type "direct"
)

// Target is the attribute path of a filter Node, resolved against the
// schema.
type Target struct {
	Kind        TargetKind
	Extension   string // the extension URN holding Attribute, or ""
	Attribute   string // canonical name; inside NodeHas, the element's sub-attribute
	MultiValued bool   // Attribute is multi-valued
	Complex     bool   // Attribute is complex
	HasValue    bool   // Attribute has a "value" sub-attribute ("emails eq x" compares it)
	Sub         string // the sub-attribute read ("name.familyName"), or ""
	InElement   bool   // relative to the element NodeHas iterates over
}

// Node is one node of a compiled filter, for Stores that translate filters
// into their own query language (Filter.Tree). Its meaning is exactly
// Match's: a translation that deviates from it returns other results than
// the in-memory store does.
//
// The values of a Target are, for an attribute: its value, or each
// element of a multi-valued one; a complex value is replaced by its Sub
// (or, without one, its "value" when HasValue), except for "pr", which
// tests the complex value itself unless Sub is set. Absent values, JSON
// null and "" are not present. A comparison matches when some value
// satisfies it; "ne" when none is equal (so it matches a resource
// without the attribute); "eq null" when none is present; "ne null" and
// "pr" when one is. Values of another JSON type than the attribute's
// never compare equal, greater or less.
//
// Strings compare as Go does: with caseExact, byte for byte; without it,
// "eq" is strings.EqualFold, and the other operators compare
// strings.ToLower of both sides. Booleans compare as canon.Bool reads them
// (JSON true/false, or the strings "true"/"false" in any case); numbers
// as float64 (from JSON numbers or numeric strings); dateTimes as instants.
type Node struct {
	Kind     NodeKind
	Children []*Node

	Target    Target
	Op        string      // "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"
	Type      schema.Type // the type Target's values compare as
	CaseExact bool
	Null      bool      // compared with null ("eq null": absent; "ne null": present)
	String    string    // the literal, for strings (as written, not lower-cased) and dateTimes
	Number    float64   // for integers and decimals
	Time      time.Time // for dateTimes
	Bool      bool      // for booleans
}

// Tree returns the filter as Nodes: what a Store translating filters
// walks. It is rebuilt on each call.
func (f *Filter) Tree() *Node { return treeOf(f.root) }

func treeOf(n node) *Node {
	switch t := n.(type) {
	case *andNode:
		return &Node{Kind: NodeAnd, Children: []*Node{treeOf(t.l), treeOf(t.r)}}
	case *orNode:
		return &Node{Kind: NodeOr, Children: []*Node{treeOf(t.l), treeOf(t.r)}}
	case *notNode:
		return &Node{Kind: NodeNot, Children: []*Node{treeOf(t.n)}}
	case *valuePathNode:
		return &Node{Kind: NodeHas, Target: targetOf(t.p), Children: []*Node{treeOf(t.inner)}}
	case *cmpNode:
		out := &Node{Kind: NodeCompare, Target: targetOf(t.p), Op: string(t.op), Type: t.typ, CaseExact: t.caseExact,
			Null: t.val == nil && t.op != fp.PR, Number: t.num, Time: t.tm, Bool: t.b}
		switch v := t.val.(type) {
		case string:
			out.String = v
		case nil:
		default:
			if t.typ != schema.Boolean && t.typ != schema.Integer && t.typ != schema.Decimal && t.typ != schema.DateTime {
				out.String = t.str // an unquoted number or boolean compared as text, as compileCmp spelled it
			}
		}
		return out
	}
	return &Node{Kind: NodeFalse}
}

func targetOf(p *Path) Target {
	var t Target
	switch p.kind {
	case pathUnknown:
		return Target{Kind: TargetNone}
	case pathID:
		return Target{Kind: TargetID}
	case pathCreated:
		return Target{Kind: TargetCreated}
	case pathLastModified:
		return Target{Kind: TargetLastModified}
	case pathVersion:
		return Target{Kind: TargetVersion}
	case pathResourceType:
		return Target{Kind: TargetResourceType}
	case pathMembers:
		t.Kind = TargetMembers
	case pathGroups:
		t.Kind = TargetGroups
	default:
		t.Kind = TargetAttribute
	}
	if p.attr != nil {
		t.Attribute = p.attr.Name
		t.MultiValued = p.attr.MultiValued
		t.Complex = p.attr.Type == schema.Complex
	}
	t.Extension = p.ext
	t.HasValue = p.hasValue
	t.InElement = p.elem
	if p.sub != nil {
		t.Sub = p.sub.Name
	}
	return t
}

// Target returns what the path reads, as a filter Node's Target.
func (p *Path) Target() Target { return targetOf(p) }

// ValueType is the type the path's values compare and sort as, and
// whether strings compare case-exactly.
func (p *Path) ValueType() (schema.Type, bool) { return p.valueType() }
