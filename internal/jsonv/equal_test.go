package jsonv_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/internal/jsonv"
)

// equalRef is what Equal means: encoding/json's values, compared.
func equalRef(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	return deepEqual(x, y)
}

func deepEqual(x, y any) bool {
	switch x := x.(type) {
	case map[string]any:
		y, ok := y.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !deepEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := y.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !deepEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return x == y
}

func TestEqual(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		// The stored form of a document against the written one.
		{`{"name":{"givenName":"Jane","familyName":"Doe"},"emails":[{"value":"j@x","primary":true}]}`,
			`{"name": {"familyName": "Doe", "givenName": "Jane"}, "emails": [{"primary": true, "value": "j@x"}]}`, true},
		{`{"a":1}`, `{"a":1.0}`, true},
		{`{"a":1}`, `{"a":2}`, false},
		{`{"a":1}`, `{"a":1,"b":2}`, false},
		{`{"a":1,"b":2}`, `{"a":1}`, false},
		{`{"a":1,"a":2}`, `{"a":2}`, true}, // the last value counts
		{`{"a":1,"a":2}`, `{"a":1}`, false},
		{`[1,2]`, `[2,1]`, false},
		{`[1,2]`, `[1,2,3]`, false},
		{`[1,2,3]`, `[1,2]`, false},
		{`[]`, ` [ ] `, true},
		{`"\u00e9"`, `"é"`, true},
		{`"\u00e9"`, `"e"`, false},
		{`"a\/b"`, `"a/b"`, true},
		{"\"\xff\"", "\"\xfe\"", true}, // both invalid UTF-8: U+FFFD
		{`"1"`, `1`, false},
		{`true`, `true`, true},
		{`true`, `false`, false},
		{`null`, `null`, true},
		{`null`, `{}`, false},
		{`-0`, `0`, true},
		{`1e2`, `100`, true},
		{`1e400`, `1e400`, true}, // out of range: the same bytes
		{`1e400`, `2e400`, false},
		{`{"a":}`, `{"a":}`, true}, // malformed: the same bytes
		{`{"a":}`, `{"a": }`, false},
		{`{"a":1} x`, `{"a":1}`, false},
	} {
		if got := jsonv.Equal([]byte(c.a), []byte(c.b)); got != c.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := jsonv.Equal([]byte(c.b), []byte(c.a)); got != c.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", c.b, c.a, got, c.want)
		}
		if ref := equalRef([]byte(c.a), []byte(c.b)); ref != c.want {
			t.Errorf("the reference says %v for %s, %s", ref, c.a, c.b)
		}
	}
}

// TestEqualLargeObjectsAreLinear: objects with many members are looked
// up by key, not one by one (a quadratic search would take seconds).
func TestEqualLargeObjects(t *testing.T) {
	var a, b strings.Builder
	a.WriteString("{")
	b.WriteString("{")
	const n = 50000
	for i := range n {
		if i > 0 {
			a.WriteString(",")
			b.WriteString(",")
		}
		fmt.Fprintf(&a, `"k%d":%d`, i, i)
		fmt.Fprintf(&b, `"k%d":%d`, n-1-i, n-1-i)
	}
	a.WriteString("}")
	b.WriteString("}")
	if !jsonv.Equal([]byte(a.String()), []byte(b.String())) {
		t.Error("the same members in reverse order: not equal")
	}
}

func FuzzEqual(f *testing.F) {
	for _, s := range [][2]string{
		{`{"a":1,"b":[1,2]}`, `{"b": [1, 2], "a": 1.0}`},
		{`{"a":1,"a":2}`, `{"a":2}`},
		{`"\u00e9"`, `"é"`},
		{`[{"x":null}]`, `[{"x":false}]`},
	} {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		if !json.Valid(a) || !json.Valid(b) {
			jsonv.Equal(a, b) // must not panic
			return
		}
		if got, want := jsonv.Equal(a, b), equalRef(a, b); got != want {
			t.Errorf("Equal(%q, %q) = %v, encoding/json says %v", a, b, got, want)
		}
	})
}
