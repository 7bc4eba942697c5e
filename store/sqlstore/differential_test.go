package sqlstore_test

// The differential test: one population of users and groups in the memory
// store, SQLite and (when SCIMKIT_POSTGRES_DSN is set) PostgreSQL, then
// generated filters, sort orders and pages listed on each. The memory
// store is the reference: every other store must answer a List as it does
// (the same TotalResults, the same resources in the same order, each as
// the memory store returns it), and fail only where it fails.
//
// Ids are the stores' own, so a resource is known by its creation index
// (the same in every store), and a filter that compares ids (id,
// members.value, groups.value) is rendered for each store with that
// store's ids.
//
// Run it longer, or fuzz it:
//
//	SCIMKIT_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test -run TestDifferentialFilters ./store/sqlstore -args -diffcases=5000 -diffmaxfail=100
//	go test -run '^$' -fuzz FuzzDifferentialFilters -fuzztime 10m -fuzzminimizetime 10s ./store/sqlstore
//
// A failure names the request (GET /Users?filter=…&sortBy=…) and each
// store's page. The generators leave out the cases of known bugs
// (knownBugs, TestDifferentialRegressions).

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scimkit/scimkit/internal/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
	"github.com/scimkit/scimkit/store/sqlstore"
)

// diffStore is one store under comparison and the id it gave each
// resource of the population.
type diffStore struct {
	name  string
	st    store.Store
	ids   []string       // creation index → id
	index map[string]int // id → creation index
}

type diffEnv struct {
	pop    *population
	reg    *schema.Registry
	stores []*diffStore // the memory store first: the reference

	mu    sync.Mutex
	canon map[string]string // stored attributes → their canonical JSON
}

// newDiffEnv creates pop, resource by resource in creation order, in the
// memory store, SQLite and, when SCIMKIT_POSTGRES_DSN is set, PostgreSQL.
// Every store runs on one clock, which reads createdAt(i) while resource i
// is created.
func newDiffEnv(tb testing.TB, pop *population) *diffEnv {
	tb.Helper()
	var now atomic.Int64
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	env := &diffEnv{pop: pop, reg: schema.NewRegistry(), canon: map[string]string{}}
	env.stores = append(env.stores,
		&diffStore{name: "memory", st: memory.NewWithConfig(memory.Config{Clock: clock})},
		&diffStore{name: "sqlite", st: clockedSQLite(tb, clock)})
	if os.Getenv("SCIMKIT_POSTGRES_DSN") != "" || os.Getenv("SCIMKIT_REQUIRE_POSTGRES") == "1" {
		env.stores = append(env.stores, &diffStore{name: "postgres", st: clockedPostgres(tb, clock)})
	}
	ctx := store.WithTenant(context.Background(), "acme")
	for _, ds := range env.stores {
		ds.index = make(map[string]int, len(pop.res))
	}
	for i, pr := range pop.res {
		now.Store(createdAt(i).UnixNano())
		for _, ds := range env.stores {
			r, err := ds.st.Create(ctx, pop.resource(env.reg, i, ds.ids))
			if err != nil {
				tb.Fatalf("%s: creating resource %d (%s %q): %v", ds.name, i, pr.typ, pr.label, err)
			}
			ds.ids = append(ds.ids, r.ID)
			ds.index[r.ID] = i
		}
	}
	// Another tenant holds copies of the first resources, which no List
	// of tenant acme may return.
	other := store.WithTenant(context.Background(), "other")
	for _, ds := range env.stores {
		var ids []string
		for i := range min(otherTenantResources, len(pop.res)) {
			now.Store(createdAt(len(pop.res) + i).UnixNano())
			r, err := ds.st.Create(other, pop.resource(env.reg, i, ids))
			if err != nil {
				tb.Fatalf("%s: creating resource %d in tenant other: %v", ds.name, i, err)
			}
			ids = append(ids, r.ID)
		}
	}
	// Then updates and deletes, later, so that meta.lastModified differs
	// from meta.created, and groups lose members.
	for k, op := range pop.ops {
		now.Store(createdAt(len(pop.res) + otherTenantResources + k).UnixNano())
		typ := pop.res[op.index].typ
		for _, ds := range env.stores {
			var err error
			if op.delete {
				err = ds.st.Delete(ctx, typ, ds.ids[op.index], "")
			} else {
				_, err = ds.st.Update(ctx, typ, ds.ids[op.index], "", func(r *store.Resource) error {
					next := build(env.reg, op.state, ds.ids)
					r.Unique, r.Display, r.ExternalID = next.Unique, next.Display, next.ExternalID
					r.Attributes, r.Schemas, r.Members = next.Attributes, next.Schemas, next.Members
					return nil
				})
			}
			if err != nil {
				tb.Fatalf("%s: op %d on resource %d (delete %v): %v", ds.name, k, op.index, op.delete, err)
			}
		}
	}
	return env
}

