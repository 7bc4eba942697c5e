package scim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A user's manager carries the manager's displayName. Setting a new
// manager, in any of the forms Entra and other clients send, shows the new
// manager's displayName (or none, for an id that is no user of the
// tenant) in the response and in a later GET, never the old manager's;
// removing the manager removes its displayName with it.
func TestNewManagerReplacesDisplayName(t *testing.T) {
	const mgrPath = enterpriseURN + ":manager"
	patchSet := func(op string) func(id string) (string, string) {
		return func(id string) (string, string) {
			return http.MethodPatch, patchBody(fmt.Sprintf(op, id))
		}
	}
	for _, tc := range []struct {
		name   string
		set    func(id string) (method, body string)
		remove []string // PATCH operations that remove the manager
	}{
		{"Entra Replace with a bare id", patchSet(`{"op":"Replace","path":"` + mgrPath + `","value":%q}`),
			[]string{`{"op":"Remove","path":"` + mgrPath + `"}`}},
		{"Entra Add with a bare id", patchSet(`{"op":"Add","path":"` + mgrPath + `","value":%q}`),
			[]string{`{"op":"Replace","path":"` + mgrPath + `","value":""}`}},
		{"replace with an object", patchSet(`{"op":"replace","path":"` + mgrPath + `","value":{"value":%q}}`),
			[]string{`{"op":"remove","path":"` + mgrPath + `.value"}`}},
		{"add with an object", patchSet(`{"op":"add","path":"` + mgrPath + `","value":{"value":%q}}`),
			[]string{`{"op":"remove","path":"manager"}`}},
		{"unqualified path manager", patchSet(`{"op":"replace","path":"manager","value":%q}`),
			[]string{`{"op":"replace","path":"manager","value":null}`}},
		{"path-less with the URN key", patchSet(`{"op":"replace","value":{"` + mgrPath + `":%q}}`),
			[]string{`{"op":"remove","path":"` + mgrPath + `"}`}},
		{"path-less with the extension object", patchSet(`{"op":"add","value":{"` + enterpriseURN + `":{"manager":{"value":%q}}}}`),
			[]string{`{"op":"remove","path":"` + mgrPath + `"}`}},
		{"PUT", func(id string) (string, string) {
			return http.MethodPut, fmt.Sprintf(`{"schemas":[%q,%q],"userName":"c@example.com","displayName":"Carol",%q:{"manager":%q,"department":"D"}}`,
				userURN, enterpriseURN, enterpriseURN, id)
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t)
			a := createUser(t, h, `{"userName":"a@example.com","displayName":"Alice Anders"}`)
			b := createUser(t, h, `{"userName":"b@example.com","displayName":"Bob Brown"}`)
			c := createUser(t, h, fmt.Sprintf(`{"schemas":[%q,%q],"userName":"c@example.com","displayName":"Carol",%q:{"department":"D"}}`,
				userURN, enterpriseURN, enterpriseURN))

			// set sets c's manager to id and checks the response and a GET:
			// manager.value is id, manager.displayName is display ("" for
			// none), and no other manager's displayName is anywhere.
			set := func(id, display string, stale ...string) {
				t.Helper()
				method, body := tc.set(id)
				r := do(t, h, method, "/Users/"+c, body)
				wantStatus(t, r, http.StatusOK, method+" manager "+id)
				for _, res := range []result{r, do(t, h, http.MethodGet, "/Users/"+c, "")} {
					ext, _ := res.body[enterpriseURN].(map[string]any)
					m, _ := ext["manager"].(map[string]any)
					if str(m, "value") != id || str(m, "displayName") != display {
						t.Errorf("after setting manager %s: manager = %v, want value %q and displayName %q", id, m, id, display)
					}
					if _, has := m["displayName"]; display == "" && has {
						t.Errorf("after setting manager %s (no user): manager = %v, want no displayName", id, m)
					}
					for _, s := range stale {
						if strings.Contains(res.raw, s) {
							t.Errorf("after setting manager %s: the old manager's %q is still in %s", id, s, res.raw)
						}
					}
				}
			}
			set(a, "Alice Anders")
			set(b, "Bob Brown", "Alice Anders", a)
			set("no-such-user", "", "Bob Brown", b)
			set(a, "Alice Anders", "Bob Brown", b)

			// Removing the manager removes the displayName with it.
			rm := tc.remove
			if rm == nil {
				body := fmt.Sprintf(`{"schemas":[%q,%q],"userName":"c@example.com","displayName":"Carol",%q:{"department":"D"}}`, userURN, enterpriseURN, enterpriseURN)
				wantStatus(t, do(t, h, http.MethodPut, "/Users/"+c, body), http.StatusOK, "PUT without a manager")
			} else {
				patchOK(t, h, "/Users/"+c, patchBody(rm...))
			}
			g := do(t, h, http.MethodGet, "/Users/"+c, "")
			ext, _ := g.body[enterpriseURN].(map[string]any)
			if m, has := ext["manager"]; has || strings.Contains(g.raw, "Alice Anders") || strings.Contains(g.raw, a) {
				t.Errorf("after removing the manager: manager = %v; body %s", m, g.raw)
			}
			if ext["department"] != "D" {
				t.Errorf("removing the manager lost the department: %s", g.raw)
			}
		})
	}
}

// Removing manager.value, or the whole manager, from a user whose only
// enterprise attribute is the manager leaves no manager, no displayName,
// and no enterprise extension in schemas.
func TestRemoveOnlyManager(t *testing.T) {
	for _, path := range []string{enterpriseURN + ":manager", enterpriseURN + ":manager.value", "manager.value"} {
		t.Run(path, func(t *testing.T) {
			h := newHandler(t)
			a := createUser(t, h, `{"userName":"a@example.com","displayName":"Alice Anders"}`)
			c := createUser(t, h, fmt.Sprintf(`{"userName":"c@example.com",%q:{"manager":%q}}`, enterpriseURN, a))
			if g := do(t, h, http.MethodGet, "/Users/"+c, ""); !strings.Contains(g.raw, "Alice Anders") {
				t.Fatalf("manager set on POST has no displayName: %s", g.raw)
			}
			patchOK(t, h, "/Users/"+c, patchBody(`{"op":"remove","path":"`+path+`"}`))
			g := do(t, h, http.MethodGet, "/Users/"+c, "")
			if _, has := g.body[enterpriseURN]; has || containsString(list(g.body, "schemas"), enterpriseURN) || strings.Contains(g.raw, "Alice Anders") {
				t.Errorf("after removing %s: %s", path, g.raw)
			}
		})
	}
}
