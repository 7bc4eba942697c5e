package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"

	fp "github.com/scim2/filter-parser/v2"

	"github.com/scimkit/scimkit/internal/canon"
	"github.com/scimkit/scimkit/scim/schema"
)

// FilterError is a filter that parses but cannot be evaluated against the
// schema, such as "active gt true". The Handler answers 400 invalidFilter.
type FilterError struct{ Msg string }

func (e *FilterError) Error() string { return e.Msg }

// ErrFilterTooCostly is what Filter.Err reports once a filter with a work
// limit (LimitWork) has compared more values than it allows. The Handler
// answers it with 400 tooMany (RFC 7644 §3.4.2.2).
var ErrFilterTooCostly = errors.New("store: the filter compares more stored values than one request may")

// Filter is a SCIM filter compiled against a resource type. Expr is the
// parsed AST (github.com/scim2/filter-parser/v2 types) for stores that
// translate filters into their own query language; Match evaluates the
// whole filter in Go. Paths are resolved as CompilePath does: a path to
// an attribute that is never returned (password) reads as absent, and a
// store translating Expr itself must treat it so.
//
// A Filter belongs to one request. Match and MatchDecoded are safe for
// concurrent use.
type Filter struct {
	Expr fp.Expression
	root node

	limit     int64        // work allowed besides WorkPerResource; 0: no limit
	spent     atomic.Int64 // work done by every Match so far
	evaluated atomic.Int64 // resources matched so far
	over      atomic.Bool  // limit exceeded
}

// WorkPerResource is the work a limited filter may do per resource it is
// evaluated on, beyond its limit (see LimitWork): a filter of a few terms
// stays within it however many resources a Store scans.
const WorkPerResource = 8

// LimitWork bounds the work of every Match of f together to n units, plus
// WorkPerResource for each resource matched (n ≤ 0: no bound). A unit is
// one stored value compared, plus one per 64 bytes of a string compared,
// so the bound holds however many terms the filter has and however many
// values a resource holds: a filter that compares many values of every
// resource is refused early, one that compares a few is never refused.
// Past it, Match reports no match and Err reports ErrFilterTooCostly; a
// Store that evaluates filters in Go stops as soon as Err says so.
func (f *Filter) LimitWork(n int) { f.limit = int64(max(n, 0)) }

// Err reports ErrFilterTooCostly once the work limit has been exceeded:
// the results of Match since are not to be trusted.
func (f *Filter) Err() error {
	if f != nil && f.over.Load() {
		return ErrFilterTooCostly
	}
	return nil
}

// CompileFilter resolves every attribute path in expr against rt and checks
// that each comparison makes sense for the attribute's type.
func CompileFilter(expr fp.Expression, rt *schema.ResourceType) (*Filter, error) {
	n, err := compileNode(expr, rt, nil)
	if err != nil {
		return nil, err
	}
	return &Filter{Expr: expr, root: n}, nil
}

// Match reports whether r matches the filter. It decodes r.Attributes; use
// MatchDecoded when the caller has them decoded already.
func (f *Filter) Match(r *Resource) (bool, error) {
	attrs, err := decodeAttributes(r.Attributes)
	if err != nil {
		return false, fmt.Errorf("store: decoding attributes of %s %s: %w", r.Type, r.ID, err)
	}
	return f.MatchDecoded(r, attrs), nil
}

// MatchDecoded is Match with r.Attributes already decoded into attrs.
func (f *Filter) MatchDecoded(r *Resource, attrs map[string]any) bool {
	if f.limit == 0 {
		return f.root.match(&evalCtx{r: r, attrs: attrs, left: math.MaxInt64})
	}
	if f.over.Load() {
		return false // once over, for good: Err reports it
	}
	left := f.limit + WorkPerResource*f.evaluated.Add(1) - f.spent.Load()
	if left <= 0 {
		f.over.Store(true)
		return false
	}
	c := evalCtx{r: r, attrs: attrs, left: left}
	ok := f.root.match(&c)
	f.spent.Add(left - c.left)
	if c.left < 0 {
		f.over.Store(true)
		return false
	}
	return ok
}

// Equality looks for a conjunct "attr eq value" that must hold for the
// whole filter to match, where attr is one of the given top-level core
// attribute names ("externalId", "id"). Stores use it to answer from an
// index and Match only the candidates; UniqueEquality does the same for
// unique attributes.
func (f *Filter) Equality(attrs ...string) (attr, value string, ok bool) {
	return equality(f.root, attrs)
}

