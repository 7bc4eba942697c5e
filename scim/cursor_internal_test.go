package scim

import (
	"errors"
	"testing"

	"github.com/scimkit/scimkit/store"
)

func TestSearchCursorRoundTrip(t *testing.T) {
	for _, c := range []searchCursor{
		{"User", "AQID"},
		{"Group", "x"},
		{"Device", "a-very_long-cursor-of-the-store-" + string(make([]byte, 300))},
	} {
		s := c.encode()
		if !base64URL(s) {
			t.Errorf("%+v encodes as %q, outside base64url", c, s)
		}
		got, err := decodeSearchCursor(s)
		if err != nil || got != c {
			t.Errorf("decodeSearchCursor(%q) = %+v, %v; want %+v", s, got, err, c)
		}
	}
	for _, s := range []string{"", "A", "AQ", "AQA", "AgFVQQ", "AQFV", "not a cursor", "AQFVQQ\n", searchCursor{"User", "x"}.encode() + "="} {
		if _, err := decodeSearchCursor(s); !errors.Is(err, store.ErrInvalidCursor) {
			t.Errorf("decodeSearchCursor(%q) = %v, want ErrInvalidCursor", s, err)
		}
	}
}

// FuzzDecodeSearchCursor: the cursor of a search across resource types
// never panics, is refused with store.ErrInvalidCursor, or encodes back to
// exactly what was read.
func FuzzDecodeSearchCursor(f *testing.F) {
	f.Add(searchCursor{"User", "AQID"}.encode())
	f.Add(searchCursor{"Group", "x"}.encode())
	f.Add("AQFV")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeSearchCursor(s)
		if err != nil {
			if !errors.Is(err, store.ErrInvalidCursor) {
				t.Fatalf("decodeSearchCursor(%q): %v, not ErrInvalidCursor", s, err)
			}
			return
		}
		if again := c.encode(); again != s {
			t.Fatalf("decodeSearchCursor(%q) = %+v, which encodes as %q", s, c, again)
		}
	})
}
