package patch

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"

	"github.com/scimkit/scimkit/internal/canon"
	"github.com/scimkit/scimkit/internal/jsonv"
	"github.com/scimkit/scimkit/scim/schema"
)

// Apply runs ops on attrs, a resource's canonical attributes (core
// attributes by name, extension attributes in an object under their URN;
// a group's members under "members"), as RFC 7644 §3.5.2 says, and
// reports whether anything changed. A value in attrs may be left as
// json.RawMessage: Apply decodes it only if an operation touches it, and
// leaves the others as they are (the Handler reads stored resources this
// way). It applies all operations or none: on
// error attrs is left as it was. Values are validated against the schema
// ("True" is accepted for a boolean here too).
//
// An operation on an attribute whose returned characteristic is "never"
// (password) is accepted and dropped: scimkit never stores such a value,
// so it can never be returned or matched by a filter.
//
// Beyond the RFC, and unless c.Strict: an add or replace whose value
// filter matches no element creates one from the filter's equalities
// (addresses[type eq "work"].locality creates the work address), and
// attributes the schema does not define are ignored.
//
// lim bounds the work: past lim.MaxWork elements examined, Apply fails
// with an error that matches ErrTooMuchWork and changes nothing.
func Apply(attrs map[string]any, ops []Operation, rt *schema.ResourceType, c Compat, lim Limits) (changed bool, err error) {
	return apply(attrs, ops, rt, c, lim, true)
}

// apply is Apply; indexed false makes every value filter scan its
// attribute's elements (for tests holding the indexes to the scan).
func apply(attrs map[string]any, ops []Operation, rt *schema.ResourceType, c Compat, lim Limits, indexed bool) (changed bool, err error) {
	// Copy on write: the top level now, each attribute (and extension
	// object) the first time an operation touches it. attrs itself is
	// never written before every operation has succeeded.
	work := maps.Clone(attrs)
	if work == nil {
		work = map[string]any{}
	}
	a := &applier{rt: rt, c: c, root: work, owned: map[ownedKey]bool{}, left: lim.maxWork(), indexed: indexed}
	for i, op := range ops {
		if err := a.op(i, op); err != nil {
			return false, err
		}
	}
	a.compactMembers()
	if name := canon.ChangedImmutable(rt, attrs, work); name != "" {
		return false, errorf(mutability, "%s is immutable and already set", name)
	}
	if missing := canon.MissingRequired(rt, work); len(missing) > 0 {
		return false, errorf(invalidValue, "%s is required and cannot be removed or emptied", strings.Join(missing, ", "))
	}
	if !a.changed(attrs, work) {
		return false, nil
	}
	clear(attrs)
	maps.Copy(attrs, work)
	return true, nil
}

// changed compares the attributes before and after: untouched values are
// the same objects (or the same raw bytes); touched ones are compared
// decoded.
func (a *applier) changed(before, after map[string]any) bool {
	if len(before) != len(after) {
		return true
	}
	for k, b := range before {
		x, ok := after[k]
		if !ok {
			return true
		}
		if !reflect.DeepEqual(b, x) && !reflect.DeepEqual(lazy(b), lazy(x)) {
			return true
		}
	}
	return false
}

type applier struct {
	rt      *schema.ResourceType
	c       Compat
	root    map[string]any
	owned   map[ownedKey]bool // attributes already deep-copied into root
	left    int               // elements Apply may still examine
	members memberIndex       // a group's members by id, while member operations run
	indexes elemIndexes       // elements of multi-valued attributes by a sub-attribute's value
	indexed bool              // value filters may use indexes
}

// Limits bound the work of one Apply. The zero value takes the defaults.
type Limits struct {
	// MaxWork is how many elements of multi-valued attributes the
	// operations may examine in all: each element a value filter tests,
	// and each element an added value is compared with. Default 1,000,000.
	MaxWork int
}

func (l Limits) maxWork() int {
	if l.MaxWork <= 0 {
		return 1_000_000
	}
	return l.MaxWork
}

// ErrTooMuchWork is what Apply returns (wrapped, with the operation) when
// the operations examine more elements than Limits.MaxWork allows.
var ErrTooMuchWork = errors.New("patch: the operations examine more values than one request may")

