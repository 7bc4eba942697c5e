package scim_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/internal/teststore"
	"github.com/scimkit/scimkit/scim"
)

// TestAwkwardButValidInput: values longer than a btree entry allows, and
// ids or filter values no column can hold, get the answers any other
// value gets, on every store — never a database error.
func TestAwkwardButValidInput(t *testing.T) {
	long := func(c string) string { return strings.Repeat(c, 3000) + "@example.com" }
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			h := newHandler(t, func(c *scim.Config) { c.Store = kind.New(t) })
			name, ext, group := long("a"), long("x"), long("g")
			r := do(t, h, http.MethodPost, "/Users", fmt.Sprintf(`{"schemas":[%q],"userName":%q,"externalId":%q}`, userURN, name, ext))
			if r.status != http.StatusCreated {
				t.Fatalf("POST a 3 KB userName: %d %.300s", r.status, r.raw)
			}
			id := str(r.body, "id")
			if r := do(t, h, http.MethodPost, "/Users", fmt.Sprintf(`{"schemas":[%q],"userName":%q}`, userURN, strings.ToUpper(name))); r.status != http.StatusConflict {
				t.Errorf("POST the same long userName in upper case: %d, want 409", r.status)
			}
			for _, f := range []string{
				fmt.Sprintf(`userName eq %q`, strings.ToUpper(name)),
				fmt.Sprintf(`externalId eq %q`, ext),
				fmt.Sprintf(`userName sw %q`, name[:2900]),
			} {
				r := do(t, h, http.MethodGet, "/Users?filter="+url.QueryEscape(f), "")
				if r.status != http.StatusOK || num(r.body, "totalResults") != 1 || str(r.body, "Resources.0.id") != id {
					t.Errorf("filter %.40s…: %d %.300s", f, r.status, r.raw)
				}
			}
			if r := do(t, h, http.MethodPost, "/Groups", fmt.Sprintf(`{"schemas":[%q],"displayName":%q}`, groupURN, group)); r.status != http.StatusCreated {
				t.Errorf("POST a 3 KB group displayName: %d %.300s", r.status, r.raw)
			}
			if r := do(t, h, http.MethodPost, "/Groups", fmt.Sprintf(`{"schemas":[%q],"displayName":%q}`, groupURN, group)); r.status != http.StatusConflict {
				t.Errorf("POST the same long displayName: %d, want 409", r.status)
			}
			for _, target := range []string{"/Users/%00", "/Users/%FF%FE", "/Users/a%00b", "/Groups/%C3%28"} {
				if r := do(t, h, http.MethodGet, target, ""); r.status != http.StatusNotFound {
					t.Errorf("GET %s: %d, want 404: %.200s", target, r.status, r.raw)
				}
				if r := do(t, h, http.MethodDelete, target, ""); r.status != http.StatusNotFound {
					t.Errorf("DELETE %s: %d, want 404", target, r.status)
				}
			}
			for _, f := range []string{"userName eq \"a\x00b\"", "externalId eq \"\xff\xfe\"", "id eq \"\xc3\x28\"", "title co \"\xff\"", "displayName sw \"x\x00\"", "emails[value eq \"\xfe\"]"} {
				r := do(t, h, http.MethodGet, "/Users?filter="+url.QueryEscape(f), "")
				if r.status != http.StatusOK && r.status != http.StatusBadRequest || r.status == http.StatusOK && num(r.body, "totalResults") != 0 {
					t.Errorf("filter %q: %d, want an empty list (or 400): %.300s", f, r.status, r.raw)
				}
			}
		})
	}
}
