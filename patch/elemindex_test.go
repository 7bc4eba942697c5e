package patch_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/patch"
)

// Random sequences of value-filter operations (creating, changing,
// clearing and removing emails, with values that collide across case)
// give the same result with the value-filter indexes as with a scan of
// every element.
func TestValueFilterIndexesAgreeWithScan(t *testing.T) {
	rt := resourceType(t, "User")
	rng := rand.New(rand.NewPCG(1, 2))
	val := func() string {
		v := fmt.Sprintf("v%d@x.example", rng.IntN(12))
		if rng.IntN(3) == 0 {
			v = strings.ToUpper(v)
		}
		return v
	}
	typ := func() string { return []string{"work", "home", "other"}[rng.IntN(3)] }
	filter := func() string {
		switch rng.IntN(4) {
		case 0:
			return fmt.Sprintf(`emails[type eq \"%s\" and value eq \"%s\"]`, typ(), val())
		case 1:
			return fmt.Sprintf(`emails[type eq \"%s\"]`, typ())
		default:
			return fmt.Sprintf(`emails[value eq \"%s\"]`, val())
		}
	}
	op := func() string {
		switch rng.IntN(9) {
		case 0:
			return fmt.Sprintf(`{"op":"add","path":"%s.display","value":"d%d"}`, filter(), rng.IntN(3))
		case 1:
			return fmt.Sprintf(`{"op":"replace","path":"%s.value","value":"%s"}`, filter(), val())
		case 2:
			return fmt.Sprintf(`{"op":"replace","path":"%s","value":{"value":"%s","type":"%s"}}`, filter(), val(), typ())
		case 3:
			return fmt.Sprintf(`{"op":"add","path":"%s.primary","value":true}`, filter())
		case 4:
			return fmt.Sprintf(`{"op":"replace","path":"%s.type","value":""}`, filter())
		case 5:
			return fmt.Sprintf(`{"op":"remove","path":"%s"}`, filter())
		case 6:
			return fmt.Sprintf(`{"op":"add","path":"emails","value":[{"value":"%s","type":"%s"}]}`, val(), typ())
		case 7:
			return fmt.Sprintf(`{"op":"replace","path":"%s","value":""}`, filter())
		}
		return fmt.Sprintf(`{"op":"add","path":"%s.type","value":"%s"}`, filter(), typ())
	}
	// Enough emails that the indexes are used (a few are scanned instead).
	var emails []string
	for i := range 40 {
		emails = append(emails, fmt.Sprintf(`{"value":"v%d@x.example","type":"work"}`, i%9))
	}
	emails = append(emails, `{"value":"V2@X.EXAMPLE","type":"home","primary":true}`)
	startEmails := `{"userName":"u","emails":[` + strings.Join(emails, ",") + `]}`
	for n := range 1500 {
		ops := make([]string, 1+rng.IntN(12))
		for i := range ops {
			ops[i] = op()
		}
		body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`
		req, err := patch.Parse(decodeObject(t, body))
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		for _, c := range []patch.Compat{{}, {Strict: true}} {
			norm, _, err := patch.Normalize(req, rt, c)
			if err != nil {
				continue
			}
			start := startEmails
			a, b := decodeObject(t, start), decodeObject(t, start)
			ca, ea := patch.Apply(a, norm.Operations, rt, c, patch.Limits{})
			cb, eb := patch.ApplyScanning(b, norm.Operations, rt, c, patch.Limits{})
			if ca != cb || (ea == nil) != (eb == nil) {
				t.Fatalf("sequence %d strict=%v: indexed (%v, %v), scanning (%v, %v)\n%s", n, c.Strict, ca, ea, cb, eb, body)
			}
			if diff := cmp.Diff(b, a); diff != "" {
				t.Fatalf("sequence %d strict=%v: indexed result differs (-scanning +indexed):\n%s\n%s", n, c.Strict, diff, body)
			}
		}
	}
}
