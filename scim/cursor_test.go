package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// cursorWalk GETs path (a list URL without cursor) with an empty cursor
// and follows nextCursor to the end, checking each page's shape. It
// returns what each page's resources yield for field ("id", "userName"…).
func cursorWalk(t *testing.T, h http.Handler, path, field string) []string {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var out []string
	cursor := ""
	for n := 1; ; n++ {
		r := do(t, h, http.MethodGet, path+sep+"cursor="+url.QueryEscape(cursor), "")
		wantStatus(t, r, http.StatusOK, "GET "+path+" page "+fmt.Sprint(n))
		checkCursorPage(t, r, fmt.Sprintf("%s page %d", path, n))
		for _, res := range list(r.body, "Resources") {
			out = append(out, str(res, field))
		}
		next, ok := r.body["nextCursor"].(string)
		if !ok {
			return out
		}
		if next == "" || n > 1000 {
			t.Fatalf("%s page %d: nextCursor %q", path, n, next)
		}
		cursor = next
	}
}

// checkCursorPage checks a cursor-paged ListResponse: no startIndex,
// itemsPerPage the number of Resources, totalResults present, nextCursor
// (when there) of RFC 3986 unreserved characters.
func checkCursorPage(t *testing.T, r result, what string) {
	t.Helper()
	if _, ok := r.body["startIndex"]; ok {
		t.Errorf("%s: startIndex in a cursor-paged response: %s", what, r.raw)
	}
	if num(r.body, "itemsPerPage") != len(list(r.body, "Resources")) || num(r.body, "totalResults") < 0 {
		t.Errorf("%s: itemsPerPage %d, %d Resources, totalResults %d", what, num(r.body, "itemsPerPage"), len(list(r.body, "Resources")), num(r.body, "totalResults"))
	}
	if next := str(r.body, "nextCursor"); strings.Trim(next, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") != "" {
		t.Errorf("%s: nextCursor %q has characters outside RFC 3986's unreserved set", what, next)
	}
}

// indexed lists path (with its own count) in one page of index paging.
func indexed(t *testing.T, h http.Handler, path, field string) []string {
	t.Helper()
	r := do(t, h, http.MethodGet, path, "")
	wantStatus(t, r, http.StatusOK, "GET "+path)
	var out []string
	for _, res := range list(r.body, "Resources") {
		out = append(out, str(res, field))
	}
	if len(out) != num(r.body, "totalResults") {
		t.Fatalf("GET %s: %d of %d resources in one page", path, len(out), num(r.body, "totalResults"))
	}
	return out
}

func TestCursorWalk(t *testing.T) {
	h := newHandler(t)
	titles := []string{"b", "A", "", "a", "c", "", "B"}
	for i := range 12 {
		title := ""
		if t := titles[i%len(titles)]; t != "" {
			title = fmt.Sprintf(`,"title":%q`, t)
		}
		createUser(t, h, fmt.Sprintf(`{"userName":"walk%02d@example.com"%s}`, (i*7)%12, title))
	}
	for _, q := range []string{"", "sortBy=userName", "sortBy=title&sortOrder=descending", "sortBy=title&filter=" + urlq("title pr")} {
		want := indexed(t, h, "/Users?count=100&"+q, "id")
		for _, count := range []int{1, 5, 12, 13} {
			path := fmt.Sprintf("/Users?count=%d&%s", count, q)
			if got := cursorWalk(t, h, path, "id"); !slices.Equal(got, want) {
				t.Errorf("cursor walk of %s = %v\nwant %v (index paging)", path, got, want)
			}
		}
	}

	// The first page, as RFC 9865 §2 writes it: a cursor parameter with
	// no value at all.
	r := do(t, h, http.MethodGet, "/Users?cursor&count=5", "")
	wantStatus(t, r, http.StatusOK, "GET /Users?cursor&count=5")
	checkCursorPage(t, r, "cursor with no =")
	if num(r.body, "itemsPerPage") != 5 || num(r.body, "totalResults") != 12 || str(r.body, "nextCursor") == "" {
		t.Errorf("GET /Users?cursor&count=5 = %s, want 5 of 12 and a nextCursor", r.raw)
	}
	// Index paging is untouched, and the default (RFC 9865 §2.4).
	r = do(t, h, http.MethodGet, "/Users?count=5", "")
	if num(r.body, "startIndex") != 1 || r.body["nextCursor"] != nil {
		t.Errorf("GET /Users?count=5 = %s, want index paging: startIndex, no nextCursor", r.raw)
	}
}

