package memory

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scimkit/scimkit/store"
)

// Store is an in-memory store.Store. The zero value is not usable; call New.
type Store struct {
	now  func() time.Time
	feed *feed // nil: no feed

	mu      sync.RWMutex
	tenants map[string]*tenant
}

// Config configures a Store. The zero value is the default.
type Config struct {
	// Clock returns the current time, for Created and LastModified.
	// Nil: time.Now.
	Clock func() time.Time

	// FeedEvents turns the change feed (store.Feed) on: it keeps the last
	// FeedEvents events of all tenants, in memory. An event older than
	// that is dropped, consumed or not, and everything is lost on
	// restart: for a durable feed, use store/sqlstore. Zero: no feed
	// (Claim, Ack and Wait fail with store.ErrNoFeed).
	FeedEvents int

	// FeedValues keeps the attributes before and after each change in
	// the feed's events (store.Event's Before and After).
	FeedValues bool
}

// New returns an empty Store with the default Config.
func New() *Store { return NewWithConfig(Config{}) }

// NewWithConfig returns an empty Store configured by cfg.
func NewWithConfig(cfg Config) *Store {
	s := &Store{now: cfg.Clock, tenants: make(map[string]*tenant)}
	if s.now == nil {
		s.now = time.Now
	}
	if cfg.FeedEvents > 0 {
		s.feed = newFeed(s.now, cfg.FeedEvents, cfg.FeedValues)
	}
	return s
}

var _ store.Store = (*Store)(nil)

type tenant struct {
	mu       sync.RWMutex
	seq      uint64                         // last version handed out
	tables   map[string]*table              // by resource type
	memberOf map[string]map[string]struct{} // member id → ids of groups it is a direct member of
}

type table struct {
	byID   map[string]*entry
	unique map[string]map[string]*entry // Unique.Attribute → Unique.Key → resource
	byExt  map[string][]*entry          // externalId, exact
	order  []*entry                     // creation order
}

type entry struct {
	seq        uint64 // creation sequence: the default order
	version    uint64
	id         string
	unique     []store.Unique
	display    string
	externalID string
	attrs      json.RawMessage
	schemas    []string
	created    time.Time
	modified   time.Time
	members    map[string]member // groups only
}

type member struct {
	seq     uint64 // when added: members list in this order
	typ     string
	display string // as sent; empty: computed on read
}

