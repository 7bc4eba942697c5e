package scim_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/internal/teststore"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
)

const (
	deviceURN = "urn:example:scim:schemas:2.0:Device"
	assetURN  = "urn:example:scim:schemas:extension:2.0:Asset"
)

// deviceRegistry is the default schemas plus the Device type of
// examples/quickstart/device.json.
func deviceRegistry(t testing.TB) *schema.Registry {
	t.Helper()
	data, err := os.ReadFile("../examples/quickstart/device.json")
	if err != nil {
		t.Fatal(err)
	}
	reg := schema.NewRegistry()
	if err := reg.AddResourceTypeJSON(data); err != nil {
		t.Fatal(err)
	}
	return reg
}

// A resource type of one's own is served like Users and Groups, on every
// store: discovery, CRUD, filters, PATCH, uniqueness from its schema,
// projection, ETags, and the rules every write follows.
func TestCustomResourceType(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			st := kind.New(t)
			h := newHandler(t, func(c *scim.Config) { c.Store = st; c.Schemas = deviceRegistry(t) })

			// Discovery.
			r := do(t, h, http.MethodGet, "/ResourceTypes/Device", "")
			wantStatus(t, r, http.StatusOK, "GET /ResourceTypes/Device")
			if str(r.body, "endpoint") != "/Devices" || str(r.body, "schema") != deviceURN || str(r.body, "schemaExtensions.0.schema") != assetURN {
				t.Errorf("/ResourceTypes/Device = %s", r.raw)
			}
			if r := do(t, h, http.MethodGet, "/Schemas/"+assetURN, ""); r.status != http.StatusOK || !strings.Contains(r.raw, "assetTag") {
				t.Errorf("/Schemas/%s = %s", assetURN, r)
			}
			if r := do(t, h, http.MethodGet, "/ResourceTypes", ""); num(r.body, "totalResults") != 3 {
				t.Errorf("/ResourceTypes lists %d types, want 3", num(r.body, "totalResults"))
			}

			// Create: 201, Location under /Devices, the rules of every write.
			owner := createUser(t, h, userBody("owner@example.com"))
			r = do(t, h, http.MethodPost, "/Devices", fmt.Sprintf(`{"schemas":[%q,%q],"serialNumber":"SN-1","displayName":"Laptop","active":"True","secret":"s3cret",
				"owner":{"value":%q,"$ref":"https://evil.example/x"},
				"addresses":[{"type":"mac","value":"AA:BB","primary":true},{"type":"mac","value":"aa:bb"},{"type":"ipv4","value":"10.0.0.1","primary":true}],
				%q:{"assetTag":"AT-1","costCenter":"CC"}}`, deviceURN, assetURN, owner, assetURN))
			wantStatus(t, r, http.StatusCreated, "POST /Devices")
			id := str(r.body, "id")
			if loc := r.header.Get("Location"); loc != "http://example.com/Devices/"+id || str(r.body, "meta.location") != loc || str(r.body, "meta.resourceType") != "Device" {
				t.Errorf("Location %q, meta %v", loc, r.body["meta"])
			}
			if get(r.body, "active") != true || strings.Contains(r.raw, "s3cret") || strings.Contains(r.raw, "evil") {
				t.Errorf("created device: %s", r.raw)
			}
			if str(r.body, "owner.$ref") != "http://example.com/Users/"+owner {
				t.Errorf("owner.$ref = %q, want it derived from the value", str(r.body, "owner.$ref"))
			}
			addrs := list(r.body, "addresses")
			if len(addrs) != 2 || str(addrs[0], "value") != "AA:BB" || get(addrs[0], "primary") != false || get(addrs[1], "primary") != true {
				t.Errorf("addresses = %v: want the duplicate mac collapsed and the last primary kept", addrs)
			}
			ext, _ := r.body[assetURN].(map[string]any)
			if ext["assetTag"] != "AT-1" || ext["costCenter"] != "CC" {
				t.Errorf("extension = %v", ext)
			}

			// Uniqueness from the schema: serialNumber case-insensitive,
			// the extension's assetTag case-exact.
			checkError(t, do(t, h, http.MethodPost, "/Devices", `{"serialNumber":"sn-1"}`), http.StatusConflict, "uniqueness", "serialNumber")
			checkError(t, do(t, h, http.MethodPost, "/Devices", fmt.Sprintf(`{"serialNumber":"SN-2",%q:{"assetTag":"AT-1"}}`, assetURN)), http.StatusConflict, "uniqueness", "assetTag")
			other := str(do(t, h, http.MethodPost, "/Devices", fmt.Sprintf(`{"serialNumber":"SN-2",%q:{"assetTag":"at-1"}}`, assetURN)).body, "id")
			if other == "" {
				t.Fatal("a device with assetTag at-1 (another case) was refused")
			}
			checkError(t, do(t, h, http.MethodPut, "/Devices/"+other, `{"serialNumber":"Sn-1"}`), http.StatusConflict, "uniqueness", "serialNumber")
			checkError(t, do(t, h, http.MethodPost, "/Devices", `{"displayName":"no serial"}`), http.StatusBadRequest, "invalidValue", "serialNumber")
			createUser(t, h, userBody("SN-1")) // another type may hold the value

			// Filters, an index for the unique attribute, projection.
			for f, want := range map[string]int{
				`serialNumber eq "sn-1"`:                   1,
				assetURN + `:assetTag eq "AT-1"`:           1,
				`addresses[type eq "ipv4"].value sw "10."`: 1,
				`active eq true and displayName co "lap"`:  1,
				`serialNumber sw "SN"`:                     2,
				`userName eq "SN-1"`:                       0,
				`secret eq "s3cret"`:                       0,
			} {
				r := do(t, h, http.MethodGet, "/Devices?filter="+urlq(f)+"&attributes=serialNumber", "")
				wantStatus(t, r, http.StatusOK, "filter "+f)
				if num(r.body, "totalResults") != want {
					t.Errorf("filter %s: %d devices, want %d", f, num(r.body, "totalResults"), want)
				}
				if want > 0 && get(r.body, "Resources.0.displayName") != nil {
					t.Errorf("attributes=serialNumber returned displayName: %s", r.raw)
				}
			}

			// PATCH: paths, value filters, the extension as a whole, ETags.
			g := fetch(t, h, "/Devices/"+id)
			r = do(t, h, http.MethodPatch, "/Devices/"+id, patchBody(
				`{"op":"replace","path":"displayName","value":"Laptop 2"}`,
				`{"op":"add","path":"addresses[type eq \"ipv6\"].value","value":"::1"}`,
				`{"op":"replace","path":"`+assetURN+`","value":{"costCenter":"CC2"}}`,
			), "If-Match", g.header.Get("ETag"))
			wantStatus(t, r, http.StatusOK, "PATCH /Devices")
			ext, _ = r.body[assetURN].(map[string]any)
			if str(r.body, "displayName") != "Laptop 2" || len(list(r.body, "addresses")) != 3 || ext["costCenter"] != "CC2" || ext["assetTag"] != "AT-1" {
				t.Errorf("after PATCH: %s", r.raw)
			}
			checkError(t, do(t, h, http.MethodPatch, "/Devices/"+id, patchBody(`{"op":"replace","path":"displayName","value":"x"}`), "If-Match", g.header.Get("ETag")), http.StatusPreconditionFailed, "")
			checkError(t, do(t, h, http.MethodPatch, "/Devices/"+other, patchBody(`{"op":"replace","path":"serialNumber","value":"SN-1"}`)), http.StatusConflict, "uniqueness")
			r = do(t, h, http.MethodPatch, "/Devices/"+id, patchBody(`{"op":"remove","path":"`+assetURN+`"}`))
			if _, ok := r.body[assetURN]; ok || r.status != http.StatusOK {
				t.Errorf("PATCH remove of the extension: %s", r)
			}
			// The freed assetTag is free again.
			if r := do(t, h, http.MethodPost, "/Devices", fmt.Sprintf(`{"serialNumber":"SN-3",%q:{"assetTag":"AT-1"}}`, assetURN)); r.status != http.StatusCreated {
				t.Errorf("reusing a freed assetTag: %s", r)
			}

			// /Bulk on the type: create, patch by bulkId, a uniqueness clash.
			r = do(t, h, http.MethodPost, "/Bulk", bulkBody(0,
				`{"method":"POST","path":"/Devices","bulkId":"d","data":{"serialNumber":"SN-BULK"}}`,
				`{"method":"PATCH","path":"/Devices/bulkId:d","data":{"Operations":[{"op":"add","path":"displayName","value":"From bulk"}]}}`,
				`{"method":"POST","path":"/Devices","bulkId":"e","data":{"serialNumber":"sn-bulk"}}`,
			))
			res := bulkOps(t, r)
			if res[0]["status"] != "201" || res[1]["status"] != "200" || res[2]["status"] != "409" {
				t.Fatalf("Bulk on /Devices: %s", r.raw)
			}
			if d := do(t, h, http.MethodGet, "/Devices?filter="+urlq(`serialNumber eq "SN-BULK"`), ""); str(d.body, "Resources.0.displayName") != "From bulk" {
				t.Errorf("the device the Bulk made: %s", d.raw)
			}

			// Delete.
			if r := do(t, h, http.MethodDelete, "/Devices/"+id, ""); r.status != http.StatusNoContent {
				t.Fatalf("DELETE /Devices: %s", r)
			}
			checkError(t, do(t, h, http.MethodGet, "/Devices/"+id, ""), http.StatusNotFound, "")
			checkError(t, do(t, h, http.MethodGet, "/Users/"+other, ""), http.StatusNotFound, "")
		})
	}
}