// UniqueEquality looks for a conjunct "attr eq value" that must hold for
// the whole filter to match, where attr is one of the resource type's
// unique attributes (those in Resource.Unique). It returns the attribute
// as Unique.Attribute names it and the key a resource holding that value
// has (Unique.Key): a Store looks the key up in its uniqueness index and
// Matches only that resource. whole reports that the comparison is the
// whole filter, so the hit need not be Matched at all.
func (f *Filter) UniqueEquality() (attr, key string, whole bool, ok bool) {
	_, isCmp := f.root.(*cmpNode)
	var walk func(n node) (string, string, bool)
	walk = func(n node) (string, string, bool) {
		switch t := n.(type) {
		case *andNode:
			if a, k, ok := walk(t.l); ok {
				return a, k, ok
			}
			return walk(t.r)
		case *cmpNode:
			s, isStr := t.val.(string)
			if t.op != fp.EQ || !isStr || t.p.kind != pathAttr || t.p.sub != nil || t.p.elem || !isUnique(t.p.attr) {
				return "", "", false
			}
			return t.p.Name, Unique{Value: s, CaseExact: t.p.attr.CaseExact}.Key(), true
		}
		return "", "", false
	}
	attr, key, ok = walk(f.root)
	return attr, key, ok && isCmp, ok
}

// EqualityOnly is Equality for a filter that is nothing but that one
// comparison: a store that answers it from an exact index need not call
// Match on the hits.
func (f *Filter) EqualityOnly(attrs ...string) (attr, value string, ok bool) {
	if _, isCmp := f.root.(*cmpNode); !isCmp {
		return "", "", false
	}
	return equality(f.root, attrs)
}

func equality(n node, names []string) (string, string, bool) {
	switch t := n.(type) {
	case *andNode:
		if a, v, ok := equality(t.l, names); ok {
			return a, v, ok
		}
		return equality(t.r, names)
	case *cmpNode:
		if t.op != fp.EQ || t.p.ext != "" || t.p.sub != nil || t.p.elem {
			return "", "", false
		}
		s, isStr := t.val.(string)
		if !isStr {
			return "", "", false
		}
		for _, n := range names {
			if t.p.Name == n {
				return n, s, true
			}
		}
	}
	return "", "", false
}

type evalCtx struct {
	r     *Resource
	attrs map[string]any
	elem  map[string]any
	left  int64  // work still allowed; below zero every node answers false
	buf   []byte // scratch for case folding
}

// spend charges the work of comparing v and reports whether any is left.
func (c *evalCtx) spend(v any) bool {
	c.left--
	if s, ok := v.(string); ok {
		c.left -= int64(len(s) >> 6)
	}
	return c.left >= 0
}

type node interface{ match(c *evalCtx) bool }

type andNode struct{ l, r node }
type orNode struct{ l, r node }
type notNode struct{ n node }

func (n *andNode) match(c *evalCtx) bool { return n.l.match(c) && n.r.match(c) }
func (n *orNode) match(c *evalCtx) bool  { return n.l.match(c) || n.r.match(c) }
func (n *notNode) match(c *evalCtx) bool { return !n.n.match(c) }

// valuePathNode: emails[type eq "work" and value co "@x"] — some element
// of the multi-valued attribute matches the inner filter.
type valuePathNode struct {
	p     *Path
	inner node
}

func (n *valuePathNode) match(c *evalCtx) bool {
	var elems []any
	switch n.p.kind {
	case pathMembers:
		for _, m := range c.r.Members {
			elems = append(elems, map[string]any{"value": m.Value, "type": m.Type, "display": m.Display})
		}
	case pathGroups:
		for _, g := range c.r.Groups {
			elems = append(elems, map[string]any{"value": g.Value, "display": g.Display, "type": "direct"})
		}
	case pathAttr:
		src := c.attrs
		if n.p.ext != "" {
			src, _ = c.attrs[n.p.ext].(map[string]any)
		}
		switch v := src[n.p.attr.Name].(type) {
		case []any:
			elems = v
		case map[string]any:
			elems = []any{v}
		}
	}
	for _, e := range elems {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		inner := evalCtx{r: c.r, attrs: c.attrs, elem: m, left: c.left - 1, buf: c.buf}
		matched := n.inner.match(&inner)
		c.left, c.buf = inner.left, inner.buf
		if c.left < 0 {
			return false
		}
		if matched {
			return true
		}
	}
	return false
}

