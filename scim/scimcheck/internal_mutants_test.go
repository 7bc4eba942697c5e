package scimcheck

import "testing"

func TestUpperASCII(t *testing.T) {
	for in, want := range map[string]string{"az-AZ09": "AZ-AZ09", "abcxyz": "ABCXYZ", "`{é": "`{é"} {
		if got := upperASCII(in); got != want {
			t.Errorf("upperASCII(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{{"abc", 3, "abc"}, {"abcd", 3, "abc…"}, {" ab ", 2, "ab"}} {
		if got := excerpt(tc.s, tc.n); got != tc.want {
			t.Errorf("excerpt(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
