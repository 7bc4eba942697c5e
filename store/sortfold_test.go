package store

import "testing"

// SortFold lowers ASCII letters, A and Z included, and nothing else: the
// characters around them, and non-ASCII letters, stay as they are.
func TestSortFold(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "",
		"already lower":      "already lower",
		"AZ":                 "az",
		"@A[`Z{":             "@a[`z{",
		"ÉCOLE Zoë":          "École zoë",
		"\u212aELVIN İNAN":   "\u212aelvin İnan",
		"mixed ZZZ then aaa": "mixed zzz then aaa",
	} {
		if got := SortFold(in); got != want {
			t.Errorf("SortFold(%q) = %q, want %q", in, got, want)
		}
	}
}