// POST /.search at the root searches every resource type (RFC 7644
// §3.4.3), paging over them all; /Me answers 501.
func TestRootSearch(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			h := newHandler(t, func(c *scim.Config) { c.Store = kind.New(t); c.Schemas = deviceRegistry(t) })
			for i := range 3 {
				createUser(t, h, fmt.Sprintf(`{"userName":"u%d@example.com","displayName":"Ops %d"}`, i, i))
			}
			createGroup(t, h, `{"displayName":"Ops team"}`)
			createGroup(t, h, `{"displayName":"Sales"}`)
			for i := range 2 {
				if r := do(t, h, http.MethodPost, "/Devices", fmt.Sprintf(`{"serialNumber":"d%d","displayName":"Ops device %d"}`, i, i)); r.status != http.StatusCreated {
					t.Fatal(r)
				}
			}
			search := func(body string) result {
				t.Helper()
				r := do(t, h, http.MethodPost, "/.search", body)
				return r
			}
			r := search(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"displayName sw \"Ops\""}`)
			wantStatus(t, r, http.StatusOK, "root .search")
			if num(r.body, "totalResults") != 6 || len(list(r.body, "Resources")) != 6 {
				t.Fatalf("root .search = %s, want 3 users, 1 group and 2 devices", r.raw)
			}
			types := []string{}
			for _, res := range list(r.body, "Resources") {
				types = append(types, str(res, "meta.resourceType")+":"+fmt.Sprint(list(res, "schemas")[0]))
			}
			want := []string{"User:" + userURN, "User:" + userURN, "User:" + userURN, "Group:" + groupURN, "Device:" + deviceURN, "Device:" + deviceURN}
			if fmt.Sprint(types) != fmt.Sprint(want) {
				t.Errorf("types in order %v, want %v", types, want)
			}
			// Paging across types: startIndex 3, count 3 is the last user, the group and the first device.
			r = search(`{"filter":"displayName sw \"Ops\"","startIndex":3,"count":3,"attributes":["displayName"]}`)
			got := []string{}
			for _, res := range list(r.body, "Resources") {
				got = append(got, str(res, "displayName"))
			}
			if num(r.body, "totalResults") != 6 || num(r.body, "startIndex") != 3 || fmt.Sprint(got) != "[Ops 2 Ops team Ops device 0]" {
				t.Errorf("page 3..5 = %v (%s)", got, r.raw)
			}
			// A filter some types cannot evaluate matches nothing of them.
			r = search(`{"filter":"active eq true or serialNumber eq \"d1\""}`)
			if num(r.body, "totalResults") != 1 {
				t.Errorf("active eq true or serialNumber eq d1: %s", r.raw)
			}
			checkError(t, search(`{"filter":"userName eq"}`), http.StatusBadRequest, "invalidFilter")
			// A filter no type can evaluate is 400, not an empty list.
			checkError(t, search(`{"filter":"meta.created gt \"yesterday\""}`), http.StatusBadRequest, "invalidFilter", "dateTime")
			checkError(t, search(`{"filter":"userName pr","sortBy":"userName"}`), http.StatusBadRequest, "invalidValue", "sortBy")
			checkError(t, do(t, h, http.MethodGet, "/.search", ""), http.StatusMethodNotAllowed, "")
			checkError(t, do(t, h, http.MethodGet, "/Me", ""), http.StatusNotImplemented, "")
		})
	}
}

// POST and PUT keep one primary value per attribute (the last one sent)
// and each (type, value) pair once, as PATCH does.
func TestPrimaryAndDuplicatesOnEveryWrite(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			h := newHandler(t, func(c *scim.Config) { c.Store = kind.New(t) })
			emails := `"emails":[{"type":"work","value":"a@x.example","primary":true},{"type":"work","value":"A@X.EXAMPLE"},{"type":"home","value":"a@x.example","primary":true},{"type":"work","value":"b@x.example"}]`
			// A duplicate that is primary hands its primary to the value kept.
			r := do(t, h, http.MethodPost, "/Users", `{"userName":"dup@x.example","emails":[{"type":"work","value":"d@x.example"},{"type":"work","value":"D@X.example","primary":true}]}`)
			if es := list(r.body, "emails"); len(es) != 1 || get(es[0], "primary") != true || str(es[0], "value") != "d@x.example" {
				t.Errorf("a primary duplicate: %s", r.raw)
			}
			check := func(r result, what string) {
				t.Helper()
				es := list(r.body, "emails")
				if len(es) != 3 {
					t.Fatalf("%s: %d emails, want 3 (the work duplicate collapsed): %s", what, len(es), r.raw)
				}
				primaries := 0
				for _, e := range es {
					if get(e, "primary") == true {
						primaries++
						if str(e, "type") != "home" {
							t.Errorf("%s: the primary email is %v, want the last one sent primary", what, e)
						}
					}
				}
				if primaries != 1 {
					t.Errorf("%s: %d primary emails, want 1", what, primaries)
				}
			}
			r = do(t, h, http.MethodPost, "/Users", `{"userName":"p@x.example",`+emails+`}`)
			wantStatus(t, r, http.StatusCreated, "POST")
			check(r, "POST")
			id := str(r.body, "id")
			check(fetch(t, h, "/Users/"+id), "GET after POST")
			r = do(t, h, http.MethodPut, "/Users/"+id, `{"userName":"p@x.example",`+emails+`}`)
			check(r, "PUT")
			r = do(t, h, http.MethodPatch, "/Users/"+id, patchBody(`{"op":"replace","value":{`+emails+`}}`))
			check(r, "PATCH replace")
		})
	}
}

// A PATCH whose path is the enterprise extension's URN acts on the
// extension as a whole, on every store; strict mode refuses the path.
func TestPatchExtensionURNPath(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			strict := false
			h := newHandler(t, func(c *scim.Config) {
				c.Store = kind.New(t)
				c.Compat = func(string) patch.Compat { return patch.Compat{Strict: strict} }
			})
			id := createUser(t, h, fmt.Sprintf(`{"userName":"ext@example.com",%q:{"department":"Sales","costCenter":"1"}}`, enterpriseURN))
			ext := func(r result) map[string]any { m, _ := r.body[enterpriseURN].(map[string]any); return m }
			r := do(t, h, http.MethodPatch, "/Users/"+id, patchBody(`{"op":"add","path":"`+enterpriseURN+`","value":{"department":"Ops","division":"D"}}`))
			if e := ext(r); r.status != http.StatusOK || e["department"] != "Ops" || e["costCenter"] != "1" || e["division"] != "D" {
				t.Errorf("add on the extension's URN: %s", r)
			}
			r = do(t, h, http.MethodPatch, "/Users/"+id, patchBody(`{"op":"Replace","path":"`+enterpriseURN+`","value":{"employeeNumber":"7"}}`))
			if e := ext(r); e["employeeNumber"] != "7" || e["department"] != "Ops" {
				t.Errorf("replace on the extension's URN: %s", r)
			}
			r = do(t, h, http.MethodPatch, "/Users/"+id, patchBody(`{"op":"remove","path":"`+enterpriseURN+`"}`))
			if _, ok := r.body[enterpriseURN]; ok || r.status != http.StatusOK || containsString(list(r.body, "schemas"), enterpriseURN) {
				t.Errorf("remove of the extension's URN: %s", r)
			}
			if _, ok := fetch(t, h, "/Users/"+id).body[enterpriseURN]; ok {
				t.Error("the removed extension is still stored")
			}
			strict = true
			checkError(t, do(t, h, http.MethodPatch, "/Users/"+id, patchBody(`{"op":"add","path":"`+enterpriseURN+`","value":{"department":"X"}}`)), http.StatusBadRequest, "invalidPath")
			checkError(t, do(t, h, http.MethodPatch, "/Users/"+id, patchBody(`{"op":"add","path":"noSuchAttribute","value":"x"}`)), http.StatusBadRequest, "invalidPath")
		})
	}
}
