package patch_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
)

// Entra's default format disables a user with a capitalised op and a
// string boolean; Normalize says so, and Apply stores a real boolean.
func ExampleNormalize() {
	d := json.NewDecoder(strings.NewReader(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	  "Operations":[{"op":"Replace","path":"active","value":"False"}]}`))
	d.UseNumber() // numbers as json.Number, as Apply expects
	var body map[string]any
	if err := d.Decode(&body); err != nil {
		fmt.Println(err)
		return
	}
	rt := schema.NewRegistry().ResourceType("User")

	req, err := patch.Parse(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	req, rewrites, err := patch.Normalize(req, rt, patch.Compat{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rewrites {
		fmt.Println(r)
	}
	user := map[string]any{"userName": "bjensen", "active": true}
	changed, err := patch.Apply(user, req.Operations, rt, patch.Compat{}, patch.Limits{})
	fmt.Println(changed, err, user["active"])
	// Output:
	// op 0 op-case: "Replace" → "replace"
	// op 0 string-boolean: "False" → false
	// true <nil> false
}
