package sqlstore

import (
	"strings"

	"github.com/scimkit/scimkit/store"
)

// narrowing turns the string equalities a filter implies (store.Filter's
// Conditions) into PostgreSQL conditions on the jsonb document, so that
// List reads only rows that can match; Match still decides. Every value
// and every JSON key is a bound parameter. A case-insensitive comparison
// narrows only for an ASCII literal, compares under the C collation (ASCII
// case folding whatever the database's locale), and always keeps rows
// whose value holds non-ASCII text, which Go's case folding may still
// match: the rows kept are a superset of the matches.
func (s *Store) narrowing(f *store.Filter) (string, []any) {
	if s.d.name != "postgres" || f == nil {
		return "", nil
	}
	q := &sqlBuilder{}
	for _, c := range f.Conditions() {
		q.condition(c)
	}
	return q.b.String(), q.args
}

// sqlBuilder writes SQL text and its arguments in step.
type sqlBuilder struct {
	b    strings.Builder
	args []any
}

func (q *sqlBuilder) w(s string) { q.b.WriteString(s) }

func (q *sqlBuilder) arg(v any) {
	q.b.WriteString("?")
	q.args = append(q.args, v)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// usable reports whether a comparison can narrow at all (PostgreSQL text
// cannot hold U+0000, so such a literal is left to Match).
func usable(caseExact bool, v string) bool {
	return strings.IndexByte(v, 0) < 0 && (caseExact || isASCII(v))
}

// compare writes a comparison of the text expression expr with v.
func (q *sqlBuilder) compare(expr func(), caseExact bool, v string) {
	if caseExact {
		q.w("(")
		expr()
		q.w(" = ")
		q.arg(v)
		q.w(")")
		return
	}
	q.w("(lower(")
	expr()
	q.w(` COLLATE "C") = `)
	q.arg(strings.ToLower(v))
	q.w(" OR octet_length(")
	expr()
	q.w(") <> char_length(")
	expr()
	q.w("))")
}

// container writes the JSON object holding c's attribute.
func (q *sqlBuilder) container(c store.Condition) {
	if c.Extension == "" {
		q.w("attributes")
		return
	}
	q.w("(attributes->")
	q.arg(c.Extension)
	q.w(")")
}

func (q *sqlBuilder) condition(c store.Condition) {
	if !c.MultiValued {
		if len(c.Element) > 0 || !usable(c.CaseExact, c.Value) {
			return
		}
		q.w(" AND ")
		q.compare(func() {
			q.w("(")
			q.container(c)
			q.w("->")
			q.arg(c.Attribute)
			if c.Sub != "" {
				q.w("->>")
				q.arg(c.Sub)
			} else {
				q.w("#>>'{}'")
			}
			q.w(")")
		}, c.CaseExact, c.Value)
		return
	}
	// Some element of the array satisfies the comparison(s).
	elems := []store.Condition{c}
	if len(c.Element) > 0 {
		elems = c.Element
	}
	var use []store.Condition
	for _, e := range elems {
		if usable(e.CaseExact, e.Value) {
			use = append(use, e)
		}
	}
	if len(use) == 0 {
		return
	}
	arr := func() {
		q.w("(")
		q.container(c)
		q.w("->")
		q.arg(c.Attribute)
		q.w(")")
	}
	q.w(" AND EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(")
	arr()
	q.w(") = 'array' THEN ")
	arr()
	q.w(" ELSE '[]'::jsonb END) e WHERE ")
	for i, e := range use {
		if i > 0 {
			q.w(" AND ")
		}
		q.compare(func() {
			if e.Sub == "" {
				q.w("(e#>>'{}')")
				return
			}
			q.w("(e->>")
			q.arg(e.Sub)
			q.w(")")
		}, e.CaseExact, e.Value)
	}
	q.w(")")
}
