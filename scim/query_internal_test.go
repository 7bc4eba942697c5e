package scim

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzParseQuery holds parseQuery to net/url's reading of a query string:
// when url.ParseQuery reads it without error and gives each SCIM parameter
// at most once, parseQuery gives the same values; whenever url.ParseQuery
// fails (and so URL.Query would silently drop a pair), parseQuery refuses.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"", "filter=userName+eq+%22a%22", `filter=userName eq "o'brien;x"`, "filter=%zz", "count=10&startIndex=2",
		"aadOptscim062020&filter=x", "Filter=a&filter=b", "attributes=emails.value,userName", "a;b=c", "=&&=", "filter",
		"%66ilter=x", "excludedAttributes=members&sortBy=userName&sortOrder=descending",
		"cursor&count=10", "cursor=AQ-_x&count=2", "cursor=&cursor=", "Cursor=a&startIndex=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := parseQuery(raw)
		vals, uerr := url.ParseQuery(raw)
		if uerr != nil {
			if err == nil {
				t.Fatalf("parseQuery(%q) accepted what url.ParseQuery refuses (%v)", raw, uerr)
			}
			return
		}
		counts := map[string]int{}
		for k, vs := range vals {
			for _, n := range paramNames {
				if strings.EqualFold(k, n) {
					counts[n] += len(vs)
				}
			}
		}
		for _, n := range paramNames {
			if counts[n] > 1 {
				if err == nil {
					t.Fatalf("parseQuery(%q) accepted %s given %d times", raw, n, counts[n])
				}
				return
			}
		}
		if err != nil {
			t.Fatalf("parseQuery(%q) = %v; url.ParseQuery read it", raw, err)
		}
		for k, vs := range vals {
			f, _ := p.field(k)
			if f != nil && *f != vs[0] {
				t.Fatalf("parseQuery(%q): %s = %q, url.ParseQuery %q", raw, k, *f, vs[0])
			}
		}
	})
}
