package jsonv

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func stdDecode(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("trailing data")
	}
	return v, nil
}

var seeds = []string{
	`{"a":1,"b":[true,false,null],"c":{"d":"e"}}`,
	`"\u00e9\ud83d\ude00\ud800x\\\"\/\b\f\n\r\t"`,
	`-0.5e+10`, `0`, `[]`, `{}`, `  [1, 2 ,3 ] `,
	`{"userName":"jdoe@contoso.com","active":"True","emails":[{"value":"x","primary":true}]}`,
	`{"a":1,"a":2}`, "\"\xff\xfe\"", `01`, `1.`, `.5`, `[1,]`, `{"a" 1}`, `nul`, `"abc`, `[` + strings.Repeat("[", 600),
	`"\ud800\u0041"`, `"\udc00"`, `1e5x`, `{"a":1}{}`,
}

func TestDecodeMatchesEncodingJSON(t *testing.T) {
	for _, s := range seeds {
		checkSame(t, []byte(s))
	}
}

func checkSame(t *testing.T, data []byte) {
	t.Helper()
	got, err := Decode(data)
	want, wantErr := stdDecode(data)
	if (err != nil) != (wantErr != nil) {
		// encoding/json allows nesting beyond our MaxDepth.
		var se *SyntaxError
		if errors.As(err, &se) && strings.Contains(se.Msg, "nested too deeply") {
			return
		}
		t.Fatalf("%q: err = %v, encoding/json err = %v", data, err, wantErr)
	}
	if err != nil {
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(data) {
			t.Fatalf("%q: error %v is not a *SyntaxError with a valid offset", data, err)
		}
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%q: differs from encoding/json (-want +got):\n%s", data, diff)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSame(t, data)
		checkMembers(t, data)
	})
}

// checkMembers holds EachMember to Decode: on a valid object it yields
// each member, in order, with spans that decode to Decode's values and
// that copied back together give the same object.
func checkMembers(t *testing.T, data []byte) {
	full, err := Decode(data)
	m, isObj := full.(map[string]any)
	if err != nil || !isObj {
		return
	}
	rebuilt := []byte{'{'}
	seen := map[string]any{}
	err = EachMember(data, func(key string, keyStart, valueStart, valueEnd int) error {
		if len(rebuilt) > 1 {
			rebuilt = append(rebuilt, ',')
		}
		rebuilt = append(rebuilt, data[keyStart:valueEnd]...)
		v, err := Decode(data[valueStart:valueEnd])
		if err != nil {
			t.Fatalf("%q: member %q value span %q: %v", data, key, data[valueStart:valueEnd], err)
		}
		seen[key] = v
		return nil
	})
	if err != nil {
		t.Fatalf("%q: EachMember: %v", data, err)
	}
	if diff := cmp.Diff(m, seen); diff != "" {
		t.Fatalf("%q: EachMember's members differ from Decode (-Decode +EachMember):\n%s", data, diff)
	}
	again, err := Decode(append(rebuilt, '}'))
	if err != nil || !cmp.Equal(full, again) {
		t.Fatalf("%q: the member spans copied together give %q (%v)", data, rebuilt, err)
	}
}

func TestEachMember(t *testing.T) {
	for _, s := range seeds {
		checkMembers(t, []byte(s))
	}
	checkMembers(t, []byte(` { "a" : [1, {"b": "}"}] , "c":"\"," } `))
	stop := errors.New("stop")
	n := 0
	if err := EachMember([]byte(`{"a":1,"b":2}`), func(string, int, int, int) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("an error from fn: %v after %d calls, want it at once", err, n)
	}
	for _, bad := range []string{`[1]`, `{"a":1`, `{"a" 1}`, `{"a":1}x`, `{1:2}`} {
		if err := EachMember([]byte(bad), func(string, int, int, int) error { return nil }); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func BenchmarkDecodeEntraUser(b *testing.B) {
	data := []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"jdoe","userName":"jdoe@contoso.com","active":true,"displayName":"Jane Doe","title":"Engineer","preferredLanguage":"en-US","emails":[{"primary":true,"type":"work","value":"jdoe@contoso.com"}],"name":{"formatted":"Jane Doe","familyName":"Doe","givenName":"Jane"},"addresses":[{"type":"work","streetAddress":"1 Main St","locality":"Redmond","region":"WA","postalCode":"98052","country":"US","formatted":"Bldg 1","primary":false}],"phoneNumbers":[{"type":"work","value":"+1 425 555 0100"},{"type":"mobile","value":"+1 425 555 0101"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","department":"Tour Operations"},"meta":{"resourceType":"User"},"roles":[]}`)
	b.Run("jsonv", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := stdDecode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestDecodeTop(t *testing.T) {
	for _, s := range seeds {
		full, err := Decode([]byte(s))
		m, isObj := full.(map[string]any)
		top, err2 := DecodeTop([]byte(s))
		if err != nil || !isObj {
			if err2 == nil && err != nil {
				t.Errorf("%q: DecodeTop accepted what Decode rejects (%v)", s, err)
			}
			continue
		}
		if err2 != nil {
			t.Fatalf("%q: DecodeTop: %v", s, err2)
		}
		for k, v := range top {
			got, err := Lazy(v)
			if err != nil {
				t.Fatalf("%q: Lazy(%s): %v", s, k, err)
			}
			if diff := cmp.Diff(m[k], got); diff != "" {
				t.Errorf("%q: member %s (-Decode +DecodeTop):\n%s", s, k, diff)
			}
		}
		if len(top) != len(m) {
			t.Errorf("%q: %d members, Decode has %d", s, len(top), len(m))
		}
	}
}
