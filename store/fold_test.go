package store

import (
	"strings"
	"testing"
)

func FuzzFoldKeyAgreesWithEqualFold(f *testing.F) {
	for _, p := range [][2]string{{"Kelvin", "\u212aelvin"}, {"ΝΙΚΌΛΑΣ", "Νικόλας"}, {"İnan", "inan"}, {"straße", "STRASSE"}, {"ſ", "S"}, {"a", "b"}} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if (FoldKey(a) == FoldKey(b)) != strings.EqualFold(a, b) {
			t.Fatalf("FoldKey(%q) = %q, FoldKey(%q) = %q, EqualFold = %v", a, FoldKey(a), b, FoldKey(b), strings.EqualFold(a, b))
		}
	})
}