type cmpNode struct {
	p         *Path
	op        fp.CompareOperator
	typ       schema.Type
	caseExact bool
	val       any       // the compare value as parsed
	str       string    // string compare value, lower-cased unless caseExact
	num       float64   // numeric compare value
	tm        time.Time // dateTime compare value
	b         bool      // boolean compare value
}

func compileNode(e fp.Expression, rt *schema.ResourceType, within *schema.Attribute) (node, error) {
	switch t := e.(type) {
	case *fp.LogicalExpression:
		l, err := compileNode(t.Left, rt, within)
		if err != nil {
			return nil, err
		}
		r, err := compileNode(t.Right, rt, within)
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(string(t.Operator), "or") {
			return &orNode{l, r}, nil
		}
		return &andNode{l, r}, nil
	case *fp.NotExpression:
		n, err := compileNode(t.Expression, rt, within)
		if err != nil {
			return nil, err
		}
		return &notNode{n}, nil
	case *fp.ValuePath:
		if within != nil {
			return nil, &FilterError{Msg: "value filters cannot be nested"}
		}
		p := compilePath(t.AttributePath, rt, nil)
		if p.kind == pathUnknown || p.sub != nil {
			return falseNode{}, nil
		}
		a := p.attr
		if p.kind == pathAttr && (a == nil || a.Type != schema.Complex) {
			return nil, &FilterError{Msg: fmt.Sprintf("%s is not a complex attribute; a value filter needs one", p.Name)}
		}
		inner, err := compileNode(t.ValueFilter, rt, a)
		if err != nil {
			return nil, err
		}
		return &valuePathNode{p: p, inner: inner}, nil
	case *fp.AttributeExpression:
		p := compilePath(t.AttributePath, rt, within)
		return compileCmp(p, t.Operator, t.CompareValue)
	case nil:
		return nil, &FilterError{Msg: "empty filter"}
	}
	return nil, &FilterError{Msg: fmt.Sprintf("unsupported filter node %T", e)}
}

type falseNode struct{}

func (falseNode) match(*evalCtx) bool { return false }

func compileCmp(p *Path, op fp.CompareOperator, v any) (node, error) {
	op = fp.CompareOperator(strings.ToLower(string(op)))
	n := &cmpNode{p: p, op: op, val: v}
	n.typ, n.caseExact = p.valueType()
	if op == fp.PR || p.kind == pathUnknown {
		return n, nil
	}
	if v == nil {
		// "attr eq null" means "not present"; RFC 7644 leaves it open.
		if op != fp.EQ && op != fp.NE {
			return nil, &FilterError{Msg: fmt.Sprintf("%s %s null: only eq and ne compare with null", p.Name, op)}
		}
		return n, nil
	}
	switch n.typ {
	case schema.Boolean:
		if op != fp.EQ && op != fp.NE {
			return nil, &FilterError{Msg: fmt.Sprintf("%s is a boolean: use eq or ne, not %s", p.Name, op)}
		}
		b, ok := canon.Bool(v)
		if !ok {
			return nil, &FilterError{Msg: fmt.Sprintf("%s is a boolean; %v is not true or false", p.Name, v)}
		}
		n.b = b
	case schema.Integer, schema.Decimal:
		f, ok := toFloat(v)
		if !ok {
			return nil, &FilterError{Msg: fmt.Sprintf("%s is a number; %v is not", p.Name, v)}
		}
		n.num = f
		if op == fp.CO || op == fp.SW || op == fp.EW {
			return nil, &FilterError{Msg: fmt.Sprintf("%s is a number: %s compares strings", p.Name, op)}
		}
	case schema.DateTime:
		s, ok := v.(string)
		if !ok {
			return nil, &FilterError{Msg: fmt.Sprintf("%s is a dateTime; compare it with a string such as \"2011-05-13T04:42:34Z\"", p.Name)}
		}
		tm, err := canon.ParseDateTime(s)
		if err != nil {
			return nil, &FilterError{Msg: fmt.Sprintf("%s is a dateTime; %q is not one", p.Name, s)}
		}
		n.tm = tm
		n.str = s
	case schema.Complex:
		return nil, &FilterError{Msg: fmt.Sprintf("%s is complex: compare one of its sub-attributes, or use pr", p.Name)}
	default:
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v) // unquoted numbers and booleans compared as text
		}
		if !n.caseExact {
			s = strings.ToLower(s)
		}
		n.str = s
	}
	return n, nil
}

