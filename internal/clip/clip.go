// Package clip cuts text a request sent before it goes into a log line or
// an error, so that a request cannot write a line of its own size.
package clip

import "unicode/utf8"

// String returns s when it has at most n bytes, else its first n bytes
// (fewer, to end on a rune boundary) followed by "…".
func String(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
