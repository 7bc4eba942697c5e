package sqlstore

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// translator writes a store.Filter as a SQL condition on the rows of
// scimkit_resources r, with Match's meaning (see store.Node). What it
// cannot say exactly in SQL it says as a superset (frag.exact false), and
// List then decides those rows in Go.
//
// Stored documents are assumed to follow the schema, as the Handler writes
// them: a single-valued attribute is not an array, and the elements of a
// multi-valued complex attribute are objects.
type translator struct {
	d  Dialect
	pg bool
	n  int // aliases handed out
}

func newTranslator(d Dialect) *translator { return &translator{d: d, pg: d.name == "postgres"} }

func (t *translator) alias() string {
	t.n++
	return "x" + strconv.Itoa(t.n)
}

// jv is a JSON value of the row. In PostgreSQL it is the jsonb value
// parent -> key (or parent itself when key is ""); in SQLite it is the
// value at a path in r.attributes, the path being base (an SQL text
// expression, or nothing for "$") followed by suffix.
type jv struct {
	parent frag
	key    string
	base   frag
	suffix string
}

// lit writes s as an SQL string literal when it is safe to, else binds it.
func lit(s string) any {
	if !strings.ContainsAny(s, "'\\") && utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 && len(s) < 512 {
		return "'" + s + "'"
	}
	return bind{s}
}

func (t *translator) root(tg store.Target) jv {
	if t.pg {
		v := jv{parent: frag{sql: "r.attributes", exact: true}}
		if tg.Extension != "" {
			v = jv{parent: t.json(jv{parent: v.parent, key: tg.Extension})}
		}
		v.key = tg.Attribute
		return v
	}
	suffix := ""
	if tg.Extension != "" {
		suffix = `."` + tg.Extension + `"`
	}
	return jv{suffix: suffix + `."` + tg.Attribute + `"`}
}

func (t *translator) sub(v jv, name string) jv {
	if t.pg {
		return jv{parent: t.json(v), key: name}
	}
	v.suffix += `."` + name + `"`
	return v
}

// json is a PostgreSQL jsonb expression of v.
func (t *translator) json(v jv) frag {
	if v.key == "" {
		return v.parent
	}
	if safeKey(v.key) {
		return cat("(", v.parent, " -> '", v.key, "')")
	}
	return cat("(", v.parent, " -> ", bind{v.key}, ")")
}

// path is a SQLite path expression of v.
func (t *translator) path(v jv) frag {
	if v.base.sql == "" {
		if safeKey(strings.ReplaceAll(v.suffix, `"`, "")) || v.suffix == "" {
			return cat("'$" + v.suffix + "'")
		}
		return cat(bind{"$" + v.suffix})
	}
	if v.suffix == "" {
		return v.base
	}
	return cat("(", v.base, " || ", lit(v.suffix), ")")
}

// typeIs tests v's JSON type: "string", "boolean", "object" or "array".
func (t *translator) typeIs(v jv, typ string) frag {
	if t.pg {
		return cat("jsonb_typeof(", t.json(v), ") = '", typ, "'")
	}
	switch typ {
	case "string":
		typ = "text"
	case "boolean":
		return cat("json_type(r.attributes, ", t.path(v), ") IN ('true', 'false')")
	}
	return cat("json_type(r.attributes, ", t.path(v), ") = '", typ, "'")
}

// text is v as text, when it is a string.
func (t *translator) text(v jv) frag {
	if t.pg {
		if v.key == "" {
			return cat("(", v.parent, " #>> '{}')")
		}
		if safeKey(v.key) {
			return cat("(", v.parent, " ->> '", v.key, "')")
		}
		return cat("(", v.parent, " ->> ", bind{v.key}, ")")
	}
	return cat("json_extract(r.attributes, ", t.path(v), ")")
}

// present is Match's present: not absent, null, "", [] or {}.
func (t *translator) present(v jv) frag {
	if t.pg {
		j := t.json(v)
		return cat("COALESCE(CASE jsonb_typeof(", j, ") WHEN 'string' THEN ", j, ` <> '""'::jsonb WHEN 'array' THEN jsonb_array_length(`, j,
			") > 0 WHEN 'object' THEN ", j, " <> '{}'::jsonb WHEN 'number' THEN TRUE WHEN 'boolean' THEN TRUE ELSE FALSE END, FALSE)")
	}
	p := t.path(v)
	return cat("COALESCE(CASE json_type(r.attributes, ", p, ") WHEN 'text' THEN json_extract(r.attributes, ", p, ") <> '' WHEN 'array' THEN json_array_length(r.attributes, ", p,
		") > 0 WHEN 'object' THEN (r.attributes -> ", p, ") <> '{}' WHEN 'integer' THEN TRUE WHEN 'real' THEN TRUE WHEN 'true' THEN TRUE WHEN 'false' THEN TRUE ELSE FALSE END, FALSE)")
}

