package store

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scimkit/internal/canon"
	"github.com/scimkit/scimkit/scim/schema"
)

// Query selects one page of a List.
type Query struct {
	Filter *Filter // nil: every resource of the type

	// SortBy orders the results (nil: the Store's stable default order,
	// creation order for the stores scimkit ships). Resources without a
	// value sort last in both directions.
	SortBy         *Path
	SortDescending bool

	StartIndex int // 1-based index of the first result to return; < 1 means 1
	Count      int // at most this many results; 0 returns only TotalResults
}

// Sort orders rs by q.SortBy (stable, so equal keys keep their order).
// attrs returns the decoded attributes of a resource. Stores that cannot
// sort natively use it.
func (q Query) Sort(rs []*Resource, attrs func(*Resource) map[string]any) {
	if q.SortBy == nil {
		return
	}
	typ, caseExact := q.SortBy.valueType()
	keys := make(map[*Resource]any, len(rs))
	for _, r := range rs {
		keys[r] = sortKey(q.SortBy.values(r, attrs(r), nil), typ, caseExact)
	}
	slices.SortStableFunc(rs, func(a, b *Resource) int {
		ka, kb := keys[a], keys[b]
		switch {
		case ka == nil && kb == nil:
			return 0
		case ka == nil:
			return 1
		case kb == nil:
			return -1
		}
		c := compareKeys(ka, kb)
		if q.SortDescending {
			c = -c
		}
		return c
	})
}

// sortKey is the value a resource sorts by: the first present value (the
// primary one of a multi-valued attribute is not singled out).
func sortKey(vals []any, typ schema.Type, caseExact bool) any {
	for _, v := range vals {
		if !present(v) {
			continue
		}
		switch typ {
		case schema.Integer, schema.Decimal:
			if f, ok := toFloat(v); ok {
				return f
			}
		case schema.DateTime:
			switch t := v.(type) {
			case time.Time:
				return t
			case string:
				if tm, err := canon.ParseDateTime(t); err == nil {
					return tm
				}
			}
		case schema.Boolean:
			if b, ok := canon.Bool(v); ok {
				if b {
					return 1.0
				}
				return 0.0
			}
		default:
			if s, ok := v.(string); ok {
				if !caseExact {
					s = SortFold(s)
				}
				return s
			}
		}
	}
	return nil
}

func compareKeys(a, b any) int {
	switch x := a.(type) {
	case float64:
		if y, ok := b.(float64); ok {
			return cmp.Compare(x, y)
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	}
	return 0
}

// Window returns the part of rs that q's StartIndex and Count select.
func (q Query) Window(rs []*Resource) []*Resource {
	start := q.StartIndex
	if start < 1 {
		start = 1
	}
	if start > len(rs) || q.Count <= 0 {
		return nil
	}
	end := start - 1 + q.Count
	if end > len(rs) {
		end = len(rs)
	}
	return rs[start-1 : end]
}

// SortFold is how a sortBy on a case-insensitive string attribute compares
// values: with ASCII letters lowered and every other byte as it is, which
// a database can compute too (PostgreSQL's lower under the C collation,
// SQLite's lower), so every store sorts alike. Non-ASCII letters sort by
// code point.
func SortFold(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
