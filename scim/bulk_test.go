package scim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/internal/teststore"
	"github.com/scimkit/scimkit/scim"
)

func bulkBody(failOnErrors int, ops ...string) string {
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"failOnErrors":%d,"Operations":[%s]}`, failOnErrors, strings.Join(ops, ","))
}

// bulkOps returns the operations of a BulkResponse by bulkId (or by
// method and position when they have none).
func bulkOps(t testing.TB, r result) []map[string]any {
	t.Helper()
	if r.status != http.StatusOK || fmt.Sprint(list(r.body, "schemas")) != "[urn:ietf:params:scim:api:messages:2.0:BulkResponse]" {
		t.Fatalf("POST /Bulk = %s", r)
	}
	var out []map[string]any
	for _, o := range list(r.body, "Operations") {
		out = append(out, o.(map[string]any))
	}
	return out
}

// 1,000 operations creating users and the groups they belong to, the
// groups listed first and their members named by bulkId, on every store.
func TestBulkThousandOperations(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			st := kind.New(t)
			h := newHandler(t, func(c *scim.Config) { c.Store = st })
			var ops []string
			const groups, users = 10, 990
			for g := range groups {
				var members []string
				for u := g; u < users; u += groups {
					members = append(members, fmt.Sprintf(`{"value":"bulkId:u%d"}`, u))
				}
				ops = append(ops, fmt.Sprintf(`{"method":"POST","path":"/Groups","bulkId":"g%d","data":{"displayName":"Group %d","members":[%s]}}`, g, g, strings.Join(members, ",")))
			}
			for u := range users {
				ops = append(ops, fmt.Sprintf(`{"method":"POST","path":"/Users","bulkId":"u%d","data":{"userName":"bulk%d@example.com","password":"pw-%d"}}`, u, u, u))
			}
			r := do(t, h, http.MethodPost, "/Bulk", bulkBody(0, ops...))
			res := bulkOps(t, r)
			if len(res) != groups+users {
				t.Fatalf("%d results, want %d", len(res), groups+users)
			}
			ids := map[string]string{}
			for i, o := range res {
				loc, _ := o["location"].(string)
				if o["status"] != "201" || loc == "" || o["version"] == nil || o["method"] != "POST" {
					t.Fatalf("operation %d: %v", i, o)
				}
				ids[o["bulkId"].(string)] = loc[strings.LastIndexByte(loc, '/')+1:]
			}
			if !strings.HasPrefix(fmt.Sprint(res[0]["location"]), "http://example.com/Groups/") {
				t.Errorf("results are not in request order: %v", res[0])
			}
			for g := range groups {
				gr := fetch(t, h, "/Groups/"+ids[fmt.Sprintf("g%d", g)])
				ms := list(gr.body, "members")
				if len(ms) != users/groups {
					t.Fatalf("group %d has %d members, want %d", g, len(ms), users/groups)
				}
				if v := str(ms[0], "value"); v != ids[fmt.Sprintf("u%d", g)] {
					t.Errorf("group %d's first member %s, want user %d's id %s", g, v, g, ids[fmt.Sprintf("u%d", g)])
				}
			}
			if strings.Contains(r.raw, "pw-") || strings.Contains(teststore.Documents(t, st, "t"), "pw-") {
				t.Error("a password sent in a Bulk was returned or stored")
			}
		})
	}
}

func TestBulkReferencesErrorsAndLimits(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			st := kind.New(t)
			h := newHandler(t, func(c *scim.Config) {
				c.Store = st
				c.Limits.MaxBulkOperations = 50
				c.Limits.MaxBulkBytes = 20_000
			})

			// A cycle: each group names the other; both 409, nothing created.
			r := do(t, h, http.MethodPost, "/Bulk", bulkBody(0,
				`{"method":"POST","path":"/Groups","bulkId":"a","data":{"displayName":"A","members":[{"value":"bulkId:b"}]}}`,
				`{"method":"POST","path":"/Groups","bulkId":"b","data":{"displayName":"B","members":[{"value":"bulkId:a"}]}}`,
				`{"method":"POST","path":"/Users","bulkId":"c","data":{"userName":"cycle-free@example.com"}}`,
				`{"method":"PATCH","path":"/Users/bulkId:nobody","data":{"Operations":[{"op":"add","path":"title","value":"x"}]}}`,
			))
			res := bulkOps(t, r)
			if len(res) != 4 || res[0]["status"] != "409" || res[1]["status"] != "409" || res[2]["status"] != "201" || res[3]["status"] != "400" {
				t.Fatalf("cycle: %s", r.raw)
			}
			if str(res[0], "response.status") != "409" || !strings.Contains(str(res[0], "response.detail"), "cycle") {
				t.Errorf("the cycle's error body: %v", res[0]["response"])
			}
			if g := do(t, h, http.MethodGet, "/Groups", ""); num(g.body, "totalResults") != 0 {
				t.Errorf("a cycle created groups: %s", g.raw)
			}

			// failOnErrors 1: the first error stops the request.
			r = do(t, h, http.MethodPost, "/Bulk", bulkBody(1,
				`{"method":"POST","path":"/Users","bulkId":"x","data":{"userName":"first@example.com"}}`,
				`{"method":"POST","path":"/Users","bulkId":"y","data":{"userName":"first@example.com"}}`,
				`{"method":"POST","path":"/Users","bulkId":"z","data":{"userName":"never@example.com"}}`,
			))
			res = bulkOps(t, r)
			if len(res) != 2 || res[0]["status"] != "201" || res[1]["status"] != "409" || str(res[1], "response.scimType") != "uniqueness" {
				t.Fatalf("failOnErrors 1: %s", r.raw)
			}
			if u := do(t, h, http.MethodGet, "/Users?filter="+urlq(`userName eq "never@example.com"`), ""); num(u.body, "totalResults") != 0 {
				t.Error("an operation after failOnErrors was reached ran")
			}
			// A 400 counts as an error too, and its bulkId creates nothing.
			r = do(t, h, http.MethodPost, "/Bulk", bulkBody(1,
				`{"method":"POST","path":"/Users","bulkId":"bad","data":{"userName":12}}`,
				`{"method":"POST","path":"/Groups","bulkId":"never","data":{"displayName":"Never","members":[{"value":"bulkId:bad"}]}}`,
			))
			if res = bulkOps(t, r); len(res) != 1 || res[0]["status"] != "400" {
				t.Fatalf("failOnErrors 1 after a 400: %s", r.raw)
			}
			r = do(t, h, http.MethodPost, "/Bulk", bulkBody(0,
				`{"method":"POST","path":"/Users","bulkId":"bad","data":{"userName":12}}`,
				`{"method":"POST","path":"/Groups","bulkId":"never","data":{"displayName":"Never","members":[{"value":"bulkId:bad"}]}}`,
			))
			if res = bulkOps(t, r); len(res) != 2 || res[1]["status"] != "409" || !strings.Contains(str(res[1], "response.detail"), "failed with 400") {
				t.Fatalf("a reference to a failed POST: %s", r.raw)
			}

			// PUT, PATCH (Entra's quirks, a member by bulkId) and DELETE,
			// with version as If-Match.
			uid := createUser(t, h, userBody("bulk-target@example.com"))
			gid := createGroup(t, h, `{"displayName":"Bulk group"}`)
			cur := fetch(t, h, "/Users/"+uid).header.Get("ETag")
			r = do(t, h, http.MethodPost, "/Bulk", bulkBody(0,
				`{"method":"PATCH","path":"/Users/`+uid+`","version":`+fmt.Sprintf("%q", cur)+`,"data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}}`,
				`{"method":"PATCH","path":"/Users/`+uid+`","version":`+fmt.Sprintf("%q", cur)+`,"data":{"Operations":[{"op":"replace","path":"title","value":"stale"}]}}`,
				`{"method":"POST","path":"/Users","bulkId":"m","data":{"userName":"member@example.com"}}`,
				`{"method":"PATCH","path":"/Groups/`+gid+`","data":{"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"bulkId:m"}]}]}}`,
				`{"method":"PUT","path":"/Groups/`+gid+`","data":{"displayName":"Bulk group renamed","members":[{"value":"bulkId:m"}]}}`,
				`{"method":"DELETE","path":"/Users/`+uid+`"}`,
				`{"method":"DELETE","path":"/Users/`+uid+`"}`,
				`{"method":"POST","path":"/Nowhere","data":{}}`,
				`{"method":"PUT","path":"/Users","data":{"userName":"x"}}`,
			))
			res = bulkOps(t, r)
			want := []string{"200", "412", "201", "204", "200", "204", "404", "400", "400"}
			for i, w := range want {
				if i >= len(res) || res[i]["status"] != w {
					t.Fatalf("operation %d: %v, want status %s\n%s", i, res[min(i, len(res)-1)], w, r.raw)
				}
			}
			if !strings.Contains(fmt.Sprint(res[0]["location"]), "/Users/"+uid) || res[0]["version"] == cur {
				t.Errorf("PATCH result: %v", res[0])
			}
			g := fetch(t, h, "/Groups/"+gid)
			if str(g.body, "displayName") != "Bulk group renamed" || len(list(g.body, "members")) != 1 {
				t.Errorf("group after the Bulk: %s", g.raw)
			}
			checkError(t, do(t, h, http.MethodGet, "/Users/"+uid, ""), http.StatusNotFound, "")

			// Over the limits: 413 naming the limit; nothing runs.
			many := make([]string, 51)
			for i := range many {
				many[i] = fmt.Sprintf(`{"method":"POST","path":"/Users","bulkId":"o%d","data":{"userName":"over%d@example.com"}}`, i, i)
			}
			checkError(t, do(t, h, http.MethodPost, "/Bulk", bulkBody(0, many...)), http.StatusRequestEntityTooLarge, "", "maxOperations")
			checkError(t, do(t, h, http.MethodPost, "/Bulk", bulkBody(0, `{"method":"POST","path":"/Users","data":{"userName":"big","title":"`+strings.Repeat("x", 30_000)+`"}}`)),
				http.StatusRequestEntityTooLarge, "", "maxPayloadSize")
			if u := do(t, h, http.MethodGet, "/Users?filter="+urlq(`userName sw "over"`), ""); num(u.body, "totalResults") != 0 {
				t.Error("a refused Bulk created users")
			}

			// Malformed requests are 400 as a whole.
			for _, bad := range []string{
				`{"Operations":"x"}`,
				`{}`,
				bulkBody(0, `{"method":"GET","path":"/Users"}`),
				bulkBody(0, `{"method":"POST","path":"Users","data":{}}`),
				bulkBody(0, `{"method":"POST","path":"/Users"}`),
				bulkBody(0, `{"method":"POST","path":"/Users","bulkId":"d","data":{}}`, `{"method":"POST","path":"/Users","bulkId":"d","data":{}}`),
				`{"failOnErrors":-1,"Operations":[]}`,
				bulkBody(0, `{"method":"POST","path":"/Users","bulkId":5,"data":{}}`),
				bulkBody(0, `{"method":"PUT","path":"/Users/x","version":3,"data":{}}`),
			} {
				if r := do(t, h, http.MethodPost, "/Bulk", bad); r.status != http.StatusBadRequest {
					t.Errorf("%s = %s, want 400", bad, r)
				}
			}
			checkError(t, do(t, h, http.MethodGet, "/Bulk", ""), http.StatusMethodNotAllowed, "")
		})
	}
}

