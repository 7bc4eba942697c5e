package store_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/internal/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// sortedBy is a Query of typ sorted by path.
func sortedBy(t testing.TB, reg *schema.Registry, typ, path string, desc bool) store.Query {
	t.Helper()
	p, err := filter.ParsePath(path)
	if err != nil {
		t.Fatalf("ParsePath %s: %v", path, err)
	}
	return store.Query{SortBy: store.CompilePath(p.AttributePath, reg.ResourceType(typ)), SortDescending: desc}
}

func TestCursorRoundTrip(t *testing.T) {
	reg := registry(t)
	when := time.Date(2024, 2, 29, 23, 59, 59, 123456789, time.FixedZone("X", 5*3600))
	for _, c := range []struct {
		name string
		q    store.Query
		c    store.Cursor
	}{
		{"default order", store.Query{}, store.Cursor{Seq: 42}},
		{"default order, negative seq and an id", store.Query{}, store.Cursor{Seq: -7, ID: "2819c223-7f76-453a-919d-413861904646"}},
		{"default order, extremes", store.Query{}, store.Cursor{Seq: math.MinInt64, ID: strings.Repeat("\xff", 300)}},
		{"string key", sortedBy(t, reg, "User", "userName", false), store.Cursor{Key: "bjensen", Seq: 1}},
		{"empty string key", sortedBy(t, reg, "User", "userName", true), store.Cursor{Key: "", Seq: math.MaxInt64}},
		{"absent key", sortedBy(t, reg, "User", "title", false), store.Cursor{Key: nil, Seq: 3, ID: "x"}},
		{"number key", sortedBy(t, reg, "User", testExtURN+":level", false), store.Cursor{Key: -12.5, Seq: 9}},
		{"boolean key", sortedBy(t, reg, "User", "active", true), store.Cursor{Key: 1.0, Seq: 9}},
		{"infinite key", sortedBy(t, reg, "User", testExtURN+":score", false), store.Cursor{Key: math.Inf(-1)}},
		{"time key", sortedBy(t, reg, "User", "meta.created", false), store.Cursor{Key: when, Seq: 5}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := store.EncodeCursor("User", c.q, c.c)
			for _, r := range s {
				if !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", r) {
					t.Fatalf("cursor %q has %q, not an RFC 3986 unreserved character", s, r)
				}
			}
			got, err := store.DecodeCursor("User", c.q, s)
			if err != nil {
				t.Fatalf("DecodeCursor(%q): %v", s, err)
			}
			if again := store.EncodeCursor("User", c.q, got); again != s {
				t.Errorf("encoding the decoded cursor = %q, want %q", again, s)
			}
			want := c.c
			if c.q.SortBy == nil {
				want.Key = nil
			}
			if tm, ok := want.Key.(time.Time); ok {
				if g, ok := got.Key.(time.Time); !ok || !g.Equal(tm) {
					t.Fatalf("time key = %v, want %v", got.Key, tm)
				}
				got.Key, want.Key = nil, nil
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCursorRefusesAnotherQuery(t *testing.T) {
	reg := registry(t)
	byName := sortedBy(t, reg, "User", "userName", false)
	made := store.EncodeCursor("User", byName, store.Cursor{Key: "m", Seq: 4})
	for _, c := range []struct {
		name string
		typ  string
		q    store.Query
	}{
		{"another sortBy", "User", sortedBy(t, reg, "User", "title", false)},
		{"another sortOrder", "User", sortedBy(t, reg, "User", "userName", true)},
		{"unsorted", "User", store.Query{}},
		{"another resource type", "Group", sortedBy(t, reg, "Group", "displayName", false)},
	} {
		if _, err := store.DecodeCursor(c.typ, c.q, made); !errors.Is(err, store.ErrInvalidCursor) {
			t.Errorf("%s: DecodeCursor = %v, want ErrInvalidCursor", c.name, err)
		}
	}
	// The spelling of sortBy and the filter do not matter.
	same := sortedBy(t, reg, "User", "USERNAME", false)
	var err error
	if same.Filter, err = compile(t, reg.ResourceType("User"), `title pr`); err != nil {
		t.Fatal(err)
	}
	if _, err := store.DecodeCursor("User", same, made); err != nil {
		t.Errorf("sortBy=USERNAME with a filter: %v", err)
	}
	unsorted := store.EncodeCursor("User", store.Query{}, store.Cursor{Seq: 4})
	if _, err := store.DecodeCursor("User", byName, unsorted); !errors.Is(err, store.ErrInvalidCursor) {
		t.Errorf("an unsorted cursor with sortBy: %v, want ErrInvalidCursor", err)
	}
}

func TestCursorRefusesGarbage(t *testing.T) {
	reg := registry(t)
	q := sortedBy(t, reg, "User", "userName", false)
	valid := store.EncodeCursor("User", q, store.Cursor{Key: "m", Seq: 300, ID: "id"})
	for _, s := range []string{
		"", "x", "!!!!", "AAAA", "AQ", "a b", valid + "=", valid + "A", valid[:len(valid)-1], valid[:len(valid)-3],
		"%00", "é", valid[:4] + "\n" + valid[4:], strings.Repeat("A", 5000), "eyJvZmZzZXQiOjEwMH0", // base64 of {"offset":100}
		store.EncodeCursor("User", store.Query{}, store.Cursor{}),
	} {
		if c, err := store.DecodeCursor("User", q, s); !errors.Is(err, store.ErrInvalidCursor) {
			t.Errorf("DecodeCursor(%.40q) = %v, %v; want ErrInvalidCursor", s, c, err)
		}
	}
}

func TestComparePositions(t *testing.T) {
	reg := registry(t)
	asc := sortedBy(t, reg, "User", "title", false)
	desc := sortedBy(t, reg, "User", "title", true)
	for _, c := range []struct {
		q    store.Query
		a, b store.Cursor
		want int
	}{
		{store.Query{}, store.Cursor{Seq: 1}, store.Cursor{Seq: 2}, -1},
		{store.Query{}, store.Cursor{Key: "z", Seq: 1}, store.Cursor{Key: "a", Seq: 2}, -1}, // unsorted: keys ignored
		{store.Query{}, store.Cursor{Seq: 2, ID: "a"}, store.Cursor{Seq: 2, ID: "b"}, -1},
		{store.Query{}, store.Cursor{Seq: 2, ID: "b"}, store.Cursor{Seq: 2, ID: "b"}, 0},
		{asc, store.Cursor{Key: "a", Seq: 9}, store.Cursor{Key: "b", Seq: 1}, -1},
		{desc, store.Cursor{Key: "a", Seq: 1}, store.Cursor{Key: "b", Seq: 9}, 1},
		{asc, store.Cursor{Key: "a", Seq: 2}, store.Cursor{Key: "a", Seq: 1}, 1},  // ties in the default order
		{desc, store.Cursor{Key: "a", Seq: 2}, store.Cursor{Key: "a", Seq: 1}, 1}, // in both directions
		{asc, store.Cursor{Key: nil, Seq: 1}, store.Cursor{Key: "z", Seq: 9}, 1},  // no value: last
		{desc, store.Cursor{Key: nil, Seq: 1}, store.Cursor{Key: "a", Seq: 9}, 1}, // in both directions
		{desc, store.Cursor{Key: nil, Seq: 1}, store.Cursor{Key: nil, Seq: 2}, -1},
	} {
		if got := c.q.ComparePositions(c.a, c.b); got != c.want {
			t.Errorf("ComparePositions(%v, %v) sorted=%v desc=%v = %d, want %d", c.a, c.b, c.q.SortBy != nil, c.q.SortDescending, got, c.want)
		}
	}
}

// FuzzDecodeCursor: DecodeCursor never panics, refuses what it cannot read
// with ErrInvalidCursor, and what it accepts EncodeCursor writes again
// byte for byte (so a cursor has exactly one spelling).
func FuzzDecodeCursor(f *testing.F) {
	reg := registry(f)
	queries := []store.Query{
		{},
		sortedBy(f, reg, "User", "userName", false),
		sortedBy(f, reg, "User", "title", true),
		sortedBy(f, reg, "User", testExtURN+":level", false),
		sortedBy(f, reg, "User", "meta.lastModified", true),
		sortedBy(f, reg, "User", "noSuchAttribute", false),
	}
	for _, q := range queries {
		f.Add(store.EncodeCursor("User", q, store.Cursor{Seq: 12, ID: "abc"}))
	}
	f.Add(store.EncodeCursor("User", queries[1], store.Cursor{Key: "bjensen@example.com", Seq: 99}))
	f.Add(store.EncodeCursor("User", queries[3], store.Cursor{Key: 3.5, Seq: -1}))
	f.Add(store.EncodeCursor("User", queries[4], store.Cursor{Key: time.Unix(1700000000, 5).UTC(), Seq: 1 << 40}))
	f.Add("")
	f.Add("AQ")
	f.Add("not a cursor")
	f.Fuzz(func(t *testing.T, s string) {
		for _, q := range queries {
			c, err := store.DecodeCursor("User", q, s)
			if err != nil {
				if !errors.Is(err, store.ErrInvalidCursor) {
					t.Fatalf("DecodeCursor(%q): %v, not ErrInvalidCursor", s, err)
				}
				continue
			}
			if again := store.EncodeCursor("User", q, c); again != s {
				t.Fatalf("DecodeCursor(%q) = %v, which encodes as %q", s, c, again)
			}
		}
	})
}