// spend charges n elements examined by operation i.
func (a *applier) spend(i, n int) error {
	a.left -= n
	if a.left < 0 {
		return fmt.Errorf("Operations[%d]: %w", i, ErrTooMuchWork)
	}
	return nil
}

type ownedKey struct{ ext, name string }

// own makes the value of attribute name in container (root, or the
// extension object ext) private to this Apply before it is changed.
func (a *applier) own(container map[string]any, ext, name string) {
	k := ownedKey{ext, name}
	if a.owned[k] {
		return
	}
	a.owned[k] = true
	if v, ok := container[name]; ok {
		container[name] = deepCopy(lazy(v))
	}
}

// lazy decodes a value the caller left as raw JSON (see Apply).
func lazy(v any) any {
	raw, ok := v.(json.RawMessage)
	if !ok {
		return v
	}
	d, err := jsonv.Decode(raw)
	if err != nil {
		return v // not JSON: left as it is, compared and written back as bytes
	}
	return d
}

// ownExt returns a private copy of extension object id, creating it when
// create is set; nil when it does not exist and create is not set.
func (a *applier) ownExt(id string, create bool) map[string]any {
	k := ownedKey{ext: id}
	ext, _ := lazy(a.root[id]).(map[string]any)
	if !a.owned[k] {
		a.owned[k] = true
		if ext != nil {
			ext = maps.Clone(ext)
			a.root[id] = ext
		}
	}
	if ext == nil && create {
		ext = map[string]any{}
		a.root[id] = ext
	}
	return ext
}

func (a *applier) op(i int, op Operation) error {
	switch op.Op {
	case "add", "replace", "remove":
	default:
		return errorf(invalidSyntax, "Operations[%d].op %q: use add, replace or remove", i, op.Op)
	}
	if op.Path == "" {
		if op.Op == "remove" {
			return errorf(noTarget, "Operations[%d]: remove needs a path", i)
		}
		obj, ok := op.Value.(map[string]any)
		if !ok {
			return errorf(invalidSyntax, "Operations[%d]: an %s without a path needs an object value", i, op.Op)
		}
		return a.merge(i, op.Op, obj)
	}
	if s, rest, ok := canon.SplitURN(a.rt, op.Path); ok && rest == "" {
		// A schema URN as the path: that schema's attributes as a whole.
		if op.Op == "remove" {
			if s == a.rt.Schema {
				return errorf(invalidPath, "Operations[%d]: %s is the core schema; remove its attributes one by one", i, op.Path)
			}
			delete(a.root, s.ID)
			a.indexes.dropExt(s.ID)
			return nil
		}
		obj, ok := op.Value.(map[string]any)
		if !ok {
			return errorf(invalidValue, "Operations[%d]: the value for %s must be an object of its attributes", i, s.ID)
		}
		return a.merge(i, op.Op, map[string]any{s.ID: obj})
	}
	var cached *target
	if op.resolvedFor == a.rt {
		cached = op.resolved
	}
	return a.path(i, op.Op, op.Path, cached, op.Value, false)
}

// merge applies a path-less add or replace: each key of obj is a path,
// and a schema URN's object holds that schema's attributes.
func (a *applier) merge(i int, op string, obj map[string]any) error {
	for k, v := range obj {
		if s, rest, ok := canon.SplitURN(a.rt, k); ok && rest == "" {
			m, isObj := v.(map[string]any)
			if !isObj {
				return errorf(invalidValue, "Operations[%d]: %s must be an object", i, s.ID)
			}
			prefix := ""
			if s != a.rt.Schema {
				prefix = s.ID + ":"
			}
			for sk, sv := range m {
				if err := a.path(i, op, prefix+sk, nil, sv, true); err != nil {
					return err
				}
			}
			continue
		}
		if err := a.path(i, op, k, nil, v, true); err != nil {
			return err
		}
	}
	return nil
}

