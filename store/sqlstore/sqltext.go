package sqlstore

import (
	"strings"
)

// frag is a piece of SQL with its arguments, in order, and whether it
// selects exactly the rows store.Filter.Match would select or only a
// superset of them (the rows it keeps are then decided in Go).
type frag struct {
	sql   string
	args  []any
	exact bool
}

// bind is an argument in cat.
type bind struct{ v any }

// cat joins strings (SQL), frags and binds (a placeholder and its
// argument) into one exact-as-its-parts frag.
func cat(parts ...any) frag {
	var b strings.Builder
	out := frag{exact: true}
	for _, p := range parts {
		switch t := p.(type) {
		case string:
			b.WriteString(t)
		case frag:
			b.WriteString(t.sql)
			out.args = append(out.args, t.args...)
			out.exact = out.exact && t.exact
		case bind:
			b.WriteByte('?')
			out.args = append(out.args, t.v)
		default:
			panic("sqlstore: cat of an unexpected part")
		}
	}
	out.sql = b.String()
	return out
}

var (
	sqlTrue  = frag{sql: "TRUE", exact: true}
	sqlFalse = frag{sql: "FALSE", exact: true}
	// sqlMaybe keeps every row: a comparison SQL does not decide.
	sqlMaybe = frag{sql: "TRUE"}
)

func (f frag) isMaybe() bool { return !f.exact && f.sql == "TRUE" }

func and(a, b frag) frag {
	switch {
	case a.isMaybe():
		b.exact = false
		return b
	case b.isMaybe():
		a.exact = false
		return a
	case a.sql == "TRUE" && a.exact:
		return b
	case b.sql == "TRUE" && b.exact:
		return a
	}
	return cat("(", a, " AND ", b, ")")
}

func or(a, b frag) frag {
	if a.isMaybe() || b.isMaybe() {
		return sqlMaybe
	}
	return cat("(", a, " OR ", b, ")")
}

// not negates an exact frag; SQL's NULL (an absent value compared) is
// false there, as Match's absent values are.
func not(a frag) frag {
	if !a.exact {
		return sqlMaybe
	}
	return cat("NOT COALESCE(", a, ", FALSE)")
}

// likeEscape escapes LIKE's metacharacters (PostgreSQL's default escape
// character is the backslash).
func likeEscape(s string) string {
	if !strings.ContainsAny(s, `\%_`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == '\\' || r == '%' || r == '_' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// safeKey reports whether a JSON key can be written into SQL text as a
// string literal: schema attribute names and URNs can. Others are bound.
func safeKey(k string) bool {
	if k == "" || len(k) > 200 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_-:.$", c) >= 0) {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
