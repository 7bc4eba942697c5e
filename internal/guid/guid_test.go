package guid_test

import (
	"testing"

	"github.com/scimkit/scimkit/internal/guid"
)

func TestGUID(t *testing.T) {
	for _, c := range []struct {
		s            string
		valid, lower bool
	}{
		{"72f988bf-86f1-41af-91ab-2d7cd011db47", true, true},
		{"72F988BF-86F1-41AF-91AB-2D7CD011DB47", true, false},
		{"72f988bf-86f1-41af-91ab-2d7cd011db4", false, false},   // one short
		{"72f988bf-86f1-41af-91ab-2d7cd011db477", false, false}, // one long
		{"72f988bf086f1-41af-91ab-2d7cd011db47", false, false},  // no dash
		{"72f988bf-86f1-41af-91ab-2d7cd011dbg7", false, false},  // not hex
		{"72f988bf-86f1-41af-91ab-2d7cd011db4G", false, false},
		{"/2f988bf-86f1-41af-91ab-2d7cd011db47", false, false}, // before '0'
		{":2f988bf-86f1-41af-91ab-2d7cd011db47", false, false}, // after '9'
		{"`2f988bf-86f1-41af-91ab-2d7cd011db47", false, false}, // before 'a'
		{"@2f988bf-86f1-41af-91ab-2d7cd011db47", false, false}, // before 'A'
		{"", false, false},
	} {
		if got := guid.Valid(c.s); got != c.valid {
			t.Errorf("Valid(%q) = %v, want %v", c.s, got, c.valid)
		}
		if got := guid.Lower(c.s); got != c.lower {
			t.Errorf("Lower(%q) = %v, want %v", c.s, got, c.lower)
		}
	}
}
