package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/store"
)

func (s *suite) testCursor(t *testing.T) {
	if s.skipCursor != "" {
		t.Skip("storetest.SkipCursor: " + s.skipCursor)
	}
	if !store.PagesByCursor(s.env(t).s) {
		t.Fatal("the store does not page by cursor: implement store.Query.UseCursor and store.CursorPager, or pass storetest.SkipCursor(reason) to Run")
	}
	t.Run("walks the order of startIndex paging", s.testCursorWalks)
	t.Run("last and empty pages", s.testCursorEnds)
	t.Run("resumes after any resource of a page", s.testCursorResumes)
	t.Run("stable under concurrent writes", s.testCursorConcurrent)
	t.Run("refuses garbage and other orders", s.testCursorRefuses)
}

// cursorUsers creates 13 users whose title repeats (in other cases,
// which sort equal) or is absent, and whose externalId (case-exact) does
// too, and returns the env.
func (s *suite) cursorUsers(t *testing.T) *env {
	e := s.env(t)
	titles := []any{"b", "A", nil, "a", "c", nil, "B", "b", "a", nil, "C", "A", "b"}
	exts := []any{"x", "X", nil, "x", "y", "x", nil, "Y", "x", nil, "y", "X", nil}
	for i := range titles {
		a := attrs{"userName": fmt.Sprintf("cursor%02d", (i*5)%13), "active": i%3 == 0}
		if titles[i] != nil {
			a["title"] = titles[i]
		}
		if exts[i] != nil {
			a["externalId"] = exts[i]
		}
		e.create(t, newUser(a))
	}
	return e
}

func (s *suite) testCursorWalks(t *testing.T) {
	e := s.cursorUsers(t)
	type order struct {
		sortBy, filter string
		desc           bool
	}
	orders := []order{{}, {filter: `title pr`}}
	for _, by := range []string{"title", "externalId", "userName", "active", "meta.created"} {
		orders = append(orders, order{sortBy: by}, order{sortBy: by, desc: true})
	}
	orders = append(orders, order{sortBy: "title", desc: true, filter: `externalId pr or active eq true`})
	for _, o := range orders {
		q := store.Query{SortDescending: o.desc}
		if o.sortBy != "" {
			q.SortBy = compilePath(t, store.User, o.sortBy)
		}
		if o.filter != "" {
			q.Filter = compileFilter(t, store.User, o.filter)
		}
		want := ids(e.all(t, store.User, q))
		for size := 1; size <= 7; size++ {
			what := fmt.Sprintf("sortBy=%q descending=%v filter=%q count=%d", o.sortBy, o.desc, o.filter, size)
			if got := e.cursorWalk(t, what, store.User, q, size); !slices.Equal(got, want) {
				t.Errorf("%s: cursor walk = %v\nwant %v (as startIndex paging)", what, got, want)
			}
		}
	}
	for i := range 5 {
		e.create(t, newGroup(fmt.Sprintf("cursor group %d", i)))
	}
	want := e.allIDs(t, store.Group)
	for _, size := range []int{1, 2, 5} {
		if got := e.cursorWalk(t, "groups", store.Group, store.Query{}, size); !slices.Equal(got, want) {
			t.Errorf("groups, count=%d: cursor walk = %v\nwant %v", size, got, want)
		}
	}
}

// cursorWalk lists q page by page (size per page) from an empty cursor,
// following NextCursor, and returns the ids in order. It checks every page
// on the way: at most size resources, a cursor for each, NextCursor the
// last of them, TotalResults constant, no id twice, no empty page but for
// an empty list.
func (e *env) cursorWalk(t testing.TB, what, typ string, q store.Query, size int) []string {
	t.Helper()
	q.UseCursor, q.Cursor, q.Count = true, "", size
	var out []string
	seen := map[string]bool{}
	total := -1
	for n := 0; ; n++ {
		page := e.list(t, typ, q)
		checkCursorPage(t, fmt.Sprintf("%s, page %d", what, n+1), page, size)
		if total >= 0 && page.TotalResults != total {
			t.Errorf("%s, page %d: TotalResults = %d, was %d", what, n+1, page.TotalResults, total)
		}
		total = page.TotalResults
		if n > 0 && len(page.Resources) == 0 {
			t.Errorf("%s: page %d is empty: the page before it had a NextCursor, but was the last", what, n+1)
		}
		for _, r := range page.Resources {
			if seen[r.ID] {
				t.Errorf("%s, page %d: %s again", what, n+1, r.ID)
			}
			seen[r.ID] = true
			out = append(out, r.ID)
		}
		if page.NextCursor == "" {
			return out
		}
		if n > everything {
			t.Fatalf("%s: the walk does not end", what)
		}
		q.Cursor = page.NextCursor
	}
}

