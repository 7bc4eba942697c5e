package storetest

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
)

func (s *suite) testPaging(t *testing.T) {
	// pagingUsers creates n users and returns their ids in the store's
	// default order.
	pagingUsers := func(t *testing.T, n int) (*env, []string) {
		e := s.env(t)
		for i := range n {
			a := attrs{"userName": fmt.Sprintf("user%02d", i)}
			if i%3 == 0 {
				a["title"] = "third"
			}
			e.create(t, newUser(a))
		}
		all := e.allIDs(t, store.User)
		if len(all) != n {
			t.Fatalf("List: %d users, want the %d created", len(all), n)
		}
		return e, all
	}

	t.Run("windows", func(t *testing.T) {
		const n = 11
		e, all := pagingUsers(t, n)
		for _, c := range []struct {
			start, count int
			want         []string
		}{
			{1, 3, all[0:3]},
			{4, 3, all[3:6]},
			{10, 3, all[9:11]},
			{11, 1, all[10:11]},
			{12, 5, nil},
			{1000, 5, nil},
			{1, 0, nil},
			{5, 0, nil},
			{0, 2, all[0:2]},
			{-7, 2, all[0:2]},
			{2, n, all[1:]},
			{1, n, all},
		} {
			page := e.list(t, store.User, store.Query{StartIndex: c.start, Count: c.count})
			if diff := cmp.Diff(c.want, ids(page.Resources), cmpEmpty); diff != "" {
				t.Errorf("startIndex=%d count=%d (-want +got):\n%s", c.start, c.count, diff)
			}
			if page.TotalResults != n {
				t.Errorf("startIndex=%d count=%d: TotalResults = %d, want %d", c.start, c.count, page.TotalResults, n)
			}
		}
	})

	t.Run("pages concatenate to the whole list", func(t *testing.T) {
		const n = 11
		e, all := pagingUsers(t, n)
		for _, size := range []int{1, 2, 3, 5, n, 100} {
			if got := e.pages(t, store.User, store.Query{}, size); !slices.Equal(got, all) {
				t.Errorf("pages of %d = %v\nwant %v", size, got, all)
			}
		}
		filtered := e.all(t, store.User, store.Query{Filter: compileFilter(t, store.User, `title pr`)})
		if len(filtered) != 4 {
			t.Fatalf("filter title pr: %d users, want 4", len(filtered))
		}
		for _, size := range []int{1, 3} {
			got := e.pages(t, store.User, store.Query{Filter: compileFilter(t, store.User, `title pr`)}, size)
			if !slices.Equal(got, ids(filtered)) {
				t.Errorf("title pr, pages of %d = %v\nwant %v", size, got, ids(filtered))
			}
		}
	})

	t.Run("order stable across calls", func(t *testing.T) {
		e, all := pagingUsers(t, 11)
		for range 3 {
			if got := e.allIDs(t, store.User); !slices.Equal(got, all) {
				t.Fatalf("List again = %v\nwant %v", got, all)
			}
		}
	})

	t.Run("order survives updates and deletes", func(t *testing.T) {
		// Entra pages through users while it updates them: a write must
		// not move a resource to another page.
		e, all := pagingUsers(t, 11)
		for _, i := range []int{5, 0, 10} {
			e.update(t, store.User, all[i], func(r *store.Resource) error {
				return modify(r, func(a attrs) { a["title"] = "updated" })
			})
		}
		if got := e.allIDs(t, store.User); !slices.Equal(got, all) {
			t.Errorf("List after updates = %v\nwant %v", got, all)
		}
		if err := e.s.Delete(e.ctx, store.User, all[4], ""); err != nil {
			t.Fatal(err)
		}
		want := slices.Delete(slices.Clone(all), 4, 5)
		if got := e.allIDs(t, store.User); !slices.Equal(got, want) {
			t.Errorf("List after a delete = %v\nwant %v", got, want)
		}
		added := e.create(t, newUser(attrs{"userName": "latecomer"}))
		got := e.allIDs(t, store.User)
		if i := slices.Index(got, added.ID); i < 0 || !slices.Equal(slices.Delete(slices.Clone(got), i, i+1), want) {
			t.Errorf("List after a create = %v\nwant %v with %s somewhere", got, want, added.ID)
		}
	})

	t.Run("filtered lists keep the default order", func(t *testing.T) {
		// A filter selects from the default order; answering it from an
		// index must not reorder (the suite's populations are small, so
		// this also covers resources that changed indexed attributes).
		e, all := pagingUsers(t, 9)
		for _, i := range []int{0, 4} {
			e.update(t, store.User, all[i], func(r *store.Resource) error {
				return modify(r, func(a attrs) { a["externalId"] = "shared" })
			})
		}
		for _, i := range []int{2, 6} {
			e.update(t, store.User, all[i], func(r *store.Resource) error {
				return modify(r, func(a attrs) { a["externalId"] = "shared"; a["title"] = "third" })
			})
		}
		for _, expr := range []string{
			`externalId eq "shared"`,
			`externalId eq "shared" and userName pr`,
			`title eq "third"`,
			`title eq "third" and externalId eq "shared"`,
			`userName eq "user04" or externalId eq "shared"`,
		} {
			f := compileFilter(t, store.User, expr)
			var want []string
			for _, id := range all {
				if ok, err := f.Match(e.get(t, store.User, id)); err != nil {
					t.Fatal(err)
				} else if ok {
					want = append(want, id)
				}
			}
			if got := ids(e.all(t, store.User, store.Query{Filter: f})); !slices.Equal(got, want) {
				t.Errorf("filter %s: %v\nwant %v (the unfiltered order)", expr, got, want)
			}
		}
	})

	t.Run("groups", func(t *testing.T) {
		e := s.env(t)
		for i := range 7 {
			e.create(t, newGroup("group"+strconv.Itoa(i)))
		}
		all := e.allIDs(t, store.Group)
		if len(all) != 7 {
			t.Fatalf("List groups: %d, want 7", len(all))
		}
		if got := e.pages(t, store.Group, store.Query{}, 2); !slices.Equal(got, all) {
			t.Errorf("pages of 2 = %v\nwant %v", got, all)
		}
		if got := e.list(t, store.Group, store.Query{StartIndex: 1, Count: 0}); len(got.Resources) != 0 || got.TotalResults != 7 {
			t.Errorf("count=0: %d resources, TotalResults %d; want 0, 7", len(got.Resources), got.TotalResults)
		}
	})
}

// pages lists q page by page (size per page) and returns the ids in
// order, checking TotalResults and that no id repeats.
func (e *env) pages(t testing.TB, typ string, q store.Query, size int) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	total := -1
	for start := 1; ; start += size {
		q.StartIndex, q.Count = start, size
		page := e.list(t, typ, q)
		if total >= 0 && page.TotalResults != total {
			t.Errorf("page at %d: TotalResults = %d, was %d", start, page.TotalResults, total)
		}
		total = page.TotalResults
		if len(page.Resources) > size {
			t.Fatalf("page at %d of size %d: %d resources", start, size, len(page.Resources))
		}
		for _, r := range page.Resources {
			if seen[r.ID] {
				t.Errorf("page at %d (size %d) repeats %s", start, size, r.ID)
			}
			seen[r.ID] = true
			out = append(out, r.ID)
		}
		if start+size > total || len(page.Resources) == 0 {
			if len(out) != total {
				t.Errorf("pages of %d: %d resources in all, TotalResults %d", size, len(out), total)
			}
			return out
		}
	}
}
