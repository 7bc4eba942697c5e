package entramix

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFloorMerge(t *testing.T) {
	var p patchOp
	if err := json.Unmarshal(patchBody(nil, 7), &p); err != nil {
		t.Fatal(err)
	}
	more := `{"Operations":[
		{"op":"Replace","path":"active","value":"False"},
		{"op":"replace","value":{"nickName":"Babs","name":{"givenName":"B"}}},
		{"op":"Remove","path":"title"},
		{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"42"}]}`
	var q patchOp
	if err := json.Unmarshal([]byte(more), &q); err != nil {
		t.Fatal(err)
	}
	p.Operations = append(p.Operations, q.Operations...)
	want := map[string]any{
		"displayName": "Updated User 7",
		"title":       "Senior Engineer",
		"emails":      []any{map[string]any{"type": "work", "value": "updated.7@contoso.com"}},
		"name":        map[string]any{"givenName": "B"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"department": "Department 7", "employeeNumber": "42"},
		"active":   false,
		"nickName": "Babs",
	}
	if diff := cmp.Diff(want, p.merge()); diff != "" {
		t.Errorf("merge (-want +got):\n%s", diff)
	}
}