func (s *Store) tenant(ctx context.Context, create bool) (*tenant, error) {
	name, ok := store.Tenant(ctx)
	if !ok {
		return nil, store.ErrNoTenant
	}
	s.mu.RLock()
	t := s.tenants[name]
	s.mu.RUnlock()
	if t != nil || !create {
		return t, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t = s.tenants[name]; t == nil {
		t = &tenant{tables: make(map[string]*table), memberOf: make(map[string]map[string]struct{})}
		s.tenants[name] = t
	}
	return t, nil
}

// table returns the table of typ; with create, making it on first use.
// t.mu is held (for writing, with create).
func (t *tenant) table(typ string, create bool) *table {
	tb := t.tables[typ]
	if tb == nil && create {
		tb = &table{
			byID:   make(map[string]*entry),
			unique: make(map[string]map[string]*entry),
			byExt:  make(map[string][]*entry),
		}
		t.tables[typ] = tb
	}
	return tb
}

func checkMatch(e *entry, ifMatch string) error {
	if store.VersionMatches(ifMatch, strconv.FormatUint(e.version, 10)) {
		return nil
	}
	return fmt.Errorf("%w: %s is at version %d, not %s", store.ErrPrecondition, e.id, e.version, ifMatch)
}

// Create implements store.Store.
func (s *Store) Create(ctx context.Context, r *store.Resource) (*store.Resource, error) {
	if r.Type == "" {
		return nil, errors.New("memory: a resource needs a type")
	}
	t, err := s.tenant(ctx, true)
	if err != nil {
		return nil, err
	}
	rec := s.recorder(ctx)
	defer rec.publish()
	t.mu.Lock()
	defer t.mu.Unlock()
	tb := t.table(r.Type, true)
	e := &entry{}
	fill(e, r)
	if err := tb.checkUnique(e, nil); err != nil {
		return nil, err
	}
	members, err := t.resolveMembers(r)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	t.seq++
	e.seq, e.version = t.seq, t.seq
	e.id = store.NewID()
	for tb.byID[e.id] != nil {
		e.id = store.NewID()
	}
	e.created, e.modified = now, now
	if r.Type == store.Group {
		e.members = make(map[string]member, len(members))
		t.setMembers(e, members)
	}
	tb.byID[e.id] = e
	tb.index(e)
	if e.externalID != "" {
		tb.byExt[e.externalID] = append(tb.byExt[e.externalID], e)
	}
	tb.order = append(tb.order, e)
	res := t.resource(r.Type, e, true)
	if rec != nil {
		rec.commit(store.Changes(nil, res))
	}
	return res, nil
}

func fill(e *entry, r *store.Resource) {
	e.unique, e.display, e.externalID = slices.Clone(r.Unique), r.Display, r.ExternalID
	e.attrs = slices.Clone(r.Attributes)
	e.schemas = slices.Clone(r.Schemas)
}

// checkUnique reports a value of e.unique another resource than self holds.
func (tb *table) checkUnique(e, self *entry) error {
	for _, u := range e.unique {
		if other := tb.unique[u.Attribute][u.Key()]; other != nil && other != self {
			return &store.ConflictError{Attribute: u.Attribute, Value: u.Value}
		}
	}
	return nil
}

func (tb *table) index(e *entry) {
	for _, u := range e.unique {
		m := tb.unique[u.Attribute]
		if m == nil {
			m = make(map[string]*entry)
			tb.unique[u.Attribute] = m
		}
		m[u.Key()] = e
	}
}

func (tb *table) unindex(e *entry) {
	for _, u := range e.unique {
		if tb.unique[u.Attribute][u.Key()] == e {
			delete(tb.unique[u.Attribute], u.Key())
		}
	}
}

// resolveMembers checks that every member exists in the tenant and fills
// in its type; duplicates are dropped.
func (t *tenant) resolveMembers(r *store.Resource) ([]store.Member, error) {
	if r.Type != store.Group || len(r.Members) == 0 {
		return nil, nil
	}
	var unknown []string
	out := make([]store.Member, 0, len(r.Members))
	seen := make(map[string]bool, len(r.Members))
	for _, m := range r.Members {
		if seen[m.Value] {
			continue
		}
		seen[m.Value] = true
		switch {
		case t.lookup(store.User, m.Value) != nil:
			m.Type = store.User
		case t.lookup(store.Group, m.Value) != nil:
			m.Type = store.Group
		default:
			unknown = append(unknown, m.Value)
			continue
		}
		out = append(out, m)
	}
	if len(unknown) > 0 {
		return nil, &store.InvalidMemberError{IDs: unknown}
	}
	return out, nil
}

// storedDisplay is the display to keep for a member: "" (derived on read,
// so it follows renames) when it equals what would be derived anyway.
func (t *tenant) storedDisplay(m store.Member) string {
	if m.Display == t.displayOf(m.Value, m.Type) {
		return ""
	}
	return m.Display
}

// setMembers adds members to group e (which must not hold them yet, or is
// being refilled) and records the reverse index.
func (t *tenant) setMembers(e *entry, members []store.Member) {
	for _, m := range members {
		if _, ok := e.members[m.Value]; ok {
			continue
		}
		t.seq++
		e.members[m.Value] = member{seq: t.seq, typ: m.Type, display: t.storedDisplay(m)}
		g := t.memberOf[m.Value]
		if g == nil {
			g = make(map[string]struct{}, 1)
			t.memberOf[m.Value] = g
		}
		g[e.id] = struct{}{}
	}
}

func (t *tenant) removeMember(e *entry, id string) {
	delete(e.members, id)
	if g := t.memberOf[id]; g != nil {
		delete(g, e.id)
		if len(g) == 0 {
			delete(t.memberOf, id)
		}
	}
}

// resource builds the store.Resource view of e. full adds members (groups)
// and groups (users).
func (t *tenant) resource(typ string, e *entry, full bool) *store.Resource {
	r := &store.Resource{
		Type:         typ,
		ID:           e.id,
		Unique:       slices.Clone(e.unique),
		Display:      e.display,
		ExternalID:   e.externalID,
		Attributes:   slices.Clone(e.attrs), // callers own what they get
		Schemas:      slices.Clone(e.schemas),
		Created:      e.created,
		LastModified: e.modified,
		Version:      strconv.FormatUint(e.version, 10),
	}
	if !full {
		return r
	}
	if typ == store.Group && len(e.members) > 0 {
		r.Members = make([]store.Member, 0, len(e.members))
		seqs := make(map[string]uint64, len(e.members))
		for id, m := range e.members {
			d := m.display
			if d == "" {
				d = t.displayOf(id, m.typ)
			}
			r.Members = append(r.Members, store.Member{Value: id, Type: m.typ, Display: d})
			seqs[id] = m.seq
		}
		slices.SortFunc(r.Members, func(a, b store.Member) int {
			return cmp.Compare(seqs[a.Value], seqs[b.Value])
		})
	}
	if gs := t.memberOf[e.id]; len(gs) > 0 && typ == store.User {
		r.Groups = make([]store.GroupRef, 0, len(gs))
		for gid := range gs {
			if g := t.lookup(store.Group, gid); g != nil {
				r.Groups = append(r.Groups, store.GroupRef{Value: gid, Display: g.display})
			}
		}
		slices.SortFunc(r.Groups, func(a, b store.GroupRef) int { return strings.Compare(a.Value, b.Value) })
	}
	return r
}

func (t *tenant) displayOf(id, typ string) string {
	if e := t.lookup(typ, id); e != nil {
		return e.display
	}
	return ""
}

// lookup returns resource id of typ, or nil.
func (t *tenant) lookup(typ, id string) *entry {
	if tb := t.tables[typ]; tb != nil {
		return tb.byID[id]
	}
	return nil
}

func notFound(typ, id string) error {
	return fmt.Errorf("%w: %s %q", store.ErrNotFound, typ, id)
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, typ, id string) (*store.Resource, error) {
	t, err := s.tenant(ctx, false)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, notFound(typ, id)
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	e := t.lookup(typ, id)
	if e == nil {
		return nil, notFound(typ, id)
	}
	return t.resource(typ, e, true), nil
}

// write stores r over e, keeping indexes and memberships right.
func (s *Store) write(t *tenant, tb *table, e *entry, r *store.Resource) (*store.Resource, error) {
	next := &entry{}
	fill(next, r)
	if err := tb.checkUnique(next, e); err != nil {
		return nil, err
	}
	var members []store.Member
	if r.Type == store.Group {
		var err error
		if members, err = t.resolveMembers(r); err != nil {
			return nil, err
		}
	}
	if e.externalID != next.externalID {
		tb.byExt[e.externalID] = slices.DeleteFunc(tb.byExt[e.externalID], func(x *entry) bool { return x == e })
		if len(tb.byExt[e.externalID]) == 0 {
			delete(tb.byExt, e.externalID)
		}
		if next.externalID != "" {
			tb.byExt[next.externalID] = append(tb.byExt[next.externalID], e)
		}
	}
	tb.unindex(e)
	e.unique, e.display, e.externalID = next.unique, next.display, next.externalID
	e.attrs, e.schemas = next.attrs, next.schemas
	tb.index(e)
	if r.Type == store.Group {
		keep := make(map[string]bool, len(members))
		for _, m := range members {
			keep[m.Value] = true
		}
		for id := range e.members {
			if !keep[id] {
				t.removeMember(e, id)
			}
		}
		var add []store.Member
		for _, m := range members {
			if old, ok := e.members[m.Value]; ok {
				old.display = t.storedDisplay(m)
				e.members[m.Value] = old
				continue
			}
			add = append(add, m)
		}
		t.setMembers(e, add)
	}
	t.seq++
	e.version = t.seq
	e.modified = s.now().UTC()
	return t.resource(r.Type, e, true), nil
}

// Update implements store.Store. fn runs without the tenant's lock (it
// may call the Store, as a Handler hook may); the write is taken only if
// nobody wrote the resource meanwhile, else fn runs again on what they
// wrote.
func (s *Store) Update(ctx context.Context, typ, id, ifMatch string, fn func(*store.Resource) error) (*store.Resource, error) {
	t, err := s.tenant(ctx, false)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, notFound(typ, id)
	}
	rec := s.recorder(ctx)
	defer rec.publish()
	for {
		t.mu.RLock()
		e := t.lookup(typ, id)
		if e == nil {
			t.mu.RUnlock()
			return nil, notFound(typ, id)
		}
		if err := checkMatch(e, ifMatch); err != nil {
			t.mu.RUnlock()
			return nil, err
		}
		version := e.version
		r := t.resource(typ, e, true) // a copy: fn may change it freely
		var before *store.Resource
		if rec != nil {
			before = t.resource(typ, e, true)
		}
		t.mu.RUnlock()

		if err := fn(r); err != nil {
			return nil, err
		}
		r.Type, r.ID = typ, id

		t.mu.Lock()
		if t.lookup(typ, id) != e {
			t.mu.Unlock()
			return nil, notFound(typ, id) // deleted meanwhile
		}
		if e.version != version {
			t.mu.Unlock()
			continue // written meanwhile: again, on what was written
		}
		res, err := s.write(t, t.table(typ, false), e, r)
		if err == nil && rec != nil {
			rec.commit(store.Changes(before, res))
		}
		t.mu.Unlock()
		return res, err
	}
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, typ, id, ifMatch string) error {
	t, err := s.tenant(ctx, false)
	if err != nil {
		return err
	}
	if t == nil {
		return notFound(typ, id)
	}
	rec := s.recorder(ctx)
	defer rec.publish()
	t.mu.Lock()
	defer t.mu.Unlock()
	tb := t.table(typ, false)
	e := t.lookup(typ, id)
	if e == nil {
		return notFound(typ, id)
	}
	if err := checkMatch(e, ifMatch); err != nil {
		return err
	}
	var evs []store.Event
	if rec != nil {
		before := t.resource(typ, e, false)
		evs = append(evs, store.Event{Kind: store.Deleted, Type: typ, ResourceID: id, Before: before.Attributes})
	}
	delete(tb.byID, id)
	tb.unindex(e)
	if e.externalID != "" {
		tb.byExt[e.externalID] = slices.DeleteFunc(tb.byExt[e.externalID], func(x *entry) bool { return x == e })
		if len(tb.byExt[e.externalID]) == 0 {
			delete(tb.byExt, e.externalID)
		}
	}
	i, found := slices.BinarySearchFunc(tb.order, e.seq, func(x *entry, seq uint64) int { return cmp.Compare(x.seq, seq) })
	if found {
		tb.order = slices.Delete(tb.order, i, i+1)
	}
	// Leave every group that lists it.
	now := s.now().UTC()
	for gid := range t.memberOf[id] {
		if g := t.lookup(store.Group, gid); g != nil {
			m := g.members[id]
			delete(g.members, id)
			t.seq++
			g.version = t.seq
			g.modified = now
			if rec != nil {
				evs = append(evs, store.MemberEvent(store.MemberRemoved, gid, strconv.FormatUint(g.version, 10), store.Member{Value: id, Type: typ, Display: cmp.Or(m.display, e.display)}))
			}
		}
	}
	delete(t.memberOf, id)
	// A deleted group no longer contains anyone.
	for mid := range e.members {
		if gs := t.memberOf[mid]; gs != nil {
			delete(gs, id)
			if len(gs) == 0 {
				delete(t.memberOf, mid)
			}
		}
	}
	if rec != nil {
		// Groups in a stable order: the feed's order is the same on a
		// replay.
		slices.SortStableFunc(evs[1:], func(a, b store.Event) int { return strings.Compare(a.ResourceID, b.ResourceID) })
		rec.commit(evs)
	}
	return nil
}

