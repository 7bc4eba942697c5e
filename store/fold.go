package store

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// FoldKey returns the key under which s is unique case-insensitively:
// FoldKey(a) == FoldKey(b) exactly when strings.EqualFold(a, b), the
// comparison a filter's "eq" makes for userName and displayName. Stores
// index and enforce uniqueness on it (strings.ToLower is not the same:
// it treats "ΝΙΚΌΛΑΣ" and "Νικόλας", or "İnan" and "inan", differently).
func FoldKey(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		// The smallest rune of an ASCII letter's orbit is its upper case
		// ('K' < 'k' < U+212A KELVIN SIGN).
		return strings.ToUpper(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(minFold(r))
	}
	return b.String()
}

// minFold is the smallest rune in r's simple case-folding orbit.
func minFold(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < m {
			m = f
		}
	}
	return m
}