func toFloat(v any) (float64, bool) {
	switch t := v.(type) {
	case int:
		return float64(t), true
	case float64:
		return t, true
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(t, 64)
		return f, err == nil
	}
	return 0, false
}

func (n *cmpNode) match(c *evalCtx) bool {
	if c.left < 0 {
		return false
	}
	if n.op == fp.PR || n.val == nil && (n.op == fp.EQ || n.op == fp.NE) {
		// pr, "eq null" (absent) and "ne null" (present)
		it := n.p.iter(c.r, c.attrs, c.elem, n.op == fp.PR)
		found := false
		for v, ok := it.next(); ok; v, ok = it.next() {
			if !c.spend(nil) {
				return false
			}
			if present(v) {
				found = true
				break
			}
		}
		return found != (n.op == fp.EQ)
	}
	it := n.p.iter(c.r, c.attrs, c.elem, false)
	if n.op == fp.NE {
		for v, ok := it.next(); ok; v, ok = it.next() {
			if !c.spend(v) || n.compare(c, v, fp.EQ) {
				return false
			}
		}
		return true
	}
	for v, ok := it.next(); ok; v, ok = it.next() {
		if !c.spend(v) {
			return false
		}
		if n.compare(c, v, n.op) {
			return true
		}
	}
	return false
}

func present(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case string:
		return t != ""
	case []any:
		return len(t) > 0
	case map[string]any:
		return len(t) > 0
	}
	return true
}

func (n *cmpNode) compare(c *evalCtx, v any, op fp.CompareOperator) bool {
	switch n.typ {
	case schema.Boolean:
		b, ok := canon.Bool(v)
		return ok && b == n.b
	case schema.Integer, schema.Decimal:
		f, ok := toFloat(v)
		if !ok {
			return false
		}
		return ordered(cmpFloat(f, n.num), op)
	case schema.DateTime:
		var tm time.Time
		switch t := v.(type) {
		case time.Time:
			tm = t
		case string:
			var err error
			if tm, err = canon.ParseDateTime(t); err != nil {
				return false
			}
		default:
			return false
		}
		return ordered(tm.Compare(n.tm), op)
	}
	s, ok := v.(string)
	if !ok {
		return false
	}
	if !n.caseExact {
		if op == fp.EQ {
			return strings.EqualFold(s, n.str)
		}
		s = c.lower(s)
	}
	switch op {
	case fp.EQ:
		return s == n.str
	case fp.CO:
		return strings.Contains(s, n.str)
	case fp.SW:
		return strings.HasPrefix(s, n.str)
	case fp.EW:
		return strings.HasSuffix(s, n.str)
	}
	return ordered(strings.Compare(s, n.str), op)
}

// lower is strings.ToLower without an allocation for ASCII text: the
// result lives in c's scratch buffer until the next call.
func (c *evalCtx) lower(s string) string {
	upper := -1
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= utf8.RuneSelf:
			return strings.ToLower(s)
		case upper < 0 && 'A' <= b && b <= 'Z':
			upper = i
		}
	}
	if upper < 0 {
		return s // already lower case: most stored values are
	}
	c.buf = append(c.buf[:0], s...)
	for i := upper; i < len(c.buf); i++ {
		if b := c.buf[i]; 'A' <= b && b <= 'Z' {
			c.buf[i] = b + 'a' - 'A'
		}
	}
	return unsafe.String(unsafe.SliceData(c.buf), len(c.buf))
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func ordered(c int, op fp.CompareOperator) bool {
	switch op {
	case fp.EQ:
		return c == 0
	case fp.GT:
		return c > 0
	case fp.GE:
		return c >= 0
	case fp.LT:
		return c < 0
	case fp.LE:
		return c <= 0
	}
	return false
}

// ElementFilter is a value filter, such as the `type eq "work"` of
// emails[type eq "work"], compiled against a multi-valued complex
// attribute. PATCH uses it to select elements.
type ElementFilter struct {
	root node
}

// CompileElementFilter compiles expr, whose attribute names are
// sub-attributes of attr.
func CompileElementFilter(expr fp.Expression, rt *schema.ResourceType, attr *schema.Attribute) (*ElementFilter, error) {
	n, err := compileNode(expr, rt, attr)
	if err != nil {
		return nil, err
	}
	return &ElementFilter{root: n}, nil
}

// Match reports whether the element elem (a decoded complex value)
// matches.
func (f *ElementFilter) Match(elem map[string]any) bool { return f.Matcher()(elem) }