// otherTenantResources is how many resources of the population tenant
// "other" holds too.
const otherTenantResources = 12

// clockedSQLite opens SQLite as sqlstore.OpenSQLite does, on clock, but
// without syncing each commit to disk: what is compared does not depend on
// it, and seeding is faster.
func clockedSQLite(tb testing.TB, clock func() time.Time) *sqlstore.Store {
	tb.Helper()
	dsn := "file:" + filepath.Join(tb.TempDir(), "diff.db") +
		"?_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_pragma=foreign_keys(ON)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := sqlstore.New(context.Background(), db, sqlstore.SQLite(), sqlstore.Config{Clock: clock})
	if err != nil {
		db.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// clockedPostgres opens PostgreSQL in a fresh schema, on clock, its
// sessions not waiting for each commit to reach the disk (as for SQLite).
func clockedPostgres(tb testing.TB, clock func() time.Time) *sqlstore.Store {
	tb.Helper()
	u, err := url.Parse(freshSchema(tb))
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("synchronous_commit", "off") // a run-time parameter of every session
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(4)
	st, err := sqlstore.New(context.Background(), db, sqlstore.Postgres(), sqlstore.Config{Clock: clock})
	if err != nil {
		db.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// diffCase is one List: a generated filter (or a fixed one), a sortBy and
// a page.
type diffCase struct {
	typ    string
	filter *fnode // generated; nil: text
	text   string // a fixed filter; "" (and filter nil): no filter
	sortBy string // "" for none
	desc   bool   // sortOrder=descending
	start  int    // StartIndex
	count  int    // Count
	cursor bool   // walk every page by cursor (RFC 9865), count at a time
}

// filterFor renders the case's filter for a store with ids.
func (dc diffCase) filterFor(ids []string) (string, bool) {
	if dc.filter != nil {
		return filterText(dc.filter, ids), true
	}
	return dc.text, dc.text != ""
}

func (dc diffCase) describe(memText string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "GET /%ss?", dc.typ)
	if memText != "" {
		fmt.Fprintf(&b, "filter=%s&", memText)
	}
	if dc.sortBy != "" {
		order := "ascending"
		if dc.desc {
			order = "descending"
		}
		fmt.Fprintf(&b, "sortBy=%s&sortOrder=%s&", dc.sortBy, order)
	}
	if dc.cursor {
		fmt.Fprintf(&b, "cursor=…(every page)&count=%d", dc.count)
	} else {
		fmt.Fprintf(&b, "startIndex=%d&count=%d", dc.start, dc.count)
	}
	if !utf8.ValidString(memText) || hasControl(memText) {
		fmt.Fprintf(&b, "\nthe filter in Go syntax: %q", memText)
	}
	return b.String()
}

// generate turns bytes into a case.
func (env *diffEnv) generate(in []byte) diffCase {
	c := &chooser{in: in}
	g := &gen{c: c, pop: env.pop, typ: store.User, self: env.pop.users}
	if c.intn(5) == 4 {
		g.typ, g.self = store.Group, env.pop.groups
	}
	dc := diffCase{typ: g.typ}
	if c.intn(25) > 0 {
		dc.filter = g.filter(0)
	}
	dc.sortBy, dc.desc, dc.start, dc.count = g.sortAndPage()
	if c.intn(4) == 0 {
		dc.cursor, dc.start, dc.count = true, 1, 1+c.intn(9)
	}
	if knownBugs.memorySortByMembers && strings.HasPrefix(dc.sortBy, "members") && !env.memoryScans(dc) {
		dc.sortBy = "displayName"
	}
	return dc
}

// memoryScans reports whether the memory store evaluates the case's
// filter on every resource, reading members (not when there is none, or
// when its index answers the whole filter): see knownBugs.
func (env *diffEnv) memoryScans(dc diffCase) bool {
	text, has := dc.filterFor(env.stores[0].ids)
	if !has {
		return false
	}
	expr, err := filter.Parse(text)
	if err != nil {
		return false
	}
	f, err := store.CompileFilter(expr, env.reg.ResourceType(dc.typ))
	if err != nil {
		return false
	}
	if _, _, whole, ok := f.UniqueEquality(); ok && whole {
		return false
	}
	if _, _, ok := f.EqualityOnly("externalId", "id"); ok {
		return false
	}
	return true
}

// listResult is what one store answered.
type listResult struct {
	text  string // the filter as this store got it
	stage string // where it failed: "parse", "compile", "list"; "" when it did not
	err   error
	total int
	order []int // the creation indices of the page's resources, in order
	views []resView
}

// resView is a listed resource as comparable across stores: ids replaced
// by creation indices. Version is left out (opaque, store-specific).
type resView struct {
	Index        int
	Display      string
	ExternalID   string
	Unique       []store.Unique
	Schemas      []string
	Attributes   string // canonical JSON: keys sorted, no space
	Created      time.Time
	LastModified time.Time
	Members      []memberView
	Groups       []memberView // sorted by Index: stores order them by id
}

type memberView struct {
	Index   int
	Type    string
	Display string
}

func (env *diffEnv) list(tb testing.TB, ds *diffStore, dc diffCase) listResult {
	tb.Helper()
	rt := env.reg.ResourceType(dc.typ)
	q := store.Query{SortDescending: dc.desc, StartIndex: dc.start, Count: dc.count}
	text, has := dc.filterFor(ds.ids)
	res := listResult{text: text}
	if has {
		expr, err := filter.Parse(text)
		if err != nil {
			res.stage, res.err = "parse", err
			return res
		}
		f, err := store.CompileFilter(expr, rt)
		if err != nil {
			res.stage, res.err = "compile", err
			return res
		}
		q.Filter = f
	}
	if dc.sortBy != "" {
		p, err := filter.ParsePath(dc.sortBy)
		if err != nil || p.ValueExpression != nil {
			tb.Fatalf("sortBy %q does not parse: %v", dc.sortBy, err)
		}
		q.SortBy = store.CompilePath(p.AttributePath, rt)
	}
	ctx := store.WithTenant(context.Background(), "acme")
	q.UseCursor = dc.cursor
	for pages := 0; ; pages++ {
		page, err := ds.st.List(ctx, dc.typ, q)
		if err != nil {
			res.stage, res.err = "list", err
			return res
		}
		if pages == 0 {
			res.total = page.TotalResults
		} else if page.TotalResults != res.total {
			res.stage, res.err = "list", fmt.Errorf("cursor page %d: totalResults %d, the first page said %d", pages+1, page.TotalResults, res.total)
			return res
		}
		for _, r := range page.Resources {
			v := env.view(ds, r)
			res.order = append(res.order, v.Index)
			res.views = append(res.views, v)
		}
		if !dc.cursor || page.NextCursor == "" {
			return res
		}
		if pages > 1000 || len(page.Resources) == 0 {
			res.stage, res.err = "list", fmt.Errorf("cursor walk does not end: page %d, %d resources, nextCursor %q", pages+1, len(page.Resources), page.NextCursor)
			return res
		}
		q.Cursor = page.NextCursor
	}
}

func (ds *diffStore) indexOf(id string) int {
	if i, ok := ds.index[id]; ok {
		return i
	}
	return -1
}

func (env *diffEnv) view(ds *diffStore, r *store.Resource) resView {
	v := resView{
		Index: ds.indexOf(r.ID), Display: r.Display, ExternalID: r.ExternalID, Unique: r.Unique,
		Schemas: r.Schemas, Created: r.Created, LastModified: r.LastModified,
		Attributes: env.canonical(r.Attributes),
	}
	for _, m := range r.Members {
		v.Members = append(v.Members, memberView{Index: ds.indexOf(m.Value), Type: m.Type, Display: m.Display})
	}
	for _, g := range r.Groups {
		v.Groups = append(v.Groups, memberView{Index: ds.indexOf(g.Value), Display: g.Display})
	}
	slices.SortFunc(v.Groups, func(a, b memberView) int { return a.Index - b.Index })
	return v
}

// canonical returns attributes as JSON with keys sorted and no space, so
// that a store keeping them as jsonb (which reorders keys) compares equal.
// Stored attributes never change, so it decodes each text once.
func (env *diffEnv) canonical(raw []byte) string {
	env.mu.Lock()
	defer env.mu.Unlock()
	if c, ok := env.canon[string(raw)]; ok {
		return c
	}
	var v any
	var c string
	if err := json.Unmarshal(raw, &v); err != nil {
		c = fmt.Sprintf("undecodable %q: %v", raw, err)
	} else {
		c = string(marshalAny(v))
	}
	env.canon[string(raw)] = c
	return c
}

// diffStats counts what the cases did, to show the generator's reach.
type diffStats struct {
	cases, rejected, none, some, all, paged, walks int
}

func (s *diffStats) String() string {
	return fmt.Sprintf("%d cases: %d filters refused (FilterError); of the rest %d matched nothing, %d some, %d every resource; %d cut to a page; %d walked by cursor",
		s.cases, s.rejected, s.none, s.some, s.all, s.paged, s.walks)
}

// check lists dc on every store and reports, as errors of tb, every way a
// store's answer differs from the memory store's. It returns false when
// one did.
func (env *diffEnv) check(tb testing.TB, dc diffCase, stats *diffStats) bool {
	tb.Helper()
	results := make([]listResult, len(env.stores))
	for i, ds := range env.stores {
		results[i] = env.list(tb, ds, dc)
	}
	want := results[0]
	what := dc.describe(want.text)
	ok := true
	fail := func(format string, args ...any) {
		tb.Helper()
		ok = false
		tb.Errorf("%s\n"+format, append([]any{what}, args...)...)
	}
	if stats != nil {
		stats.cases++
		switch {
		case want.stage != "":
			stats.rejected++
		case want.total == 0:
			stats.none++
		case want.total == len(env.selfOf(dc.typ)):
			stats.all++
		default:
			stats.some++
		}
		if want.stage == "" && len(want.order) < want.total {
			stats.paged++
		}
		if want.stage == "" && dc.cursor && want.total > dc.count {
			stats.walks++
		}
	}
	switch want.stage {
	case "parse":
		fail("the generated filter does not parse: %v", want.err)
	case "compile":
		var fe *store.FilterError
		if !errors.As(want.err, &fe) {
			fail("compiling the filter failed with %T, not a *store.FilterError: %v", want.err, want.err)
		}
	case "list":
		fail("the memory store failed: %v", want.err)
	}
	for i, got := range results[1:] {
		ds := env.stores[i+1]
		its := ""
		if got.text != want.text {
			its = fmt.Sprintf("\n(%s got the filter with its ids: %s)", ds.name, got.text)
		}
		if got.stage != want.stage {
			switch {
			case got.stage == "list":
				fail("%s failed where memory did not: %v%s", ds.name, got.err, its)
			case got.stage == "":
				fail("%s accepted the filter, memory failed at %s: %v%s", ds.name, want.stage, want.err, its)
			default:
				fail("%s failed at %s (%v), memory at %q (%v)%s", ds.name, got.stage, got.err, want.stage, want.err, its)
			}
			continue
		}
		if got.stage != "" {
			continue // both refused the filter alike
		}
		if got.total != want.total || !slices.Equal(got.order, want.order) {
			fail("%s answers differently:\n  memory:   totalResults %d, %s\n  %-9s totalResults %d, %s%s",
				ds.name, want.total, env.labels(want.order), ds.name+":", got.total, env.labels(got.order), its)
			continue
		}
		if d := cmp.Diff(want.views, got.views, cmpopts.EquateEmpty()); d != "" {
			fail("%s returns the same resources, differently (-memory +%s):\n%s", ds.name, ds.name, d)
		}
	}
	return ok
}

func (env *diffEnv) selfOf(typ string) []int {
	if typ == store.Group {
		return env.pop.groups
	}
	return env.pop.users
}

// labels shows creation indices with the resources' names.
func (env *diffEnv) labels(order []int) string {
	parts := make([]string, len(order))
	for i, x := range order {
		if x < 0 || x >= len(env.pop.res) {
			parts[i] = "?(not a resource of tenant acme)"
			continue
		}
		parts[i] = fmt.Sprintf("#%d:%q", x, env.pop.final[x].label)
		if env.pop.deleted[x] {
			parts[i] += "(deleted)"
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// diffPopulations are the population seeds TestDifferentialFilters runs
// (in parallel), and diffCases the cases it lists on each: about 5 s in
// all on two cores, with PostgreSQL, and as long under the race detector
// with fewer cases. FuzzDifferentialFilters goes further.
var diffPopulations = []uint64{1, 2}

var diffMaxFailures = flag.Int("diffmaxfail", 10, "failing cases after which TestDifferentialFilters stops")

var diffCasesFlag = flag.Int("diffcases", 0, "cases TestDifferentialFilters lists on each population (0: its default)")

func diffCases() int {
	if *diffCasesFlag > 0 {
		return *diffCasesFlag
	}
	if raceBuild {
		return 25
	}
	return 300
}

// TestDifferentialFilters lists generated filters, sort orders and pages
// on every store and holds each to the memory store's answer.
func TestDifferentialFilters(t *testing.T) {
	for _, seed := range diffPopulations {
		t.Run(fmt.Sprintf("population=%d", seed), func(t *testing.T) {
			t.Parallel()
			env := newDiffEnv(t, newPopulation(seed))
			rng := rand.New(rand.NewPCG(seed, 0xd1ff))
			stats := &diffStats{}
			failures := 0
			for i := range diffCases() {
				in := make([]byte, 32+rng.IntN(224))
				for j := range in {
					in[j] = byte(rng.Uint32())
				}
				if !env.check(t, env.generate(in), stats) {
					t.Logf("case %d of population %d; its input: %q", i, seed, in)
					if failures++; failures == *diffMaxFailures {
						t.Fatalf("stopping after %d failing cases", failures)
					}
				}
			}
			t.Logf("%d users, %d groups; %v", len(env.pop.users), len(env.pop.groups), stats)
		})
	}
}

// FuzzDifferentialFilters: the fuzzer's bytes choose the filter, sortBy
// and page (see generate); population 1 is seeded once per process.
func FuzzDifferentialFilters(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 0xf022))
	for range 24 {
		in := make([]byte, 32+rng.IntN(224))
		for j := range in {
			in[j] = byte(rng.Uint32())
		}
		f.Add(in)
	}
	f.Add([]byte{})
	f.Add([]byte{4, 1})
	env := newDiffEnv(f, newPopulation(1))
	f.Fuzz(func(t *testing.T, in []byte) {
		env.check(t, env.generate(in), nil)
	})
}