// PatchMembers implements store.MemberPatcher: one map insert or delete
// per member, however large the group.
func (s *Store) PatchMembers(ctx context.Context, groupID, ifMatch string, add []store.Member, remove []string) (*store.Resource, error) {
	t, err := s.tenant(ctx, false)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, notFound(store.Group, groupID)
	}
	rec := s.recorder(ctx)
	defer rec.publish()
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.lookup(store.Group, groupID)
	if e == nil {
		return nil, notFound(store.Group, groupID)
	}
	if err := checkMatch(e, ifMatch); err != nil {
		return nil, err
	}
	resolved, err := t.resolveMembers(&store.Resource{Type: store.Group, Members: add})
	if err != nil {
		return nil, err
	}
	var fresh []store.Member
	for _, m := range resolved {
		if old, ok := e.members[m.Value]; ok {
			if m.Display != "" {
				old.display = t.storedDisplay(m)
				e.members[m.Value] = old
			}
			continue
		}
		fresh = append(fresh, m)
	}
	t.setMembers(e, fresh)
	var gone []store.Member
	for _, id := range remove {
		if m, ok := e.members[id]; ok {
			if rec != nil {
				gone = append(gone, store.Member{Value: id, Type: m.typ, Display: cmp.Or(m.display, t.displayOf(id, m.typ))})
			}
			t.removeMember(e, id)
		}
	}
	t.seq++
	e.version = t.seq
	e.modified = s.now().UTC()
	res := t.resource(store.Group, e, false)
	if rec != nil {
		// Only what changed: a member added and removed in one call, or
		// named twice, is not an event of its own.
		evs := make([]store.Event, 0, len(fresh)+len(gone))
		added := make(map[string]bool, len(fresh))
		for _, m := range fresh {
			if added[m.Value] {
				continue
			}
			added[m.Value] = true
			if _, still := e.members[m.Value]; still {
				evs = append(evs, store.MemberEvent(store.MemberAdded, groupID, res.Version, m))
			}
		}
		for _, m := range gone {
			if !added[m.Value] {
				evs = append(evs, store.MemberEvent(store.MemberRemoved, groupID, res.Version, m))
			}
		}
		rec.commit(evs)
	}
	return res, nil
}

var _ store.MemberPatcher = (*Store)(nil)