// Matcher returns Match for many elements in a row: it allocates once,
// not per element. The function is not safe for concurrent use.
func (f *ElementFilter) Matcher() func(elem map[string]any) bool {
	c := &evalCtx{r: &noResource}
	return func(elem map[string]any) bool {
		c.elem, c.left = elem, math.MaxInt64
		return f.root.match(c)
	}
}

// noResource is what an element filter's nodes see as the resource: they
// never read it.
var noResource Resource

// Equalities returns the sub-attribute values the filter pins with "eq"
// in a conjunction (`type eq "work" and primary eq true` → type: "work",
// primary: true), booleans typed. PATCH creates a missing element from
// them.
func (f *ElementFilter) Equalities() map[string]any {
	out := map[string]any{}
	var walk func(n node) bool
	walk = func(n node) bool {
		switch t := n.(type) {
		case *andNode:
			return walk(t.l) && walk(t.r)
		case *cmpNode:
			if t.op != fp.EQ || t.p.attr == nil || t.val == nil {
				return false
			}
			if t.typ == schema.Boolean {
				out[t.p.attr.Name] = t.b
			} else {
				out[t.p.attr.Name] = t.val
			}
			return true
		}
		return false
	}
	if !walk(f.root) {
		return nil
	}
	return out
}

// Condition is one "attribute eq string" comparison that every resource
// matching a filter satisfies, resolved against the schema: what a store
// may translate into its own query language to read fewer rows before it
// runs Match. Names are canonical; values are the filter's literals.
type Condition struct {
	Extension   string      // the extension URN holding Attribute, or "" for the core schema
	Attribute   string      // canonical attribute name, e.g. "emails" or "title"
	Sub         string      // sub-attribute compared, e.g. "value"; "" for a simple attribute
	MultiValued bool        // Attribute is multi-valued: some element must satisfy the comparison
	CaseExact   bool        // compare exactly; otherwise case-insensitively (strings.EqualFold)
	Value       string      // the literal compared with
	Element     []Condition // for a value filter (emails[type eq "work" and value eq "x"]): comparisons one same element satisfies; Value is then unused
}

// Conditions returns string equalities the filter implies: the comparisons
// of its top-level "and" that are "eq" on a string attribute stored in
// Attributes (not id, meta, members or groups), including value filters
// made only of such comparisons. A resource can match the filter only if
// it satisfies all of them; it may satisfy them and still not match.
func (f *Filter) Conditions() []Condition {
	var out []Condition
	var walk func(n node)
	walk = func(n node) {
		switch t := n.(type) {
		case *andNode:
			walk(t.l)
			walk(t.r)
		case *cmpNode:
			if c, ok := t.condition(); ok {
				out = append(out, c)
			}
		case *valuePathNode:
			if t.p.kind != pathAttr || t.p.attr == nil {
				return
			}
			var elem []Condition
			ok := true
			var inner func(n node)
			inner = func(n node) {
				switch x := n.(type) {
				case *andNode:
					inner(x.l)
					inner(x.r)
				case *cmpNode:
					c, good := x.condition()
					if good {
						elem = append(elem, c)
					}
				default:
					ok = false
				}
			}
			inner(t.inner)
			if ok && len(elem) > 0 {
				out = append(out, Condition{Extension: t.p.ext, Attribute: t.p.attr.Name, MultiValued: t.p.attr.MultiValued, Element: elem})
			}
		}
	}
	walk(f.root)
	return out
}

// condition describes an "eq" on a string attribute kept in Attributes.
func (n *cmpNode) condition() (Condition, bool) {
	s, isStr := n.val.(string)
	if n.op != fp.EQ || !isStr || n.p.kind != pathAttr || n.p.attr == nil {
		return Condition{}, false
	}
	if n.typ != schema.String && n.typ != schema.Reference && n.typ != schema.Binary {
		return Condition{}, false
	}
	if n.p.elem {
		// inside a value filter: a sub-attribute of the element
		return Condition{Sub: n.p.attr.Name, CaseExact: n.caseExact, Value: s}, true
	}
	c := Condition{Extension: n.p.ext, Attribute: n.p.attr.Name, MultiValued: n.p.attr.MultiValued, CaseExact: n.caseExact, Value: s}
	switch {
	case n.p.sub != nil:
		c.Sub = n.p.sub.Name
	case n.p.attr.Type == schema.Complex:
		c.Sub = "value" // "emails eq x" compares the values
	}
	return c, true
}
