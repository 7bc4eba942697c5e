package scimcheck

import "testing"

func TestUpperASCII(t *testing.T) {
	for in, want := range map[string]string{"az-AZ09": "AZ-AZ09", "abcxyz": "ABCXYZ", "`{é": "`{é"} {
		if got := upperASCII(in); got != want {
			t.Errorf("upperASCII(%q) = %q, want %q", in, got, want)
		}
	}
}
