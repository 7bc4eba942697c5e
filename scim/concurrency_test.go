package scim_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// variant returns a case variant of s, cycling through a few spellings.
func variant(s string, i int) string {
	switch i % 4 {
	case 0:
		return s
	case 1:
		return strings.ToUpper(s)
	case 2:
		return strings.ToUpper(s[:1]) + s[1:]
	}
	var b strings.Builder
	for j, r := range s {
		if j%2 == 0 {
			b.WriteString(strings.ToUpper(string(r)))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestConcurrentCreateSameUserName(t *testing.T) {
	h := newHandler(t)
	const n = 64
	results := make([]result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = do(t, h, http.MethodPost, "/Users", userBody(variant("race.condition@example.com", i)))
		}()
	}
	close(start)
	wg.Wait()

	created, conflicts := 0, 0
	for i, r := range results {
		switch r.status {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			conflicts++
			if str(r.body, "scimType") != "uniqueness" || !strings.Contains(str(r.body, "detail"), "userName") {
				t.Errorf("request %d: 409 body %s, want scimType uniqueness naming userName", i, r.raw)
			}
		default:
			t.Errorf("request %d: %s, want 201 or 409", i, r)
		}
	}
	if created != 1 || conflicts != n-1 {
		t.Errorf("%d created, %d conflicts; want exactly 1 and %d", created, conflicts, n-1)
	}
	r := do(t, h, http.MethodGet, "/Users?filter="+urlq(`userName eq "RACE.CONDITION@example.com"`), "")
	if num(r.body, "totalResults") != 1 {
		t.Errorf("after the race: %s, want exactly one user", r.raw)
	}
	if r := do(t, h, http.MethodGet, "/Users", ""); num(r.body, "totalResults") != 1 {
		t.Errorf("after the race the tenant holds %d users, want 1", num(r.body, "totalResults"))
	}
}

func TestConcurrentGroupDisplayName(t *testing.T) {
	h := newHandler(t)
	const n = 32
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = do(t, h, http.MethodPost, "/Groups", fmt.Sprintf(`{"displayName":%q}`, variant("engineering", i))).status
		}()
	}
	wg.Wait()
	created := 0
	for _, c := range codes {
		if c == http.StatusCreated {
			created++
		} else if c != http.StatusConflict {
			t.Errorf("status %d, want 201 or 409", c)
		}
	}
	if created != 1 {
		t.Errorf("%d groups created, want 1", created)
	}
}

// Optimistic concurrency: many PUTs carrying the same If-Match version,
// exactly one wins.
func TestConcurrentPutSameIfMatch(t *testing.T) {
	h := newHandler(t)
	r := do(t, h, http.MethodPost, "/Users", userBody("occ@example.com"))
	wantStatus(t, r, http.StatusCreated, "POST")
	id, v := str(r.body, "id"), r.header.Get("ETag")
	const n = 32
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = do(t, h, http.MethodPut, "/Users/"+id, fmt.Sprintf(`{"userName":"occ@example.com","title":"t%d"}`, i), "If-Match", v).status
		}()
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case http.StatusOK:
			ok++
		case http.StatusPreconditionFailed:
		default:
			t.Errorf("status %d, want 200 or 412", c)
		}
	}
	if ok != 1 {
		t.Errorf("%d PUTs with If-Match %s succeeded, want exactly 1", ok, v)
	}
}

// Mixed traffic on users and memberships, for the race detector; the end
// state must be consistent.
func TestConcurrentMixedTraffic(t *testing.T) {
	h := newHandler(t)
	const n = 16
	ids := make([]string, n)
	for i := range n {
		ids[i] = createUser(t, h, userBody(fmt.Sprintf("mix%d@example.com", i)))
	}
	members := make([]string, n)
	for i, id := range ids {
		members[i] = fmt.Sprintf(`{"value":%q}`, id)
	}
	gid := createGroup(t, h, `{"displayName":"Mix","members":[`+strings.Join(members, ",")+`]}`)

	var wg sync.WaitGroup
	for i := range n {
		wg.Add(4)
		go func() { // delete half the users
			defer wg.Done()
			if i%2 == 0 {
				if r := do(t, h, http.MethodDelete, "/Users/"+ids[i], ""); r.status != http.StatusNoContent {
					t.Errorf("DELETE: %s", r)
				}
			}
		}()
		go func() {
			defer wg.Done()
			if r := do(t, h, http.MethodGet, "/Groups/"+gid, ""); r.status != http.StatusOK {
				t.Errorf("GET group: %s", r)
			}
		}()
		go func() {
			defer wg.Done()
			if r := do(t, h, http.MethodGet, "/Users?filter="+urlq(`userName sw "mix"`)+"&sortBy=userName", ""); r.status != http.StatusOK {
				t.Errorf("list: %s", r)
			}
		}()
		go func() {
			defer wg.Done()
			r := do(t, h, http.MethodGet, "/Users/"+ids[i], "")
			if r.status != http.StatusOK && r.status != http.StatusNotFound {
				t.Errorf("GET user: %s", r)
			}
		}()
	}
	wg.Wait()
	g := do(t, h, http.MethodGet, "/Groups/"+gid, "")
	if got := len(list(g.body, "members")); got != n/2 {
		t.Errorf("group has %d members after deleting half of %d: %s", got, n, g.raw)
	}
	for _, m := range list(g.body, "members") {
		if r := do(t, h, http.MethodGet, "/Users/"+str(m, "value"), ""); r.status != http.StatusOK {
			t.Errorf("group lists member %s, which is gone", str(m, "value"))
		}
	}
}