// path applies one operation on one path (t, when not nil, is path
// already resolved). fromObject says the path came from a key of a
// path-less value, where a complex value merges.
func (a *applier) path(i int, op, path string, t *target, v any, fromObject bool) error {
	var err error
	if t == nil {
		t, err = resolve(a.rt, path)
	}
	if err == errNeverStored {
		return nil // accepted and dropped (see Apply)
	}
	if err == errUnknownAttribute {
		if a.c.Strict {
			return errorf(invalidPath, "Operations[%d]: %q is not an attribute of %s", i, path, a.rt.Name)
		}
		return nil
	}
	if err != nil {
		return err
	}
	container := a.root
	extID := ""
	if t.ext != nil {
		extID = t.ext.ID
		ext := a.ownExt(extID, op != "remove")
		if ext == nil {
			return nil
		}
		container = ext
		defer func() {
			if len(ext) == 0 {
				delete(a.root, t.ext.ID)
			}
		}()
	}
	a.own(container, extID, t.attr.Name)
	if t.filter == nil || op == "remove" {
		a.indexes.drop(t) // only value-filter adds and replaces keep them up to date
	}
	if isGroupMembers(t) {
		if done, err := a.memberOp(i, op, t, v); done || err != nil {
			return err
		}
		a.compactMembers()
	}
	if op == "remove" {
		return a.remove(i, t, container)
	}
	if t.filter != nil {
		return a.filtered(i, op, t, container, v)
	}
	if isClear(v) {
		return a.remove(i, t, container)
	}
	name := t.attr.Name
	if t.sub != nil {
		sv, err := canonical(t, t.sub, v)
		if err != nil {
			return err
		}
		if t.attr.MultiValued {
			elems, _ := container[name].([]any)
			if len(elems) == 0 {
				container[name] = []any{map[string]any{t.sub.Name: sv}}
				return nil
			}
			if t.sub.Name == "primary" && sv == true && len(elems) > 1 {
				return errorf(invalidValue, "Operations[%d]: %s true on all %d elements would make more than one primary; select one with a value filter", i, t.name(), len(elems))
			}
			for _, e := range elems {
				if m, ok := e.(map[string]any); ok {
					m[t.sub.Name] = sv
				}
			}
			return nil
		}
		obj, _ := container[name].(map[string]any)
		if obj == nil {
			obj = map[string]any{}
			container[name] = obj
		}
		obj[t.sub.Name] = sv
		return nil
	}
	cv, err := canonical(t, t.attr, v)
	if err != nil {
		return err
	}
	if cv == nil {
		return a.remove(i, t, container)
	}
	switch {
	case t.attr.MultiValued && op == "add":
		cur, _ := container[name].([]any)
		for _, e := range cv.([]any) {
			if err := a.spend(i, len(cur)); err != nil {
				return err
			}
			if !containsElement(cur, e) {
				cur = append(cur, e)
			}
		}
		container[name] = cur
		clearOtherPrimaries(cur, cv.([]any))
	case t.attr.MultiValued: // replace
		container[name] = cv
		arr := cv.([]any)
		clearOtherPrimaries(arr, lastPrimary(arr))
	case t.attr.Type == schema.Complex:
		// add, and replace too (RFC 7644 §3.5.2.3): the given
		// sub-attributes replace theirs, the others stay — except for a
		// reference such as manager, where a new value drops the old $ref.
		obj, _ := container[name].(map[string]any)
		nv := cv.(map[string]any)
		if obj == nil || (op == "replace" && !fromObject && nv["value"] != nil) {
			obj = map[string]any{}
		}
		if _, ok := nv["value"]; ok && t.attr.Sub("$ref") != nil {
			if _, hasRef := nv["$ref"]; !hasRef {
				delete(obj, "$ref")
				delete(obj, "displayName")
				delete(obj, "display")
			}
		}
		maps.Copy(obj, nv)
		clearSubs(obj, v)
		if len(obj) == 0 {
			delete(container, name)
			return nil
		}
		container[name] = obj
	default:
		container[name] = cv
	}
	return nil
}

