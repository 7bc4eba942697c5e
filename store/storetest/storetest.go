package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scimkit/scimkit/internal/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// The tenants the suite works in.
const (
	tenantA = "storetest-tenant-a"
	tenantB = "storetest-tenant-b"
)

const enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// Run runs the conformance suite against the Store implementation that
// newStore builds.
//
// newStore must return a new, empty store each time it is called: Run
// calls it once per subtest (subtests that only read share one store within
// their group), with that subtest's t, so it may register t.Cleanup to
// release what it opened. Subtests run one after another, never in
// parallel, so a newStore that empties one shared database is fine.
//
// Run uses only the store.Store interface, plus store.MemberPatcher when the
// store implements it (the MemberPatcher subtests are skipped otherwise).
// Besides users and groups it stores Devices, a resource type of its own
// with a unique serialNumber (case-insensitive) and an extension with a
// unique, case-exact assetTag: a Store persists any type.
//
// The Cursor group checks cursor paging (store.Query.UseCursor, RFC 9865),
// which every Store is expected to implement and report with
// store.CursorPager; a Store that does not yet says so, and why, with the
// option SkipCursor.
func Run(t *testing.T, newStore func(t *testing.T) store.Store, opts ...Option) {
	t.Helper()
	if newStore == nil {
		t.Fatal("storetest.Run: newStore is nil")
	}
	s := &suite{newStore: newStore}
	for _, o := range opts {
		o(s)
	}
	t.Run("storetest", func(t *testing.T) {
		t.Run("CRUD", s.testCRUD)
		t.Run("NotFound", s.testNotFound)
		t.Run("Uniqueness", s.testUniqueness)
		t.Run("Preconditions", s.testPreconditions)
		t.Run("VersionsNeverRepeat", s.testVersionsNeverRepeat)
		t.Run("Filter", s.testFilter)
		t.Run("Paging", s.testPaging)
		t.Run("Sorting", s.testSorting)
		t.Run("Tenants", s.testTenants)
		t.Run("Membership", s.testMembership)
		t.Run("MemberPatcher", s.testMemberPatcher)
		t.Run("Concurrency", s.testConcurrency)
		t.Run("CustomTypes", s.testCustomTypes)
		t.Run("Cursor", s.testCursor)
	})
}

type suite struct {
	newStore   func(t *testing.T) store.Store
	skipCursor string // why the Cursor group is skipped; "" runs it
}

// An Option changes how Run runs the suite.
type Option func(*suite)

// SkipCursor skips the Cursor group, reporting reason ("not implemented
// yet"): for a Store that does not page by cursor, which the Handler then
// does not offer (store.CursorPager). It is an explicit opt-out, so that a
// Store which should page by cursor is never skipped by accident: without
// it, the group fails for a Store that does not implement
// store.CursorPager.
func SkipCursor(reason string) Option {
	if reason == "" {
		reason = "no reason given"
	}
	return func(s *suite) { s.skipCursor = reason }
}

// env is one fresh store and a context for tenant A.
type env struct {
	s   store.Store
	ctx context.Context // tenant A
}

func (s *suite) env(t *testing.T) *env {
	t.Helper()
	st := s.newStore(t)
	if st == nil {
		t.Fatal("newStore returned nil")
	}
	return &env{s: st, ctx: store.WithTenant(t.Context(), tenantA)}
}

// tenant returns a context for another tenant.
func (e *env) tenant(name string) context.Context {
	return store.WithTenant(context.WithoutCancel(e.ctx), name)
}

type attrs = map[string]any

// registry is the default schemas plus Device, a resource type of the
// suite's own (types.go).
var registry = func() *schema.Registry {
	r := schema.NewRegistry()
	if err := r.AddResourceTypeJSON([]byte(deviceType)); err != nil {
		panic(err)
	}
	return r
}()