func TestCursorLastPage(t *testing.T) {
	h := newHandler(t)
	for i := range 10 {
		createUser(t, h, userBody(fmt.Sprintf("last%d@example.com", i)))
	}
	first := do(t, h, http.MethodGet, "/Users?cursor=&count=5", "")
	next := str(first.body, "nextCursor")
	if next == "" {
		t.Fatalf("first page of 5 of 10: %s, want a nextCursor", first.raw)
	}
	second := do(t, h, http.MethodGet, "/Users?count=5&cursor="+url.QueryEscape(next), "")
	wantStatus(t, second, http.StatusOK, "second page")
	if _, ok := second.body["nextCursor"]; ok || num(second.body, "itemsPerPage") != 5 {
		t.Errorf("the last (full) page: %s, want 5 resources and no nextCursor", second.raw)
	}
	// count=0 asks only for totalResults: no resources, no nextCursor.
	for _, c := range []string{"", next} {
		r := do(t, h, http.MethodGet, "/Users?count=0&cursor="+url.QueryEscape(c), "")
		wantStatus(t, r, http.StatusOK, "count=0")
		if num(r.body, "totalResults") != 10 || num(r.body, "itemsPerPage") != 0 || r.body["nextCursor"] != nil || r.body["startIndex"] != nil {
			t.Errorf("count=0, cursor %q: %s, want totalResults 10 and nothing else", c, r.raw)
		}
	}
	// An empty list.
	r := do(t, h, http.MethodGet, "/Groups?cursor=", "")
	wantStatus(t, r, http.StatusOK, "empty list")
	if num(r.body, "totalResults") != 0 || r.body["nextCursor"] != nil {
		t.Errorf("an empty list by cursor: %s", r.raw)
	}
}