// checkCursorPage checks the cursor fields of one page of at most size.
func checkCursorPage(t testing.TB, what string, page *store.Page, size int) {
	t.Helper()
	if len(page.Resources) > size {
		t.Fatalf("%s: %d resources, count was %d", what, len(page.Resources), size)
	}
	if len(page.Cursors) != len(page.Resources) {
		t.Fatalf("%s: %d Cursors for %d resources: want one per resource", what, len(page.Cursors), len(page.Resources))
	}
	for i, c := range page.Cursors {
		if c == "" {
			t.Fatalf("%s: Cursors[%d] is empty", what, i)
		}
	}
	if page.NextCursor != "" && (len(page.Cursors) == 0 || page.NextCursor != page.Cursors[len(page.Cursors)-1]) {
		t.Fatalf("%s: NextCursor %q is not the cursor of the page's last resource (Cursors %q)", what, page.NextCursor, page.Cursors)
	}
}

func (s *suite) testCursorEnds(t *testing.T) {
	e := s.env(t)
	walk := func(q store.Query) *store.Page {
		t.Helper()
		q.UseCursor = true
		return e.list(t, store.User, q)
	}
	if p := walk(store.Query{Count: 5}); len(p.Resources) != 0 || p.NextCursor != "" || len(p.Cursors) != 0 || p.TotalResults != 0 {
		t.Errorf("empty list: %d resources, NextCursor %q, %d Cursors, TotalResults %d; want nothing", len(p.Resources), p.NextCursor, len(p.Cursors), p.TotalResults)
	}
	for i := range 6 {
		e.create(t, newUser(attrs{"userName": fmt.Sprintf("end%d", i)}))
	}
	all := e.allIDs(t, store.User)
	if len(all) != 6 {
		t.Fatalf("List: %d users, want the 6 created", len(all))
	}
	first := walk(store.Query{Count: 3})
	checkCursorPage(t, "first page of 3", first, 3)
	if first.NextCursor == "" {
		t.Fatalf("first page of 3 of 6: no NextCursor")
	}
	second := walk(store.Query{Count: 3, Cursor: first.NextCursor})
	checkCursorPage(t, "second page of 3", second, 3)
	if !slices.Equal(ids(second.Resources), all[3:]) || second.NextCursor != "" {
		t.Errorf("second (last, full) page of 3: %v, NextCursor %q; want %v and no NextCursor", ids(second.Resources), second.NextCursor, all[3:])
	}
	if p := walk(store.Query{Count: 6}); len(p.Resources) != 6 || p.NextCursor != "" {
		t.Errorf("count = all: %d resources, NextCursor %q; want 6 and none", len(p.Resources), p.NextCursor)
	}
	if p := walk(store.Query{Count: 100, StartIndex: 4}); !slices.Equal(ids(p.Resources), all) {
		t.Errorf("UseCursor with StartIndex 4: %v, want every user (StartIndex is ignored)", ids(p.Resources))
	}
	for _, c := range []string{"", first.NextCursor} {
		if p := walk(store.Query{Count: 0, Cursor: c}); len(p.Resources) != 0 || p.NextCursor != "" || p.TotalResults != 6 {
			t.Errorf("count 0, cursor %q: %d resources, NextCursor %q, TotalResults %d; want 0, none, 6", c, len(p.Resources), p.NextCursor, p.TotalResults)
		}
	}
	if len(second.Cursors) == 0 {
		t.Fatalf("second page of 3 of 6: no resources and no Cursors")
	}
	last := second.Cursors[len(second.Cursors)-1]
	if p := walk(store.Query{Count: 3, Cursor: last}); len(p.Resources) != 0 || p.NextCursor != "" || p.TotalResults != 6 {
		t.Errorf("after the last user: %d resources, NextCursor %q, TotalResults %d; want 0, none, 6", len(p.Resources), p.NextCursor, p.TotalResults)
	}
	// The resource a cursor names may be gone: the walk goes on after
	// where it was.
	if err := e.s.Delete(e.ctx, store.User, all[2], ""); err != nil {
		t.Fatal(err)
	}
	if p := walk(store.Query{Count: 10, Cursor: first.NextCursor}); !slices.Equal(ids(p.Resources), all[3:]) {
		t.Errorf("after a deleted user: %v, want %v", ids(p.Resources), all[3:])
	}
}