// A Bulk acts in the caller's tenant only: another tenant's ids are not
// found, whatever the operation.
func TestBulkStaysInItsTenant(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			st := kind.New(t)
			a := newHandler(t, func(c *scim.Config) { c.Store = st; c.Auth = authFor("tenant-a") })
			b := newHandler(t, func(c *scim.Config) { c.Store = st; c.Auth = authFor("tenant-b") })
			uid := createUser(t, a, userBody("a-user@example.com"))
			gid := createGroup(t, a, `{"displayName":"A group"}`)
			r := do(t, b, http.MethodPost, "/Bulk", bulkBody(0,
				`{"method":"PUT","path":"/Users/`+uid+`","data":{"userName":"stolen@example.com"}}`,
				`{"method":"PATCH","path":"/Users/`+uid+`","data":{"Operations":[{"op":"replace","path":"title","value":"pwned"}]}}`,
				`{"method":"DELETE","path":"/Groups/`+gid+`"}`,
				`{"method":"POST","path":"/Groups","bulkId":"g","data":{"displayName":"B group","members":[{"value":"`+uid+`"}]}}`,
			))
			res := bulkOps(t, r)
			for i, want := range []string{"404", "404", "404", "400"} {
				if res[i]["status"] != want {
					t.Errorf("operation %d in tenant B on tenant A's resources: %v, want %s", i, res[i], want)
				}
			}
			u := fetch(t, a, "/Users/"+uid)
			if str(u.body, "userName") != "a-user@example.com" || str(u.body, "title") != "" {
				t.Errorf("tenant A's user changed: %s", u.raw)
			}
			fetch(t, a, "/Groups/"+gid)
		})
	}
}
