package patch

import (
	"slices"
	"strings"

	fp "github.com/scim2/filter-parser/v2"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// An operation with a value filter (emails[value eq "x"].type) must find
// the elements its filter selects. Scanning every element for every
// operation makes a PATCH of many such operations quadratic; elemIndex
// finds them by one string equality of the filter instead. It maps the
// sub-attribute's value (case-folded unless caseExact) to the positions
// of the elements holding it; the filter still decides on each candidate.
//
// An index stays valid while only value-filter operations change its
// attribute: they append elements and change elements in place, and keep
// it up to date. Any other operation on the attribute, or a value-filter
// operation that removes elements, drops it (elemIndexes.drop), and the
// next value-filter operation builds it again.
type elemIndex struct {
	sub       string
	caseExact bool
	n         int              // len of the elements when last brought up to date
	pos       map[string][]int // key → positions, ascending
}

type elemIndexKey struct{ ext, attr, sub string }

// minIndexed is the fewest elements worth an index: a scan of fewer costs
// less than building one (a user's few emails).
const minIndexed = 32

type elemIndexes map[elemIndexKey]*elemIndex

// drop forgets the indexes of t's attribute.
func (x elemIndexes) drop(t *target) {
	ext := ""
	if t.ext != nil {
		ext = t.ext.ID
	}
	for k := range x {
		if k.ext == ext && k.attr == t.attr.Name {
			delete(x, k)
		}
	}
}

// indexedEquality returns a string equality of expr (a conjunction of
// comparisons) on a sub-attribute of attr: the sub-attribute and the
// value. Booleans (primary) are never used.
func indexedEquality(expr fp.Expression, attr *schema.Attribute) (*schema.Attribute, string, bool) {
	switch e := expr.(type) {
	case *fp.LogicalExpression:
		if !strings.EqualFold(string(e.Operator), "and") {
			return nil, "", false
		}
		if sa, v, ok := indexedEquality(e.Left, attr); ok {
			return sa, v, ok
		}
		return indexedEquality(e.Right, attr)
	case *fp.AttributeExpression:
		s, isStr := e.CompareValue.(string)
		if !isStr || !strings.EqualFold(string(e.Operator), "eq") || e.AttributePath.URIPrefix != nil || e.AttributePath.SubAttribute != nil {
			return nil, "", false
		}
		sa := attr.Sub(e.AttributePath.AttributeName)
		if sa == nil || sa.Type != schema.String && sa.Type != schema.Reference || sa.Name == "primary" {
			return nil, "", false
		}
		return sa, s, true
	}
	return nil, "", false
}

// key is the index key of a sub-attribute value; ok is false for values
// an equality with a string never matches.
func (ix *elemIndex) key(v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		return "", false
	}
	if ix.caseExact {
		return s, true
	}
	return store.FoldKey(s), true
}

func (ix *elemIndex) add(p int, elem any) {
	m, _ := elem.(map[string]any)
	if k, ok := ix.key(m[ix.sub]); ok {
		ix.pos[k] = append(ix.pos[k], p) // p is past every position indexed so far
	}
}

// move re-files position p from key old (if it had one) to elem's key.
func (ix *elemIndex) move(p int, old string, hadOld bool, elem map[string]any) {
	k, ok := ix.key(elem[ix.sub])
	if hadOld && ok && k == old {
		return
	}
	if hadOld {
		ps := ix.pos[old]
		if i, found := slices.BinarySearch(ps, p); found {
			ps = slices.Delete(ps, i, i+1)
		}
		if len(ps) == 0 {
			delete(ix.pos, old)
		} else {
			ix.pos[old] = ps
		}
	}
	if ok {
		ps := ix.pos[k]
		i, _ := slices.BinarySearch(ps, p)
		ix.pos[k] = slices.Insert(ps, i, p)
	}
}

// dropExt forgets the indexes of the attributes of extension ext.
func (x elemIndexes) dropExt(ext string) {
	for k := range x {
		if k.ext == ext {
			delete(x, k)
		}
	}
}

// of returns the indexes of t's attribute.
func (x elemIndexes) of(t *target) []*elemIndex {
	ext := ""
	if t.ext != nil {
		ext = t.ext.ID
	}
	var out []*elemIndex
	for k, ix := range x {
		if k.ext == ext && k.attr == t.attr.Name {
			out = append(out, ix)
		}
	}
	return out
}

// index returns the index serving t's filter over elems, building it (and
// charging one pass over elems) when there is none; nil when the filter
// has no string equality to index by.
func (a *applier) index(i int, t *target, elems []any) (*elemIndex, string, error) {
	if len(elems) < minIndexed || !a.indexed {
		return nil, "", nil
	}
	sa, v, ok := indexedEquality(t.expr, t.attr)
	if !ok {
		return nil, "", nil
	}
	ext := ""
	if t.ext != nil {
		ext = t.ext.ID
	}
	k := elemIndexKey{ext, t.attr.Name, sa.Name}
	ix := a.indexes[k]
	if ix == nil || ix.n != len(elems) {
		if err := a.spend(i, len(elems)); err != nil {
			return nil, "", err
		}
		ix = &elemIndex{sub: sa.Name, caseExact: sa.CaseExact, pos: map[string][]int{}}
		for p, e := range elems {
			ix.add(p, e)
		}
		ix.n = len(elems)
		if a.indexes == nil {
			a.indexes = elemIndexes{}
		}
		a.indexes[k] = ix
	}
	key, _ := ix.key(v)
	return ix, key, nil
}
