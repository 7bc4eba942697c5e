package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/store"
)

// withEmails is a user holding the given email values.
func withEmails(t *testing.T, values ...string) (*store.Resource, map[string]any) {
	t.Helper()
	var es []any
	for _, v := range values {
		es = append(es, map[string]any{"value": v})
	}
	attrs := map[string]any{"userName": "u", "emails": es}
	raw, err := json.Marshal(attrs)
	if err != nil {
		t.Fatal(err)
	}
	r := &store.Resource{Type: store.User, ID: "id", Attributes: raw}
	decoded, err := store.DecodeAttributes(r)
	if err != nil {
		t.Fatal(err)
	}
	return r, decoded
}

// LimitWork is exact: a unit per value compared (plus one per 64 bytes of
// it) beyond WorkPerResource per resource; past it Match is false and Err
// says why; without a limit nothing is counted.
func TestFilterWorkLimit(t *testing.T) {
	rt := registry(t).ResourceType("User")
	emails := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("e%d@x", i)
		}
		return out
	}
	for _, c := range []struct {
		name   string
		limit  int
		values []string
		over   bool
	}{
		{"within the per-resource allowance", 1, emails(store.WorkPerResource + 1), false},
		{"one value past it", 1, emails(store.WorkPerResource + 2), true},
		{"a long value costs more", 1, append(emails(store.WorkPerResource-1), strings.Repeat("a", 64)), false},
		{"a longer one past it", 1, append(emails(store.WorkPerResource-1), strings.Repeat("a", 128)), true},
		{"no limit", 0, emails(10_000), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := compile(t, rt, `emails co "zz"`)
			if err != nil {
				t.Fatal(err)
			}
			f.LimitWork(c.limit)
			r, attrs := withEmails(t, c.values...)
			if f.MatchDecoded(r, attrs) {
				t.Fatal("matched a filter no value satisfies")
			}
			if got := errors.Is(f.Err(), store.ErrFilterTooCostly); got != c.over {
				t.Errorf("Err() = %v, want over the limit: %v", f.Err(), c.over)
			}
		})
	}
	// Once over, every later Match is false, even of a resource that matches.
	f, _ := compile(t, rt, `emails ew "zz"`)
	f.LimitWork(1)
	big, bigAttrs := withEmails(t, append(emails(store.WorkPerResource+5), "zz")...)
	if f.MatchDecoded(big, bigAttrs) || f.Err() == nil {
		t.Fatal("the first resource did not take the filter over its limit")
	}
	small, smallAttrs := withEmails(t, "zz")
	if f.MatchDecoded(small, smallAttrs) {
		t.Error("a filter over its limit kept matching")
	}
	// Unlimited, the same filter matches.
	f, _ = compile(t, rt, `emails ew "zz"`)
	if !f.MatchDecoded(small, smallAttrs) || f.Err() != nil {
		t.Error("an unlimited filter did not match")
	}
}

// Case-insensitive co/sw/ew fold ASCII letters only: '@' and '[' (beside
// 'A' and 'Z') stay as they are.
func TestContainsFoldsLettersOnly(t *testing.T) {
	rt := registry(t).ResourceType("User")
	r, attrs := withEmails(t, "@[AZ]")
	for f, want := range map[string]bool{
		`emails co "@[az]"`: true,
		`emails sw "@[a"`:   true,
		`emails ew "z]"`:    true,
		"emails co \"`\"":   false, // '@' lower-cased would be '`'
		`emails co "{"`:     false, // '[' lower-cased would be '{'
	} {
		c, err := compile(t, rt, f)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.MatchDecoded(r, attrs); got != want {
			t.Errorf("%s on @[AZ] = %v, want %v", f, got, want)
		}
	}
}

// pr, "eq null" and "ne null" over single and multi-valued attributes.
func TestPresenceAndNull(t *testing.T) {
	rt := registry(t).ResourceType("User")
	with, withAttrs := withEmails(t, "a@x")
	without, withoutAttrs := withEmails(t)
	for f, want := range map[string][2]bool{
		`emails pr`:       {true, false},
		`emails eq null`:  {false, true},
		`emails ne null`:  {true, false},
		`userName pr`:     {true, true},
		`title eq null`:   {true, true},
		`title ne null`:   {false, false},
		`not (emails pr)`: {false, true},
		`emails.value pr`: {true, false},
	} {
		c, err := compile(t, rt, f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if got := [2]bool{c.MatchDecoded(with, withAttrs), c.MatchDecoded(without, withoutAttrs)}; got != want {
			t.Errorf("%s on (an email, none) = %v, want %v", f, got, want)
		}
	}
	for _, bad := range []string{`userName[value eq "x"]`, `active[value eq "x"]`} {
		if _, err := compile(t, rt, bad); err == nil {
			t.Errorf("%s compiled: a value filter needs a multi-valued complex attribute", bad)
		}
	}
}
