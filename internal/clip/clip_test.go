package clip_test

import (
	"testing"

	"github.com/scimkit/scimkit/internal/clip"
)

func TestString(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"", 0, ""},
		{"ééé", 4, "éé…"}, // 6 bytes: cut at a rune boundary
		{"ééé", 3, "é…"},  // byte 3 is inside the second é
		{"ééé", 6, "ééé"}, // exactly n bytes
	} {
		if got := clip.String(c.in, c.n); got != c.want {
			t.Errorf("String(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