// newResource builds a Resource as the Handler does: a compact JSON object
// of canonical attributes, with the indexed attributes copied out and the
// extension URNs present listed in Schemas.
func newResource(typ string, a attrs) *store.Resource {
	r := &store.Resource{Type: typ}
	setAttrs(r, a)
	return r
}

func newUser(a attrs) *store.Resource { return newResource(store.User, a) }

func newGroup(displayName string, members ...string) *store.Resource {
	r := newResource(store.Group, attrs{"displayName": displayName})
	for _, m := range members {
		r.Members = append(r.Members, store.Member{Value: m})
	}
	return r
}

// setAttrs replaces r's attributes with a, as the Handler's build does.
func setAttrs(r *store.Resource, a attrs) {
	raw, err := json.Marshal(a)
	if err != nil {
		panic(err)
	}
	r.Attributes = raw
	r.Unique = store.UniqueValues(registry.ResourceType(r.Type), a)
	if r.Display, _ = a["displayName"].(string); r.Display == "" {
		r.Display, _ = a["userName"].(string)
	}
	r.ExternalID, _ = a["externalId"].(string)
	r.Schemas = nil
	for k := range a {
		if strings.HasPrefix(k, "urn:") {
			r.Schemas = append(r.Schemas, k)
		}
	}
	sort.Strings(r.Schemas)
}

// decode returns r's attributes as a map.
func decode(t testing.TB, r *store.Resource) attrs {
	t.Helper()
	var a attrs
	if err := json.Unmarshal(r.Attributes, &a); err != nil {
		t.Fatalf("%s %s: attributes are not a JSON object: %v\n%s", r.Type, r.ID, err, r.Attributes)
	}
	return a
}

// modify decodes r's attributes, lets f change them and stores them back.
func modify(r *store.Resource, f func(a attrs)) error {
	var a attrs
	if err := json.Unmarshal(r.Attributes, &a); err != nil {
		return err
	}
	if a == nil {
		a = attrs{}
	}
	f(a)
	setAttrs(r, a)
	return nil
}

func (e *env) create(t testing.TB, r *store.Resource) *store.Resource {
	t.Helper()
	return mustCreate(t, e.ctx, e.s, r)
}

func mustCreate(t testing.TB, ctx context.Context, s store.Store, r *store.Resource) *store.Resource {
	t.Helper()
	got, err := s.Create(ctx, r)
	if err != nil {
		t.Fatalf("Create %s %s: %v", r.Type, name(r), err)
	}
	if got == nil {
		t.Fatalf("Create %s %s returned nil and no error", r.Type, name(r))
	}
	return got
}

func (e *env) get(t testing.TB, typ, id string) *store.Resource {
	t.Helper()
	return mustGet(t, e.ctx, e.s, typ, id)
}

func mustGet(t testing.TB, ctx context.Context, s store.Store, typ, id string) *store.Resource {
	t.Helper()
	r, err := s.Get(ctx, typ, id)
	if err != nil {
		t.Fatalf("Get %s %s: %v", typ, id, err)
	}
	if r == nil {
		t.Fatalf("Get %s %s returned nil and no error", typ, id)
	}
	return r
}

func (e *env) update(t testing.TB, typ, id string, fn func(r *store.Resource) error) *store.Resource {
	t.Helper()
	r, err := e.s.Update(e.ctx, typ, id, "", fn)
	if err != nil {
		t.Fatalf("Update %s %s: %v", typ, id, err)
	}
	if r == nil {
		t.Fatalf("Update %s %s returned nil and no error", typ, id)
	}
	return r
}

// setUpdate is an Update fn that replaces the attributes.
func setUpdate(a attrs) func(*store.Resource) error {
	return func(r *store.Resource) error {
		setAttrs(r, a)
		return nil
	}
}

func (e *env) list(t testing.TB, typ string, q store.Query) *store.Page {
	t.Helper()
	return mustList(t, e.ctx, e.s, typ, q)
}