// elements iterates over v's elements when v is an array: a FROM item, the
// element and the condition that v is an array.
func (t *translator) elements(v jv) (from frag, elem jv, guard frag) {
	a := t.alias()
	if t.pg {
		j := t.json(v)
		return cat("jsonb_array_elements(CASE WHEN jsonb_typeof(", j, ") = 'array' THEN ", j, " ELSE '[]'::jsonb END) AS ", a, "(j)"),
			jv{parent: frag{sql: a + ".j", exact: true}}, sqlTrue
	}
	p := t.path(v)
	return cat("json_each(r.attributes, ", p, ") AS ", a), jv{base: frag{sql: a + ".fullkey", exact: true}}, cat("json_type(r.attributes, ", p, ") = 'array'")
}

// pick is what a comparison reads of a complex value: its sub-attribute,
// or (without one, unless whole) its "value".
func (t *translator) pick(v jv, tg store.Target, whole bool) jv {
	switch {
	case tg.Sub != "":
		return t.sub(v, tg.Sub)
	case tg.Complex && tg.HasValue && !whole:
		return t.sub(v, "value")
	}
	return v
}

// Case folding as Go's: for an ASCII literal, strings.EqualFold(s, lit)
// holds exactly when s, with U+212A KELVIN SIGN and U+017F LATIN SMALL
// LETTER LONG S replaced by k and s and ASCII letters lowered, equals the
// lowered literal; and strings.ToLower(s) compares with it (contains,
// starts, ends, orders) as s does with U+212A and U+0130 (İ) replaced by
// k and i and ASCII letters lowered, since no other rune lowers to ASCII.
// Both functions lower only ASCII letters (PostgreSQL's lower under the C
// collation, SQLite's lower).
func (t *translator) foldEq(s frag) frag {
	if t.pg {
		return cat("lower(translate(", s, ", '\u212a\u017f', 'ks') COLLATE \"C\")")
	}
	return cat("lower(replace(replace(", s, ", '\u212a', 'k'), '\u017f', 's'))")
}

func (t *translator) foldLower(s frag) frag {
	if t.pg {
		return cat("lower(translate(", s, ", '\u212a\u0130', 'ki') COLLATE \"C\")")
	}
	return cat("lower(replace(replace(", s, ", '\u212a', 'k'), '\u0130', 'i'))")
}

// strcmp compares the text s with the literal v as Match compares strings.
func (t *translator) strcmp(s frag, op, v string, caseExact bool) frag {
	if !storable(v) {
		return sqlMaybe
	}
	if !caseExact {
		if !isASCII(v) {
			return sqlMaybe
		}
		v = strings.ToLower(v)
		if op == "eq" {
			return cat(t.foldEq(s), " = ", bind{v})
		}
		s = t.foldLower(s)
	}
	switch op {
	case "eq":
		return cat(s, " = ", bind{v})
	case "co", "sw", "ew":
		if v == "" {
			return cat(s, " IS NOT NULL")
		}
		if t.pg {
			pat := likeEscape(v)
			switch op {
			case "co":
				pat = "%" + pat + "%"
			case "sw":
				pat += "%"
			case "ew":
				pat = "%" + pat
			}
			return cat(s, " LIKE ", bind{pat})
		}
		n := strconv.Itoa(utf8.RuneCountInString(v))
		switch op {
		case "co":
			return cat("instr(", s, ", ", bind{v}, ") > 0")
		case "sw":
			return cat("substr(", s, ", 1, "+n+") = ", bind{v})
		}
		return cat("substr(", s, ", -"+n+") = ", bind{v})
	}
	sym := map[string]string{"gt": " > ", "ge": " >= ", "lt": " < ", "le": " <= "}[op]
	if sym == "" {
		return sqlFalse
	}
	if t.pg {
		return cat(s, ` COLLATE "C"`, sym, bind{v})
	}
	return cat(s, sym, bind{v})
}