// filtered applies add or replace on path[filter] or path[filter].sub.
func (a *applier) filtered(i int, op string, t *target, container map[string]any, v any) error {
	name := t.attr.Name
	elems, _ := container[name].([]any)
	ix, key, err := a.index(i, t, elems)
	if err != nil {
		return err
	}
	var matched []map[string]any
	var matchedAt []int
	match := t.filter.Matcher()
	visit := func(p int) {
		if m, ok := elems[p].(map[string]any); ok && match(m) {
			matched = append(matched, m)
			matchedAt = append(matchedAt, p)
		}
	}
	if ix != nil {
		// Only the elements holding the filter's equality can match.
		cand := ix.pos[key]
		if err := a.spend(i, 1+len(cand)); err != nil {
			return err
		}
		for _, p := range cand {
			visit(p)
		}
	} else {
		if err := a.spend(i, len(elems)); err != nil {
			return err
		}
		for p := range elems {
			visit(p)
		}
	}
	var elemValue map[string]any
	var subValue any
	clearing := isClear(v)
	if !clearing {
		var err error
		if t.sub != nil {
			if subValue, err = canonical(t, t.sub, v); err != nil {
				return err
			}
		} else {
			ev, err := canonicalElement(t, elementOf(v))
			if err != nil {
				return err
			}
			elemValue, _ = ev.(map[string]any)
		}
	}
	if len(matched) == 0 {
		if clearing {
			return nil
		}
		if a.c.Strict {
			return errorf(noTarget, "Operations[%d]: no %s element matches the filter", i, name)
		}
		elem := t.filter.Equalities()
		if elem == nil {
			return errorf(noTarget, "Operations[%d]: no %s element matches the filter, and it is not a plain equality to create one from", i, name)
		}
		if t.sub != nil {
			elem[t.sub.Name] = subValue
		} else {
			maps.Copy(elem, elemValue)
			clearSubs(elem, elementOf(v))
		}
		elems = append(elems, elem)
		container[name] = elems
		for _, x := range a.indexes.of(t) {
			if x.n == len(elems)-1 {
				x.add(len(elems)-1, elem)
				x.n = len(elems)
			}
		}
		if p, _ := elem["primary"].(bool); p {
			if err := a.spend(i, len(elems)); err != nil {
				return err
			}
			clearOtherPrimaries(elems, []any{elem})
		}
		return nil
	}
	type filed struct {
		key string
		ok  bool
	}
	ixs := a.indexes.of(t)
	before := make([]filed, len(ixs)*len(matched))
	for j, m := range matched {
		for x, ix := range ixs {
			k, ok := ix.key(m[ix.sub])
			before[j*len(ixs)+x] = filed{k, ok}
		}
	}
	for _, m := range matched {
		switch {
		case t.sub != nil && clearing:
			delete(m, t.sub.Name)
		case t.sub != nil:
			m[t.sub.Name] = subValue
		case clearing:
			clear(m)
		case op == "replace":
			clear(m)
			maps.Copy(m, elemValue)
		default:
			maps.Copy(m, elemValue)
			clearSubs(m, elementOf(v))
		}
	}
	n := len(elems)
	elems = compactElements(elems)
	setOrDelete(container, name, elems)
	if len(elems) != n {
		a.indexes.drop(t) // positions moved
	} else {
		for j, m := range matched {
			for x, ix := range ixs {
				b := before[j*len(ixs)+x]
				ix.move(matchedAt[j], b.key, b.ok, m)
			}
		}
	}
	// At most one primary (RFC 7643 §2.4): the last matched element that
	// is primary now wins.
	for j := len(matched) - 1; j >= 0; j-- {
		if matched[j]["primary"] == true {
			if err := a.spend(i, len(elems)); err != nil {
				return err
			}
			clearOtherPrimaries(elems, []any{matched[j]})
			break
		}
	}
	return nil
}

// clearSubs deletes from obj the sub-attributes that raw, the value as
// sent, sets to "" or null: inside a complex value they mean "clear".
func clearSubs(obj map[string]any, raw any) {
	m, ok := raw.(map[string]any)
	if !ok {
		return
	}
	for k, v := range m {
		if !isClear(v) {
			continue
		}
		for name := range obj {
			if strings.EqualFold(name, k) {
				delete(obj, name)
			}
		}
	}
}

func elementOf(v any) any {
	if arr, ok := v.([]any); ok && len(arr) == 1 {
		return arr[0]
	}
	return v
}