func mustList(t testing.TB, ctx context.Context, s store.Store, typ string, q store.Query) *store.Page {
	t.Helper()
	p, err := s.List(ctx, typ, q)
	if err != nil {
		t.Fatalf("List %s: %v", typ, err)
	}
	if p == nil {
		t.Fatalf("List %s returned nil and no error", typ)
	}
	return p
}

// everything is a Count larger than any population the suite creates.
const everything = 10000

// all lists every resource of typ matching q's filter and sort, in one page.
func (e *env) all(t testing.TB, typ string, q store.Query) []*store.Resource {
	t.Helper()
	q.StartIndex, q.Count = 1, everything
	p := e.list(t, typ, q)
	if p.TotalResults != len(p.Resources) {
		t.Errorf("List %s (everything): TotalResults = %d, but %d resources returned", typ, p.TotalResults, len(p.Resources))
	}
	return p.Resources
}

func (e *env) allIDs(t testing.TB, typ string) []string {
	t.Helper()
	return ids(e.all(t, typ, store.Query{}))
}

func ids(rs []*store.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func sorted(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return out
}

func name(r *store.Resource) string {
	return fmt.Sprintf("%q", r.Display)
}

// compileFilter parses and compiles a filter against the default schemas.
func compileFilter(t testing.TB, typ, expr string) *store.Filter {
	t.Helper()
	ast, err := filter.Parse(expr)
	if err != nil {
		t.Fatalf("parsing filter %s: %v", expr, err)
	}
	f, err := store.CompileFilter(ast, registry.ResourceType(typ))
	if err != nil {
		t.Fatalf("compiling filter %s: %v", expr, err)
	}
	return f
}

// compilePath parses and compiles a sortBy path against the default schemas.
func compilePath(t testing.TB, typ, path string) *store.Path {
	t.Helper()
	p, err := filter.ParsePath(path)
	if err != nil {
		t.Fatalf("parsing path %s: %v", path, err)
	}
	return store.CompilePath(p.AttributePath, registry.ResourceType(typ))
}

// resourceOpts compare Resources: a nil and an empty slice are the same,
// a user's groups are a set, and attributes are the same JSON object
// (a database may store them in another key order or spacing).
var resourceOpts = cmp.Options{
	cmpopts.EquateEmpty(),
	cmp.FilterValues(func(a, b json.RawMessage) bool { return len(a) > 0 || len(b) > 0 }, cmp.Comparer(func(a, b json.RawMessage) bool { return SameJSON(a, b) })),
	cmpopts.SortSlices(func(a, b store.GroupRef) bool { return a.Value < b.Value }),
}

var cmpEmpty = cmpopts.EquateEmpty()

func diffResource(want, got *store.Resource) string {
	return cmp.Diff(want, got, resourceOpts)
}

// checkErr fails unless errors.Is(err, target).
func checkErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error = %v, want %v", what, err, target)
	}
}

// checkConflict fails unless err is a *store.ConflictError on attribute.
func checkConflict(t testing.TB, what string, err error, attribute string) {
	t.Helper()
	var ce *store.ConflictError
	if !errors.As(err, &ce) {
		t.Errorf("%s: error = %v, want a *store.ConflictError on %s", what, err, attribute)
		return
	}
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("%s: errors.Is(%v, store.ErrConflict) = false", what, err)
	}
	if ce.Attribute != attribute {
		t.Errorf("%s: ConflictError.Attribute = %q, want %q", what, ce.Attribute, attribute)
	}
}

// checkInvalidMember fails unless err is a *store.InvalidMemberError
// listing exactly the ids want (in any order).
func checkInvalidMember(t testing.TB, what string, err error, want ...string) {
	t.Helper()
	var ie *store.InvalidMemberError
	if !errors.As(err, &ie) {
		t.Errorf("%s: error = %v, want a *store.InvalidMemberError for %q", what, err, want)
		return
	}
	if !errors.Is(err, store.ErrInvalidMember) {
		t.Errorf("%s: errors.Is(%v, store.ErrInvalidMember) = false", what, err)
	}
	if diff := cmp.Diff(sorted(want), sorted(ie.IDs)); diff != "" {
		t.Errorf("%s: InvalidMemberError.IDs (-want +got):\n%s", what, diff)
	}
}

