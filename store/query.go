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

	// Cursor paging (RFC 9865). When UseCursor is true, StartIndex is ignored and
	// the page begins right after the position Cursor names ("" : the first page).
	// Cursors are opaque strings the Store itself made (Page.NextCursor); a
	// Store refuses one it cannot read with an error matching ErrInvalidCursor.
	//
	// A cursor is a keyset position, never an offset: the sort key of the
	// resource it follows (when SortBy is set) and that resource's place in
	// the default order, which is unique. So a walk from the first page to
	// the last, while other requests create, update and delete resources,
	// returns every resource that exists for the whole walk exactly once,
	// in the order of the query (a resource whose sortBy value changes
	// during the walk may be met twice or not at all: it moved). Resources
	// created during the walk show up when they sort after the position
	// reached. EncodeCursor and DecodeCursor make and read such cursors for
	// any Store; Stores that implement them say so with CursorPager.
	UseCursor bool
	Cursor    string
}

// Sort orders rs by q.SortBy (stable, so equal keys keep their order).
// attrs returns the decoded attributes of a resource. Stores that cannot
// sort natively use it.
func (q Query) Sort(rs []*Resource, attrs func(*Resource) map[string]any) {
	if q.SortBy == nil {
		return
	}
	keys := make(map[*Resource]any, len(rs))
	for _, r := range rs {
		keys[r] = q.SortKey(r, attrs(r))
	}
	slices.SortStableFunc(rs, func(a, b *Resource) int {
		return q.CompareSortKeys(keys[a], keys[b])
	})
}

// SortKey returns the value q sorts r by, as Sort compares it: a string
// (lower-cased unless the attribute is caseExact), a float64 (numbers and
// booleans) or a time.Time; nil when q has no SortBy or r has no value.
// attrs are r's decoded attributes (DecodeAttributes).
func (q Query) SortKey(r *Resource, attrs map[string]any) any {
	if q.SortBy == nil {
		return nil
	}
	typ, caseExact := q.SortBy.valueType()
	return sortKey(q.SortBy.values(r, attrs, nil), typ, caseExact)
}

// CompareSortKeys orders two SortKey values as Sort does: ascending, or
// descending with SortDescending, and nil (no value) last in both
// directions. Equal keys compare 0: the default order breaks the tie.
func (q Query) CompareSortKeys(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	c := compareKeys(a, b)
	if q.SortDescending {
		c = -c
	}
	return c
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