func (a *applier) remove(i int, t *target, container map[string]any) error {
	name := t.attr.Name
	cur, ok := container[name]
	if !ok {
		return nil
	}
	switch {
	case t.filter != nil:
		elems, _ := cur.([]any)
		if err := a.spend(i, len(elems)); err != nil {
			return err
		}
		kept := elems[:0:0]
		match := t.filter.Matcher()
		for _, e := range elems {
			m, isMap := e.(map[string]any)
			if !isMap || !match(m) {
				kept = append(kept, e)
				continue
			}
			if t.sub != nil {
				delete(m, t.sub.Name)
				if len(m) > 0 {
					kept = append(kept, m)
				}
			}
		}
		setOrDelete(container, name, kept)
	case t.sub != nil:
		switch c := cur.(type) {
		case map[string]any:
			delete(c, t.sub.Name)
			if len(c) == 0 {
				delete(container, name)
			}
		case []any:
			for _, e := range c {
				if m, ok := e.(map[string]any); ok {
					delete(m, t.sub.Name)
				}
			}
			setOrDelete(container, name, compactElements(c))
		}
	default:
		delete(container, name)
	}
	return nil
}

func setOrDelete(container map[string]any, name string, elems []any) {
	if len(elems) == 0 {
		delete(container, name)
		return
	}
	container[name] = elems
}

// compactElements drops elements left empty.
func compactElements(elems []any) []any {
	out := elems[:0:0]
	for _, e := range elems {
		if m, ok := e.(map[string]any); ok && len(m) == 0 {
			continue
		}
		out = append(out, e)
	}
	return out
}

// isClear: "" and null clear the target.
func isClear(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

// canonical validates v for attr, the attribute (or sub-attribute) that
// target t writes. The path in an error is built only then.
func canonical(t *target, attr *schema.Attribute, v any) (any, error) {
	cv, err := canon.CanonicalValue(attr, attr.Name, v, canon.Options{})
	if err != nil {
		var ve *canon.ValueError
		if errors.As(err, &ve) {
			return nil, errorf(invalidValue, "%s: %s", t.name()+strings.TrimPrefix(ve.Path, attr.Name), ve.Detail)
		}
		return nil, errorf(invalidValue, "%v", err)
	}
	return cv, nil
}

// canonicalElement validates one element of t's multi-valued complex
// attribute.
func canonicalElement(t *target, v any) (any, error) {
	single := *t.attr
	single.MultiValued = false
	return canonical(t, &single, v)
}

// containsElement reports whether elems already holds an element equal to
// e (primary aside).
func containsElement(elems []any, e any) bool {
	for _, x := range elems {
		if equalIgnoringPrimary(x, e) {
			return true
		}
	}
	return false
}

func equalIgnoringPrimary(a, b any) bool {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if !aok || !bok {
		return reflect.DeepEqual(a, b)
	}
	for k, v := range am {
		if k == "primary" {
			continue
		}
		if !reflect.DeepEqual(v, bm[k]) {
			return false
		}
	}
	for k := range bm {
		if _, ok := am[k]; !ok && k != "primary" {
			return false
		}
	}
	return true
}

// clearOtherPrimaries sets primary to false on every element of elems
// that is not among winners, when a winner is primary (RFC 7643 §2.4: at
// most one primary value).
func clearOtherPrimaries(elems []any, winners []any) {
	var win map[string]any
	for _, w := range winners {
		if m, ok := w.(map[string]any); ok && m["primary"] == true {
			win = m
		}
	}
	if win == nil {
		return
	}
	for _, e := range elems {
		m, ok := e.(map[string]any)
		if !ok || m["primary"] != true {
			continue
		}
		if !sameElement(m, win) {
			m["primary"] = false
		}
	}
}

func sameElement(a, b map[string]any) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer() || equalIgnoringPrimary(a, b)
}

func lastPrimary(arr []any) []any {
	for j := len(arr) - 1; j >= 0; j-- {
		if m, ok := arr[j].(map[string]any); ok && m["primary"] == true {
			return []any{m}
		}
	}
	return nil
}

// deepCopy copies decoded JSON.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, x := range t {
			a[i] = deepCopy(x)
		}
		return a
	}
	return v
}