// checkUnchanged fails unless the resource is still exactly was.
func (e *env) checkUnchanged(t testing.TB, what string, was *store.Resource) {
	t.Helper()
	now := e.get(t, was.Type, was.ID)
	if diff := diffResource(was, now); diff != "" {
		t.Errorf("%s changed %s %s (-before +after):\n%s", what, was.Type, was.ID, diff)
	}
}

// memberIDs returns the member ids of a group, in order.
func memberIDs(r *store.Resource) []string {
	out := make([]string, len(r.Members))
	for i, m := range r.Members {
		out[i] = m.Value
	}
	return out
}

// groupIDs returns the ids of the groups a user is in, sorted.
func groupIDs(r *store.Resource) []string {
	out := make([]string, len(r.Groups))
	for i, g := range r.Groups {
		out[i] = g.Value
	}
	return sorted(out)
}

// checkTimes checks that a resource just written has timestamps close to
// the real time (this catches time-zone mistakes) and LastModified not
// before Created.
func checkTimes(t testing.TB, r *store.Resource, start time.Time) {
	t.Helper()
	lo, hi := start.Add(-time.Minute), time.Now().Add(time.Minute)
	if r.Created.Before(lo) || r.Created.After(hi) {
		t.Errorf("%s %s: Created = %v, want about %v", r.Type, r.ID, r.Created, start)
	}
	if r.LastModified.Before(lo) || r.LastModified.After(hi) {
		t.Errorf("%s %s: LastModified = %v, want about %v", r.Type, r.ID, r.LastModified, start)
	}
	if r.LastModified.Before(r.Created) {
		t.Errorf("%s %s: LastModified %v is before Created %v", r.Type, r.ID, r.LastModified, r.Created)
	}
}

// checkWritten checks what Create or Update returned against the resource
// written.
func checkWritten(t testing.TB, what string, in, got *store.Resource) {
	t.Helper()
	if got.ID == "" {
		t.Errorf("%s: ID is empty", what)
	}
	if got.Type != in.Type {
		t.Errorf("%s: Type = %q, want %q", what, got.Type, in.Type)
	}
	if got.Version == "" {
		t.Errorf("%s: Version is empty", what)
	}
	if got.Display != in.Display || got.ExternalID != in.ExternalID {
		t.Errorf("%s: Display, ExternalID = %q, %q; want %q, %q", what, got.Display, got.ExternalID, in.Display, in.ExternalID)
	}
	if diff := cmp.Diff(in.Unique, got.Unique, cmpopts.EquateEmpty(), cmpopts.SortSlices(func(a, b store.Unique) bool { return a.Attribute < b.Attribute })); diff != "" {
		t.Errorf("%s: Unique (-written +got):\n%s", what, diff)
	}
	if !SameJSON(got.Attributes, in.Attributes) {
		t.Errorf("%s: Attributes are not the JSON object written:\n got %s\nwant %s", what, got.Attributes, in.Attributes)
	}
	if diff := cmp.Diff(in.Schemas, got.Schemas, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s: Schemas (-want +got):\n%s", what, diff)
	}
}

// set is a set of strings for membership checks.
func set(ss ...string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// clone returns a deep copy of r.
func clone(r *store.Resource) *store.Resource {
	c := *r
	c.Attributes = slices.Clone(r.Attributes)
	c.Schemas = slices.Clone(r.Schemas)
	c.Members = slices.Clone(r.Members)
	c.Groups = slices.Clone(r.Groups)
	return &c
}

// SameJSON reports whether a and b hold the same JSON value: the same
// members and values, whatever the key order, white space and escaping
// (PostgreSQL's jsonb normalises all three).
func SameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return cmp.Equal(x, y)
}