// valueCond: the JSON value v satisfies n (not ne, pr or null).
func (t *translator) valueCond(v jv, n *store.Node) frag {
	switch n.Type {
	case schema.Boolean:
		word := "false"
		if n.Bool {
			word = "true"
		}
		var exactly frag
		if t.pg {
			exactly = cat(t.json(v), " = '", word, "'::jsonb")
		} else {
			exactly = cat("json_type(r.attributes, ", t.path(v), ") = '", word, "'")
		}
		return cat("(", exactly, " OR (", t.typeIs(v, "string"), " AND ", t.foldEq(t.text(v)), " = '", word, "'))")
	case schema.Integer, schema.Decimal, schema.DateTime, schema.Complex:
		return sqlMaybe
	}
	return and(t.typeIs(v, "string"), t.strcmp(t.text(v), n.Op, n.String, n.CaseExact))
}

// tree translates a whole filter.
func (t *translator) tree(n *store.Node) frag { return t.node(n, nil) }

// elemCtx is the element a value filter's comparisons read: a JSON
// element, or a row of a group's members or a user's groups (alias x).
type elemCtx struct {
	json  *jv
	refs  store.TargetKind
	alias string
}

func (t *translator) node(n *store.Node, e *elemCtx) frag {
	switch n.Kind {
	case store.NodeFalse:
		return sqlFalse
	case store.NodeAnd:
		return and(t.node(n.Children[0], e), t.node(n.Children[1], e))
	case store.NodeOr:
		return or(t.node(n.Children[0], e), t.node(n.Children[1], e))
	case store.NodeNot:
		return not(t.node(n.Children[0], e))
	case store.NodeHas:
		return t.has(n)
	case store.NodeCompare:
		return t.compare(n, e)
	}
	return sqlMaybe
}

// has: some element of n.Target matches n.Children[0].
func (t *translator) has(n *store.Node) frag {
	tg := n.Target
	switch tg.Kind {
	case store.TargetMembers, store.TargetGroups:
		a := t.alias()
		inner := t.node(n.Children[0], &elemCtx{refs: tg.Kind, alias: a})
		return cat("EXISTS (SELECT 1 FROM ", t.refs(tg.Kind), " ", a, " WHERE ", inner, ")")
	case store.TargetAttribute:
	default:
		return sqlFalse
	}
	v := t.root(tg)
	if !tg.MultiValued {
		inner := t.node(n.Children[0], &elemCtx{json: &v})
		return and(t.typeIs(v, "object"), inner)
	}
	from, el, guard := t.elements(v)
	inner := t.node(n.Children[0], &elemCtx{json: &el})
	return cat("EXISTS (SELECT 1 FROM ", from, " WHERE ", and(guard, and(t.typeIs(el, "object"), inner)), ")")
}

// refs is the relation of a group's members or a user's groups, with
// columns value, type and display, for the row r.
func (t *translator) refs(k store.TargetKind) string {
	if k == store.TargetMembers {
		return `(SELECT m.member_id AS value, m.member_type AS type,
			CASE WHEN m.display <> '' THEN m.display ELSE COALESCE(mx.display_name, '') END AS display
			FROM scimkit_members m LEFT JOIN scimkit_resources mx ON mx.tenant = m.tenant AND mx.type = m.member_type AND mx.id = m.member_id
			WHERE m.tenant = r.tenant AND m.group_id = r.id)`
	}
	return `(SELECT g.id AS value, 'direct' AS type, g.display_name AS display
		FROM scimkit_members m JOIN scimkit_resources g ON g.tenant = m.tenant AND g.type = 'Group' AND g.id = m.group_id
		WHERE m.tenant = r.tenant AND m.member_id = r.id)`
}