func (s *suite) testCursorResumes(t *testing.T) {
	// The Handler cuts a page short at its response size limit and
	// continues from the cursor of the last resource it sent.
	e := s.cursorUsers(t)
	for _, q := range []store.Query{
		{},
		{SortBy: compilePath(t, store.User, "title"), SortDescending: true},
		{SortBy: compilePath(t, store.User, "externalId")},
	} {
		all := ids(e.all(t, store.User, q))
		q.UseCursor, q.Count = true, 4
		for at := 0; at < len(all); at += 4 {
			page := e.list(t, store.User, q)
			checkCursorPage(t, fmt.Sprintf("page at %d", at), page, 4)
			if at+len(page.Cursors) > len(all) {
				t.Fatalf("sortBy %v: the page at %d has %d resources, but List without a cursor found only %d in all", q.SortBy != nil, at, len(page.Cursors), len(all))
			}
			for i, c := range page.Cursors {
				rest := q
				rest.Cursor, rest.Count = c, 2
				want := all[at+i+1 : min(at+i+3, len(all))]
				if got := ids(e.list(t, store.User, rest).Resources); !slices.Equal(got, want) {
					t.Errorf("sortBy %v: after Cursors[%d] of the page at %d: %v, want %v", q.SortBy != nil, i, at, got, want)
				}
			}
			q.Cursor = page.NextCursor
		}
		if q.Cursor != "" {
			t.Errorf("the last page has NextCursor %q", q.Cursor)
		}
	}
}

func (s *suite) testCursorConcurrent(t *testing.T) {
	// A walk while other requests create, update and delete: every
	// resource that exists throughout is listed once, in order.
	for _, c := range []struct {
		name, sortBy string
		desc         bool
	}{
		{"default order", "", false},
		{"sortBy userName", "userName", false},
		{"sortBy title descending", "title", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := s.env(t)
			// Stays are there throughout; doomed users, among them, are
			// deleted one a page from the first on, so that what precedes
			// the position reached shrinks (an offset would skip).
			stays := map[string]bool{}
			var doomed []string
			for i := range 40 {
				r := e.create(t, newUser(attrs{"userName": fmt.Sprintf("stay%02d", i), "title": fmt.Sprintf("t%d", i%4)}))
				if i%4 == 1 {
					doomed = append(doomed, r.ID)
				} else {
					stays[r.ID] = true
				}
			}
			q := store.Query{SortDescending: c.desc}
			if c.sortBy != "" {
				q.SortBy = compilePath(t, store.User, c.sortBy)
			}
			var want []string
			for _, id := range ids(e.all(t, store.User, q)) {
				if stays[id] {
					want = append(want, id)
				}
			}
			ch := newChurn(e)
			stop := ch.background(t)
			defer stop() // also when the walk stops the test
			got := e.churnWalk(t, q, ch, stays, doomed)
			stop()
			if !slices.Equal(got, want) {
				t.Errorf("the users present throughout, as the walk met them: %v\nwant %v", got, want)
			}
		})
	}
}

// churn creates users that sort among the others and deletes them again,
// keeping at most keep of its own alive. In creation order they all land
// at the end, ahead of a walk's position: a walk comes to an end only
// because the background churn stops after budget steps (a store whose
// writes are faster than its pages would otherwise be chased for ever),
// and the walk's own churn, two creates a page of three, falls behind.
type churn struct {
	e  *env
	mu sync.Mutex
	n  int
}

const keep = 4

// budget is how many steps the background churn takes at most.
const budget = 150

func newChurn(e *env) *churn { return &churn{e: e} }

// create creates one churn user and returns its id ("" on failure).
func (c *churn) create(t testing.TB) string {
	c.mu.Lock()
	c.n++
	n := c.n
	c.mu.Unlock()
	a := attrs{"userName": fmt.Sprintf("stay%02d-churn%d", n%31, n), "title": fmt.Sprintf("t%d", n%5)}
	r, err := c.e.s.Create(c.e.ctx, newUser(a))
	if err != nil {
		t.Errorf("churn Create: %v", err)
		return ""
	}
	return r.ID
}

// step creates a user into mine and deletes the oldest of mine beyond
// keep. Deleting one that is gone already (the walk deleted it) is fine.
func (c *churn) step(t testing.TB, mine []string) []string {
	if id := c.create(t); id != "" {
		mine = append(mine, id)
	}
	for len(mine) > keep {
		if err := c.e.s.Delete(c.e.ctx, store.User, mine[0], ""); err != nil && !errorIsNotFound(err) {
			t.Errorf("churn Delete: %v", err)
		}
		mine = mine[1:]
	}
	return mine
}

// background churns, budget steps at most, until the returned stop is
// called.
func (c *churn) background(t testing.TB) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var mine []string
		for range budget {
			select {
			case <-done:
				return
			default:
			}
			mine = c.step(t, mine)
		}
	})
	var once sync.Once
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}