func TestCursorSearchBody(t *testing.T) {
	h := newHandler(t)
	for i := range 7 {
		createUser(t, h, userBody(fmt.Sprintf("body%d@example.com", i)))
	}
	want := indexed(t, h, "/Users?count=100", "id")
	var got []string
	cursor := json.RawMessage(`""`)
	for n := 0; n < 10; n++ {
		r := do(t, h, http.MethodPost, "/Users/.search", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"cursor":%s,"count":3}`, cursor))
		wantStatus(t, r, http.StatusOK, "POST /Users/.search")
		checkCursorPage(t, r, "/.search")
		for _, res := range list(r.body, "Resources") {
			got = append(got, str(res, "id"))
		}
		next := str(r.body, "nextCursor")
		if next == "" {
			break
		}
		cursor, _ = json.Marshal(next)
	}
	if !slices.Equal(got, want) {
		t.Errorf("/Users/.search by cursor = %v\nwant %v", got, want)
	}
	// "cursor": null is no cursor: index paging.
	r := do(t, h, http.MethodPost, "/Users/.search", `{"cursor":null,"count":3}`)
	if num(r.body, "startIndex") != 1 {
		t.Errorf(`"cursor": null: %s, want index paging`, r.raw)
	}
}

func TestCursorErrors(t *testing.T) {
	h := newHandler(t)
	for i := range 4 {
		createUser(t, h, fmt.Sprintf(`{"userName":"err%d@example.com","title":"t%d"}`, i, i%2))
	}
	byName := str(do(t, h, http.MethodGet, "/Users?sortBy=userName&count=1&cursor=", "").body, "nextCursor")
	plain := str(do(t, h, http.MethodGet, "/Users?count=1&cursor=", "").body, "nextCursor")
	if byName == "" || plain == "" {
		t.Fatal("no nextCursor on a first page of 1 of 4")
	}
	for _, c := range []struct {
		method, path, body string
		status             int
		scimType           string
		words              []string
	}{
		{"GET", "/Users?cursor=&startIndex=1", "", 400, "invalidValue", []string{"startIndex", "cursor"}},
		{"GET", "/Users?startIndex=3&cursor=" + plain, "", 400, "invalidValue", []string{"startIndex", "cursor"}},
		{"POST", "/Users/.search", `{"cursor":"","startIndex":1}`, 400, "invalidValue", []string{"startIndex", "cursor"}},
		{"POST", "/.search", `{"cursor":"","startIndex":1}`, 400, "invalidValue", []string{"startIndex", "cursor"}},
		{"GET", "/Users?cursor=garbage!", "", 400, "invalidCursor", []string{"cursor"}},
		{"GET", "/Users?cursor=AAAA", "", 400, "invalidCursor", []string{"empty cursor"}},
		{"GET", "/Users?cursor=" + url.QueryEscape("a b"), "", 400, "invalidCursor", nil},
		{"POST", "/Users/.search", `{"cursor":"%%%"}`, 400, "invalidCursor", nil},
		{"POST", "/Users/.search", `{"cursor":7}`, 400, "invalidCursor", nil},
		{"GET", "/Users?sortBy=title&cursor=" + byName, "", 400, "invalidCursor", []string{"sortBy"}},
		{"GET", "/Users?sortBy=userName&sortOrder=descending&cursor=" + byName, "", 400, "invalidCursor", []string{"sortOrder"}},
		{"GET", "/Users?cursor=" + byName, "", 400, "invalidCursor", nil},
		{"GET", "/Groups?cursor=" + plain, "", 400, "invalidCursor", []string{"resource type"}},
		{"GET", "/Users?cursor=a&cursor=b", "", 400, "invalidSyntax", []string{"more than once"}},
		{"POST", "/.search", `{"cursor":"garbage"}`, 400, "invalidCursor", nil},
		{"POST", "/.search", `{"cursor":"` + plain + `"}`, 400, "invalidCursor", nil},
		{"GET", "/Users?count=x&cursor=", "", 400, "invalidValue", []string{"count"}},
	} {
		r := do(t, h, c.method, c.path, c.body)
		t.Run(c.method+" "+c.path+" "+c.body, func(t *testing.T) { checkError(t, r, c.status, c.scimType, c.words...) })
	}
	// The right cursor with the right query, and with another filter
	// (a position in an order means the same whatever selects from it).
	for _, path := range []string{"/Users?sortBy=userName&cursor=" + byName, "/Users?sortBy=USERNAME&filter=" + urlq("title pr") + "&cursor=" + byName} {
		wantStatus(t, do(t, h, http.MethodGet, path, ""), http.StatusOK, path)
	}
}

// startIndexOnly hides the memory store's CursorPager: a Store that pages
// by startIndex only.
type startIndexOnly struct{ store.Store }

func TestCursorPaginationConfig(t *testing.T) {
	h := newHandler(t, func(c *scim.Config) { c.Limits.MaxPageSize = 50 })
	r := do(t, h, http.MethodGet, "/ServiceProviderConfig", "")
	wantStatus(t, r, http.StatusOK, "GET /ServiceProviderConfig")
	want := map[string]any{
		"cursor": true, "index": true, "defaultPaginationMethod": "index",
		"defaultPageSize": json.Number("50"), "maxPageSize": json.Number("50"),
	}
	if diff := cmp.Diff(want, r.body["pagination"]); diff != "" {
		t.Errorf("pagination (-want +got):\n%s", diff)
	}

	h = newHandler(t, func(c *scim.Config) { c.Store = startIndexOnly{memory.New()} })
	r = do(t, h, http.MethodGet, "/ServiceProviderConfig", "")
	if got := get(r.body, "pagination.cursor"); got != false {
		t.Errorf("over a Store without cursor paging, pagination.cursor = %v, want false", got)
	}
	createUser(t, h, userBody("one@example.com"))
	checkError(t, do(t, h, http.MethodGet, "/Users?cursor=", ""), http.StatusNotImplemented, "", "startIndex")
	checkError(t, do(t, h, http.MethodPost, "/.search", `{"cursor":""}`), http.StatusNotImplemented, "", "startIndex")
	wantStatus(t, do(t, h, http.MethodGet, "/Users?startIndex=1", ""), http.StatusOK, "index paging")
}

// brokenCursors claims cursor paging but leaves Page.Cursors out.
type brokenCursors struct{ *memory.Store }

func (s brokenCursors) List(ctx context.Context, typ string, q store.Query) (*store.Page, error) {
	p, err := s.Store.List(ctx, typ, q)
	if p != nil {
		p.Cursors = nil
	}
	return p, err
}

func TestCursorStoreWithoutCursors(t *testing.T) {
	h := newHandler(t, func(c *scim.Config) { c.Store = brokenCursors{memory.New()} })
	createUser(t, h, userBody("one@example.com"))
	checkError(t, do(t, h, http.MethodGet, "/Users?cursor=", ""), http.StatusInternalServerError, "")
	wantStatus(t, do(t, h, http.MethodGet, "/Users?cursor=&filter="+urlq(`userName eq "nobody"`), ""), http.StatusOK, "an empty page needs no cursor")
}

func TestCursorSearchAcrossTypes(t *testing.T) {
	h := newHandler(t)
	var users []string
	for i := range 5 {
		users = append(users, createUser(t, h, userBody(fmt.Sprintf("across%d@example.com", i))))
	}
	createGroup(t, h, `{"displayName":"empty"}`)
	createGroup(t, h, `{"displayName":"another"}`)
	all := searchIDs(t, h, `{"count":100}`)
	if len(all) != 7 {
		t.Fatalf("POST /.search: %d resources, want 7", len(all))
	}
	for _, count := range []int{1, 2, 3, 5, 6, 7, 100} {
		got := searchWalk(t, h, count, "")
		if !slices.Equal(got, all) {
			t.Errorf("count=%d: cursor walk of /.search = %v\nwant %v", count, got, all)
		}
	}
	// A filter only users match, and one only groups match.
	if got := searchWalk(t, h, 2, `"filter":"userName sw \"across\"",`); !slices.Equal(got, users) {
		t.Errorf("users only: %v, want %v", got, users)
	}
	if got := searchWalk(t, h, 1, `"filter":"displayName pr and members pr or displayName eq \"another\"",`); len(got) != 1 {
		t.Errorf("groups only: %v, want one group", got)
	}
}

// searchIDs POSTs body to /.search and returns the ids listed.
func searchIDs(t *testing.T, h http.Handler, body string) []string {
	t.Helper()
	r := do(t, h, http.MethodPost, "/.search", body)
	wantStatus(t, r, http.StatusOK, "POST /.search "+body)
	var out []string
	for _, res := range list(r.body, "Resources") {
		out = append(out, str(res, "id"))
	}
	return out
}

// searchWalk walks POST /.search by cursor, pages of count, with extra
// members (ending in a comma) in the body.
func searchWalk(t *testing.T, h http.Handler, count int, extra string) []string {
	t.Helper()
	var out []string
	cursor := ""
	for n := 1; n < 100; n++ {
		r := do(t, h, http.MethodPost, "/.search", fmt.Sprintf(`{%s"count":%d,"cursor":%q}`, extra, count, cursor))
		wantStatus(t, r, http.StatusOK, "POST /.search")
		checkCursorPage(t, r, fmt.Sprintf("/.search page %d", n))
		for _, res := range list(r.body, "Resources") {
			out = append(out, str(res, "id"))
		}
		if cursor = str(r.body, "nextCursor"); cursor == "" {
			if len(list(r.body, "Resources")) == 0 && n > 1 {
				t.Errorf("/.search page %d is empty: the page before had a nextCursor but was the last", n)
			}
			return out
		}
	}
	t.Fatal("the walk of /.search does not end")
	return nil
}

func TestCursorPageCutByResponseSize(t *testing.T) {
	// Each user is about 1 KiB: a page of 10 is cut at 3 KiB, and
	// nextCursor continues right after the last user sent.
	h := newHandler(t, func(c *scim.Config) { c.Limits.MaxResponseBytes = 3 << 10 })
	var want []string
	for i := range 10 {
		want = append(want, createUser(t, h, fmt.Sprintf(`{"userName":"big%d@example.com","title":%q}`, i, strings.Repeat("x", 900))))
	}
	createGroup(t, h, `{"displayName":"g1"}`)
	cut := false
	var got []string
	cursor := ""
	for n := 0; n < 20; n++ {
		r := do(t, h, http.MethodGet, "/Users?count=10&cursor="+url.QueryEscape(cursor), "")
		wantStatus(t, r, http.StatusOK, "GET /Users page")
		checkCursorPage(t, r, "cut page")
		items := num(r.body, "itemsPerPage")
		if items < 10 && len(got)+items < 10 {
			cut = true
			if str(r.body, "nextCursor") == "" {
				t.Fatalf("a page cut short at %d resources has no nextCursor: %s", items, r.raw)
			}
		}
		for _, res := range list(r.body, "Resources") {
			got = append(got, str(res, "id"))
		}
		if cursor = str(r.body, "nextCursor"); cursor == "" {
			break
		}
	}
	if !cut {
		t.Error("no page was cut by MaxResponseBytes")
	}
	if !slices.Equal(got, want) {
		t.Errorf("cut pages by cursor = %v\nwant %v", got, want)
	}
	// The same across resource types.
	all := append(slices.Clone(want), searchIDs(t, h, `{"filter":"displayName eq \"g1\""}`)...)
	if got := searchWalk(t, h, 10, ""); !slices.Equal(got, all) {
		t.Errorf("/.search cut pages by cursor = %v\nwant %v", got, all)
	}
}
