package scim_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// concurrently runs fn(0..n-1) in n goroutines released at once.
func concurrently(n int, fn func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

// No lost update: n PATCHes each adding a different user to one group,
// all at once, leave n members — through the MemberPatcher fast path
// (memory.Store) and through Update (a Store without the capability).
func TestConcurrentPatchAddMembers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func() store.Store
	}{
		{"MemberPatcher", func() store.Store { return memory.New() }},
		{"Update only", func() store.Store { return plainStore{memory.New()} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.store()
			_, isMP := st.(store.MemberPatcher)
			if want := tc.name == "MemberPatcher"; isMP != want {
				t.Fatalf("store implements MemberPatcher: %v, want %v", isMP, want)
			}
			h := newHandler(t, func(c *scim.Config) { c.Store = st })
			const n = 100
			ids := make([]string, n)
			for i := range n {
				ids[i] = createUser(t, h, userBody(fmt.Sprintf("member%03d@example.com", i)))
			}
			gid := createGroup(t, h, `{"displayName":"Everyone"}`)

			results := make([]result, n)
			concurrently(n, func(i int) {
				// Entra's default form and the flag form alternate.
				op := "Add"
				if i%2 == 1 {
					op = "add"
				}
				results[i] = do(t, h, http.MethodPatch, "/Groups/"+gid,
					patchBody(fmt.Sprintf(`{"op":%q,"path":"members","value":[{"$ref":null,"value":%q}]}`, op, ids[i])))
			})
			for i, r := range results {
				if r.status != http.StatusNoContent && r.status != http.StatusOK {
					t.Errorf("PATCH %d: %s, want 204", i, r)
				}
			}
			g := fetch(t, h, "/Groups/"+gid)
			got := memberIDs(g)
			if len(got) != n {
				t.Fatalf("%d members after %d concurrent adds, want %d", len(got), n, n)
			}
			for i, id := range sorted(ids...) {
				if got[i] != id {
					t.Fatalf("members %v, want %v", got, sorted(ids...))
				}
			}
			if str(g.body, "displayName") != "Everyone" {
				t.Errorf("displayName = %q after member adds", str(g.body, "displayName"))
			}
			// The reverse side agrees.
			for _, id := range []string{ids[0], ids[n/2], ids[n-1]} {
				if gs := list(fetch(t, h, "/Users/"+id).body, "groups"); len(gs) != 1 || str(gs[0], "value") != gid {
					t.Errorf("user %s groups = %v, want [%s]", id, gs, gid)
				}
			}

			// And n concurrent removals leave none.
			concurrently(n, func(i int) {
				results[i] = do(t, h, http.MethodPatch, "/Groups/"+gid,
					patchBody(fmt.Sprintf(`{"op":"Remove","path":"members","value":[{"value":%q}]}`, ids[i])))
			})
			for i, r := range results {
				if r.status != http.StatusNoContent && r.status != http.StatusOK {
					t.Errorf("remove PATCH %d: %s, want 204", i, r)
				}
			}
			if got := memberIDs(fetch(t, h, "/Groups/"+gid)); len(got) != 0 {
				t.Errorf("%d members left after %d concurrent removals, want 0", len(got), n)
			}
		})
	}
}

// Optimistic concurrency: 50 PATCHes with If-Match of the same version,
// exactly one wins, on a user and on a group.
func TestConcurrentPatchSameIfMatch(t *testing.T) {
	h := newHandler(t)
	uid := createUser(t, h, `{"userName":"occ-patch@example.com","displayName":"Start"}`)
	gid := createGroup(t, h, `{"displayName":"OCC Start"}`)
	for _, tc := range []struct{ name, path string }{{"user", "/Users/" + uid}, {"group", "/Groups/" + gid}} {
		path := tc.path
		t.Run(tc.name, func(t *testing.T) {
			v := fetch(t, h, path).header.Get("ETag")
			const n = 50
			results := make([]result, n)
			concurrently(n, func(i int) {
				results[i] = do(t, h, http.MethodPatch, path,
					patchBody(fmt.Sprintf(`{"op":"Replace","path":"displayName","value":"OCC %d"}`, i)), "If-Match", v)
			})
			won, lost := -1, 0
			for i, r := range results {
				switch r.status {
				case http.StatusOK, http.StatusNoContent:
					if won >= 0 {
						t.Errorf("PATCH %d and %d both succeeded with If-Match %s", won, i, v)
					}
					won = i
				case http.StatusPreconditionFailed:
					lost++
					checkError(t, r, http.StatusPreconditionFailed, "")
				default:
					t.Errorf("PATCH %d: %s, want 200/204 or 412", i, r)
				}
			}
			if won < 0 || lost != n-1 {
				t.Fatalf("%d lost with 412 and winner %d; want exactly one success and %d × 412", lost, won, n-1)
			}
			g := fetch(t, h, path)
			if want := fmt.Sprintf("OCC %d", won); str(g.body, "displayName") != want {
				t.Errorf("displayName = %q, want the winner's %q", str(g.body, "displayName"), want)
			}
			if e := g.header.Get("ETag"); e == v || e != results[won].header.Get("ETag") {
				t.Errorf("ETag after the race %s; before %s, winner answered %s", e, v, results[won].header.Get("ETag"))
			}
		})
	}
}