// churnWalk walks q with pages of 3, and between pages creates and deletes
// churn users, deletes the first of doomed, deletes the page's last resource when it is a churn user
// (so that the next cursor names a resource that is gone), and updates a
// user present throughout. It returns the ids of stays in the order met,
// and fails on any id met twice.
func (e *env) churnWalk(t *testing.T, q store.Query, ch *churn, stays map[string]bool, doomed []string) []string {
	q.UseCursor, q.Count = true, 3
	seen := map[string]bool{}
	var got, mine []string
	for n := 0; ; n++ {
		page := e.list(t, store.User, q)
		checkCursorPage(t, fmt.Sprintf("page %d", n+1), page, 3)
		for _, r := range page.Resources {
			if seen[r.ID] {
				t.Errorf("page %d: %s (%s) again", n+1, r.ID, r.Display)
			}
			seen[r.ID] = true
			if stays[r.ID] {
				got = append(got, r.ID)
			}
		}
		if page.NextCursor == "" {
			return got
		}
		if n > everything {
			t.Fatal("the walk does not end")
		}
		q.Cursor = page.NextCursor
		for range 2 {
			mine = ch.step(t, mine)
		}
		if len(doomed) > 0 {
			if err := e.s.Delete(e.ctx, store.User, doomed[0], ""); err != nil && !errorIsNotFound(err) {
				t.Errorf("Delete %s: %v", doomed[0], err)
			}
			doomed = doomed[1:]
		}
		if last := page.Resources[len(page.Resources)-1]; !stays[last.ID] {
			if err := e.s.Delete(e.ctx, store.User, last.ID, ""); err != nil && !errorIsNotFound(err) {
				t.Errorf("Delete %s: %v", last.ID, err)
			}
		}
		if first := page.Resources[0]; stays[first.ID] {
			e.update(t, store.User, first.ID, func(r *store.Resource) error {
				return modify(r, func(a attrs) { a["nickName"] = fmt.Sprintf("n%d", n) })
			})
		}
	}
}

func errorIsNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

func (s *suite) testCursorRefuses(t *testing.T) {
	e := s.cursorUsers(t)
	byName := store.Query{SortBy: compilePath(t, store.User, "userName"), UseCursor: true, Count: 2}
	page := e.list(t, store.User, byName)
	valid := page.NextCursor
	if valid == "" {
		t.Fatal("no NextCursor on a first page of 2")
	}
	for _, c := range []string{
		"!!!", "not a cursor", " ", "%00", "é", "AAAA", strings.Repeat("Z", 3000),
		"eyJvZmZzZXQiOjEwMH0", // base64 of {"offset":100}
		valid + " ", "*" + valid,
	} {
		q := byName
		q.Cursor = c
		_, err := e.s.List(e.ctx, store.User, q)
		checkErr(t, fmt.Sprintf("cursor %.40q", c), err, store.ErrInvalidCursor)
	}
	// Refused where there is nothing to list too: a type without
	// resources, a tenant without any.
	garbage := store.Query{UseCursor: true, Count: 2, Cursor: "!!!"}
	_, err := e.s.List(e.ctx, store.Group, garbage)
	checkErr(t, "a garbage cursor on an empty list", err, store.ErrInvalidCursor)
	_, err = e.s.List(e.tenant("storetest-cursor-nobody"), store.User, garbage)
	checkErr(t, "a garbage cursor in an empty tenant", err, store.ErrInvalidCursor)

	unsorted := store.Query{UseCursor: true, Count: 2}
	unsortedCursor := e.list(t, store.User, unsorted).NextCursor
	for _, c := range []struct {
		what   string
		q      store.Query
		cursor string
	}{
		{"a userName cursor with sortBy=title", store.Query{SortBy: compilePath(t, store.User, "title")}, valid},
		{"a userName cursor with sortBy=userName descending", store.Query{SortBy: compilePath(t, store.User, "userName"), SortDescending: true}, valid},
		{"a userName cursor without sortBy", store.Query{}, valid},
		{"an unsorted cursor with sortBy=userName", store.Query{SortBy: compilePath(t, store.User, "userName")}, unsortedCursor},
	} {
		q := c.q
		q.UseCursor, q.Count, q.Cursor = true, 2, c.cursor
		_, err := e.s.List(e.ctx, store.User, q)
		checkErr(t, c.what, err, store.ErrInvalidCursor)
	}
	q := byName
	q.Cursor = valid
	if _, err := e.s.List(e.ctx, store.User, q); err != nil {
		t.Errorf("the cursor itself, with its own query: %v", err)
	}
}
