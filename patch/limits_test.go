package patch_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/patch"
)

// applyJSON runs a PATCH body through Parse, Normalize and Apply on the
// attributes start.
func applyJSON(t *testing.T, rtName, start, body string, lim patch.Limits) (map[string]any, bool, error) {
	t.Helper()
	rt := resourceType(t, rtName)
	req, err := patch.Parse(decodeObject(t, body))
	if err != nil {
		t.Fatal(err)
	}
	norm, _, err := patch.Normalize(req, rt, patch.Compat{})
	if err != nil {
		t.Fatal(err)
	}
	attrs := decodeObject(t, start)
	changed, err := patch.Apply(attrs, norm.Operations, rt, patch.Compat{}, lim)
	return attrs, changed, err
}

func opsBody(ops ...string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`
}

// MaxWork is exact: a PATCH that examines exactly that many elements
// passes, one more is refused with ErrTooMuchWork, whether a scan or an
// index finds the elements.
func TestMaxWorkIsExact(t *testing.T) {
	three := `{"userName":"u","emails":[{"value":"a@x","type":"work"},{"value":"b@x","type":"home"},{"value":"c@x"}]}`
	scan := opsBody(`{"op":"remove","path":"emails[type eq \"other\"]"}`) // examines 3
	if _, _, err := applyJSON(t, "User", three, scan, patch.Limits{MaxWork: 3}); err != nil {
		t.Errorf("3 elements with MaxWork 3: %v", err)
	}
	if _, _, err := applyJSON(t, "User", three, scan, patch.Limits{MaxWork: 2}); !errors.Is(err, patch.ErrTooMuchWork) {
		t.Errorf("3 elements with MaxWork 2: %v, want ErrTooMuchWork", err)
	}

	// 40 emails: an index is built (40), then each lookup costs 1 plus its
	// candidates (here 2 holding "dup@x").
	var emails []string
	for i := range 38 {
		emails = append(emails, fmt.Sprintf(`{"value":"e%d@x"}`, i))
	}
	emails = append(emails, `{"value":"dup@x","type":"work"}`, `{"value":"DUP@x","type":"home"}`)
	forty := `{"userName":"u","emails":[` + strings.Join(emails, ",") + `]}`
	indexed := opsBody(`{"op":"add","path":"emails[value eq \"dup@x\"].display","value":"d"}`) // 40 + 1 + 2
	got, _, err := applyJSON(t, "User", forty, indexed, patch.Limits{MaxWork: 43})
	if err != nil {
		t.Fatalf("indexed lookup with MaxWork 43: %v", err)
	}
	n := 0
	for _, e := range got["emails"].([]any) {
		if e.(map[string]any)["display"] == "d" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d emails got the display, want the 2 that equal dup@x case-insensitively", n)
	}
	if _, _, err := applyJSON(t, "User", forty, indexed, patch.Limits{MaxWork: 42}); !errors.Is(err, patch.ErrTooMuchWork) {
		t.Errorf("indexed lookup with MaxWork 42: %v, want ErrTooMuchWork", err)
	}
}

// A sub-attribute set without a filter reaches every element, and creates
// the one element when there is none.
func TestSubAttributeOfEveryElement(t *testing.T) {
	got, _, err := applyJSON(t, "User", `{"userName":"u","emails":[{"value":"a@x"},{"value":"b@x"}]}`,
		opsBody(`{"op":"replace","path":"emails.type","value":"work"}`), patch.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{map[string]any{"value": "a@x", "type": "work"}, map[string]any{"value": "b@x", "type": "work"}}
	if diff := cmp.Diff(want, got["emails"]); diff != "" {
		t.Errorf("emails.type on two emails (-want +got):\n%s", diff)
	}
	got, _, err = applyJSON(t, "User", `{"userName":"u"}`, opsBody(`{"op":"add","path":"emails.type","value":"work"}`), patch.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{map[string]any{"type": "work"}}, got["emails"]); diff != "" {
		t.Errorf("emails.type on no emails (-want +got):\n%s", diff)
	}
	// primary true on every element is refused only when there are several.
	got, _, err = applyJSON(t, "User", `{"userName":"u","emails":[{"value":"a@x"}]}`, opsBody(`{"op":"replace","path":"emails.primary","value":true}`), patch.Limits{})
	if err != nil || got["emails"].([]any)[0].(map[string]any)["primary"] != true {
		t.Errorf("emails.primary true on one email: %v, %v", got["emails"], err)
	}
	if _, _, err := applyJSON(t, "User", `{"userName":"u","emails":[{"value":"a@x"},{"value":"b@x"}]}`, opsBody(`{"op":"replace","path":"emails.primary","value":true}`), patch.Limits{}); err == nil {
		t.Error("emails.primary true on two emails was accepted: two primaries")
	}
}

// A value-filter operation validates its value like any other.
func TestValueFilterValuesValidated(t *testing.T) {
	start := `{"userName":"u","emails":[{"value":"a@x","type":"work"}]}`
	for _, op := range []string{
		`{"op":"replace","path":"emails[type eq \"work\"].primary","value":"perhaps"}`,
		`{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"b@x","primary":"perhaps"}}`,
		`{"op":"add","path":"emails[type eq \"home\"].primary","value":{"x":1}}`,
	} {
		_, _, err := applyJSON(t, "User", start, opsBody(op), patch.Limits{})
		var pe *patch.Error
		if !errors.As(err, &pe) || pe.ScimType != "invalidValue" {
			t.Errorf("%s: %v, want invalidValue", op, err)
		}
	}
}

// An index follows every way the elements change between value-filter
// operations: a sub-attribute set on every element, a whole replacement
// of the attribute with as many elements, a remove without a filter.
func TestValueFilterIndexFollowsOtherOperations(t *testing.T) {
	var emails, others []string
	for i := range 40 {
		emails = append(emails, fmt.Sprintf(`{"value":"e%d@x"}`, i))
		others = append(others, fmt.Sprintf(`{"value":"o%d@x"}`, i))
	}
	start := `{"userName":"u","emails":[` + strings.Join(emails, ",") + `]}`
	for name, middle := range map[string]string{
		"sub on every element":  `{"op":"replace","path":"emails.value","value":"o7@x"}`,
		"whole replacement":     `{"op":"replace","path":"emails","value":[` + strings.Join(others, ",") + `]}`,
		"path-less replacement": `{"op":"replace","value":{"emails":[` + strings.Join(others, ",") + `]}}`,
	} {
		body := opsBody(
			`{"op":"add","path":"emails[value eq \"e1@x\"].type","value":"work"}`, // builds the index
			middle,
			`{"op":"add","path":"emails[value eq \"o7@x\"].display","value":"found"}`,
		)
		got, _, err := applyJSON(t, "User", start, body, patch.Limits{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		found := 0
		for _, e := range got["emails"].([]any) {
			if m := e.(map[string]any); m["display"] == "found" {
				found++
				if m["value"] != "o7@x" {
					t.Errorf("%s: the display landed on %v", name, m)
				}
			}
		}
		if found == 0 || len(got["emails"].([]any)) != 40 {
			t.Errorf("%s: %d emails found by the filter after the change, %d emails; want the existing ones found, none created", name, found, len(got["emails"].([]any)))
		}
	}
}

// An index is built once and kept up to date across value-filter
// operations: 100 operations that each create an email cost one pass
// over the 40 emails plus about one unit each, not a pass each.
func TestValueFilterIndexBuiltOnce(t *testing.T) {
	var emails []string
	for i := range 40 {
		emails = append(emails, fmt.Sprintf(`{"value":"e%d@x"}`, i))
	}
	start := `{"userName":"u","emails":[` + strings.Join(emails, ",") + `]}`
	ops := make([]string, 100)
	for i := range ops {
		ops[i] = fmt.Sprintf(`{"op":"add","path":"emails[value eq \"n%d@x\"].type","value":"home"}`, i)
	}
	got, _, err := applyJSON(t, "User", start, opsBody(ops...), patch.Limits{MaxWork: 40 + 100 + 10})
	if err != nil {
		t.Fatalf("100 indexed creates: %v", err)
	}
	if n := len(got["emails"].([]any)); n != 140 {
		t.Errorf("%d emails, want 140", n)
	}
}

// A PATCH whose path is an extension's URN acts on the extension as a
// whole: add and replace merge the value's attributes into it, remove
// clears it. Strict RFC mode refuses the path (it is no attribute path).
func TestExtensionURNAsPath(t *testing.T) {
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	start := `{"userName":"u","` + ent + `":{"department":"Sales","costCenter":"1"}}`
	for _, c := range []struct {
		op   string
		want map[string]any
	}{
		{`{"op":"add","path":"` + ent + `","value":{"department":"Ops","division":"D"}}`,
			map[string]any{"department": "Ops", "costCenter": "1", "division": "D"}},
		{`{"op":"Replace","path":"` + ent + `","value":{"employeeNumber":"7"}}`,
			map[string]any{"department": "Sales", "costCenter": "1", "employeeNumber": "7"}},
		{`{"op":"remove","path":"` + ent + `"}`, nil},
	} {
		got, changed, err := applyJSON(t, "User", start, opsBody(c.op), patch.Limits{})
		if err != nil || !changed {
			t.Fatalf("%s: changed %v, %v", c.op, changed, err)
		}
		if c.want == nil {
			if _, ok := got[ent]; ok {
				t.Errorf("%s: the extension is still there: %v", c.op, got)
			}
			continue
		}
		if diff := cmp.Diff(c.want, got[ent]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.op, diff)
		}
	}
	rt := resourceType(t, "User")
	req, _ := patch.Parse(decodeObject(t, opsBody(`{"op":"add","path":"`+ent+`","value":{"department":"Ops"}}`)))
	_, _, err := patch.Normalize(req, rt, patch.Compat{Strict: true})
	var pe *patch.Error
	if !errors.As(err, &pe) || pe.ScimType != "invalidPath" {
		t.Errorf("strict: %v, want invalidPath", err)
	}
	if _, _, err := applyJSON(t, "User", start, opsBody(`{"op":"remove","path":"urn:ietf:params:scim:schemas:core:2.0:User"}`), patch.Limits{}); !errors.As(err, &pe) || pe.ScimType != "invalidPath" {
		t.Errorf("remove of the core schema: %v, want invalidPath", err)
	}
}
