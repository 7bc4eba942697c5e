package patch

import (
	"maps"
	"strings"

	fp "github.com/scim2/filter-parser/v2"
)

// A group of 100,000 members gets its member changes as one PATCH of many
// operations (Okta re-sends the group's name beside them, so the Store's
// MemberPatcher cannot take them). memberIndex makes each "add members"
// and "remove members[value eq id]" cost what it adds or removes rather
// than the group's size: it maps each member id to its positions in the
// members array, a removed member leaves a hole (nil), and the array is
// compacted once, before any other operation on members and at the end.
type memberIndex struct {
	pos   map[string][]int // member id → positions in root["members"]
	holes int
}

// isGroupMembers reports whether t is a resource's top-level members.
func isGroupMembers(t *target) bool {
	return t.ext == nil && t.sub == nil && t.attr.Name == "members" && t.attr.MultiValued
}

// memberOp applies op on members through the index when it is an add of
// members or a remove of one member by id, and reports whether it did.
func (a *applier) memberOp(i int, op string, t *target, v any) (bool, error) {
	if !isGroupMembers(t) {
		return false, nil
	}
	switch {
	case op == "remove" && t.filter != nil:
		id, ok := memberID(t.expr)
		if !ok {
			return false, nil
		}
		elems, err := a.indexMembers(i)
		if err != nil {
			return true, err
		}
		if err := a.spend(i, 1); err != nil {
			return true, err
		}
		for _, p := range a.members.pos[id] {
			elems[p] = nil
			a.members.holes++
		}
		delete(a.members.pos, id)
		return true, nil
	case op == "add" && t.filter == nil && !isClear(v):
		cv, err := canonical(t, t.attr, v)
		if err != nil || cv == nil {
			return false, nil // the general path reports it
		}
		add := cv.([]any)
		for _, e := range add {
			em, _ := e.(map[string]any)
			if _, ok := em["value"].(string); !ok {
				return false, nil // no id: the general path decides
			}
		}
		elems, err := a.indexMembers(i)
		if err != nil {
			return true, err
		}
		if err := a.spend(i, len(add)); err != nil {
			return true, err
		}
		for _, e := range add {
			em := e.(map[string]any)
			id := em["value"].(string)
			if ps := a.members.pos[id]; len(ps) > 0 {
				maps.Copy(elems[ps[0]].(map[string]any), em)
				continue
			}
			a.members.pos[id] = []int{len(elems)}
			elems = append(elems, em)
		}
		a.root["members"] = elems
		return true, nil
	}
	return false, nil
}

// indexMembers returns root["members"], indexing it first if needed (the
// one pass over the group that a PATCH of member changes costs).
func (a *applier) indexMembers(i int) ([]any, error) {
	elems, _ := a.root["members"].([]any)
	if a.members.pos != nil {
		return elems, nil
	}
	if err := a.spend(i, len(elems)); err != nil {
		return nil, err
	}
	a.members.pos = make(map[string][]int, len(elems))
	for p, e := range elems {
		if m, ok := e.(map[string]any); ok {
			if id, ok := m["value"].(string); ok {
				a.members.pos[id] = append(a.members.pos[id], p)
			}
		}
	}
	return elems, nil
}

// compactMembers drops the holes left by removes and the index, so that
// any other code sees a plain members array.
func (a *applier) compactMembers() {
	if a.members.pos == nil {
		return
	}
	if a.members.holes > 0 {
		elems, _ := a.root["members"].([]any)
		kept := make([]any, 0, len(elems)-a.members.holes)
		for _, e := range elems {
			if e != nil {
				kept = append(kept, e)
			}
		}
		setOrDelete(a.root, "members", kept)
	}
	a.members = memberIndex{}
}

// memberID recognises the value filter `value eq "id"`.
func memberID(e fp.Expression) (string, bool) {
	c, ok := e.(*fp.AttributeExpression)
	if !ok || !strings.EqualFold(string(c.Operator), "eq") || c.AttributePath.URIPrefix != nil ||
		c.AttributePath.SubAttribute != nil || !strings.EqualFold(c.AttributePath.AttributeName, "value") {
		return "", false
	}
	id, ok := c.CompareValue.(string)
	return id, ok
}