// compare translates a comparison.
func (t *translator) compare(n *store.Node, e *elemCtx) frag {
	tg := n.Target
	switch {
	case tg.Kind == store.TargetNone:
		return absent(n)
	case tg.Kind == store.TargetID:
		return t.textValue(cat("r.id"), n)
	case tg.Kind == store.TargetVersion:
		return t.textValue(cat("CAST(r.version AS TEXT)"), n)
	case tg.Kind == store.TargetResourceType:
		return t.textValue(cat("r.type"), n)
	case tg.Kind == store.TargetCreated:
		return t.instant(cat("r.created_ns"), n)
	case tg.Kind == store.TargetLastModified:
		return t.instant(cat("r.modified_ns"), n)
	case tg.Kind == store.TargetMembers || tg.Kind == store.TargetGroups:
		col := tg.Sub
		if col == "" {
			col = "value"
		}
		if col != "value" && col != "type" && col != "display" {
			return absent(n)
		}
		a := t.alias()
		some := func(c frag) frag {
			return cat("EXISTS (SELECT 1 FROM ", t.refs(tg.Kind), " ", a, " WHERE ", a, ".", col, " <> ''", " AND ", c, ")")
		}
		x := cat(a + "." + col)
		switch {
		case n.Op == "pr" || n.Null && n.Op == "ne":
			return some(sqlTrue)
		case n.Null:
			return not(some(sqlTrue))
		case n.Op == "ne":
			return not(some(t.strcmp(x, "eq", n.String, n.CaseExact)))
		}
		return some(t.strcmp(x, n.Op, n.String, n.CaseExact))
	case e != nil && e.json == nil:
		// A sub-attribute of a member or group, inside members[…].
		switch tg.Attribute {
		case "value", "type", "display":
		default:
			return absent(n)
		}
		x := cat(e.alias + "." + tg.Attribute)
		switch {
		case n.Op == "pr" || n.Null && n.Op == "ne":
			return cat(x, " <> ''")
		case n.Null:
			return cat(x, " = ''")
		case n.Op == "ne":
			return not(t.strcmp(x, "eq", n.String, n.CaseExact))
		}
		return t.strcmp(x, n.Op, n.String, n.CaseExact)
	}
	var v jv
	if e != nil {
		if tg.MultiValued {
			return sqlMaybe
		}
		v = t.sub(*e.json, tg.Attribute)
	} else {
		v = t.root(tg)
	}
	if !tg.MultiValued {
		switch {
		case n.Op == "pr":
			return t.present(t.pick(v, tg, true))
		case n.Null && n.Op == "ne":
			return t.present(t.pick(v, tg, false))
		case n.Null:
			return not(t.present(t.pick(v, tg, false)))
		case n.Op == "ne":
			eq := *n
			eq.Op = "eq"
			return not(t.valueCond(t.pick(v, tg, false), &eq))
		}
		return t.valueCond(t.pick(v, tg, false), n)
	}
	some := func(whole bool, cond func(el jv) frag) frag {
		from, el, guard := t.elements(v)
		c := cond(t.pick(el, tg, whole))
		return cat("EXISTS (SELECT 1 FROM ", from, " WHERE ", and(guard, c), ")")
	}
	switch {
	case n.Op == "pr":
		return some(true, t.present)
	case n.Null && n.Op == "ne":
		return some(false, t.present)
	case n.Null:
		return not(some(false, t.present))
	case n.Op == "ne":
		eq := *n
		eq.Op = "eq"
		return not(some(false, func(el jv) frag { return t.valueCond(el, &eq) }))
	}
	return some(false, func(el jv) frag { return t.valueCond(el, n) })
}

// absent is a comparison on a path without values.
func absent(n *store.Node) frag {
	if n.Op == "ne" && !n.Null || n.Op == "eq" && n.Null {
		return sqlTrue
	}
	return sqlFalse
}

// textValue compares a text column that always holds a value.
func (t *translator) textValue(col frag, n *store.Node) frag {
	switch {
	case n.Op == "pr" || n.Null && n.Op == "ne":
		return sqlTrue
	case n.Null:
		return sqlFalse
	case n.Op == "ne":
		return not(t.strcmp(col, "eq", n.String, n.CaseExact))
	}
	return t.strcmp(col, n.Op, n.String, n.CaseExact)
}

// instant compares a column of Unix nanoseconds with a dateTime.
func (t *translator) instant(col frag, n *store.Node) frag {
	switch {
	case n.Op == "pr" || n.Null && n.Op == "ne":
		return sqlTrue
	case n.Null:
		return sqlFalse
	}
	if n.Type != schema.DateTime {
		return sqlMaybe
	}
	lo, hi := time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)
	if n.Time.Before(lo) || n.Time.After(hi) {
		after := n.Time.Before(lo) // every stored instant is after the literal
		switch n.Op {
		case "gt", "ge":
			return boolFrag(after)
		case "lt", "le":
			return boolFrag(!after)
		case "ne":
			return sqlTrue
		}
		return sqlFalse
	}
	ns := n.Time.UnixNano()
	sym := map[string]string{"eq": " = ", "ne": " <> ", "gt": " > ", "ge": " >= ", "lt": " < ", "le": " <= "}[n.Op]
	if sym == "" {
		return sqlFalse // co, sw, ew compare no dateTime
	}
	return cat(col, sym, bind{ns})
}

func boolFrag(b bool) frag {
	if b {
		return sqlTrue
	}
	return sqlFalse
}
