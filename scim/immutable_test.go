package scim_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
)

const (
	badgeURN    = "urn:example:scim:schemas:2.0:Badge"
	badgeExtURN = "urn:example:scim:schemas:extension:2.0:Issue"
)

// badgeRegistry is the default schemas plus a Badge type with an immutable
// core attribute (hardwareId) and an immutable extension attribute
// (issuer), next to ordinary readWrite ones.
func badgeRegistry(t testing.TB) *schema.Registry {
	t.Helper()
	reg := schema.NewRegistry()
	err := reg.AddResourceTypeJSON([]byte(`{
	  "resourceType": {"name": "Badge", "endpoint": "/Badges", "schema": "` + badgeURN + `",
	    "schemaExtensions": [{"schema": "` + badgeExtURN + `", "required": false}]},
	  "schemas": [
	    {"id": "` + badgeURN + `", "name": "Badge", "attributes": [
	      {"name": "displayName", "type": "string", "multiValued": false, "required": false, "caseExact": false,
	       "mutability": "readWrite", "returned": "default", "uniqueness": "none"},
	      {"name": "hardwareId", "type": "string", "multiValued": false, "required": false, "caseExact": true,
	       "mutability": "immutable", "returned": "default", "uniqueness": "none"}]},
	    {"id": "` + badgeExtURN + `", "name": "Issue", "attributes": [
	      {"name": "issuer", "type": "string", "multiValued": false, "required": false, "caseExact": true,
	       "mutability": "immutable", "returned": "default", "uniqueness": "none"},
	      {"name": "note", "type": "string", "multiValued": false, "required": false, "caseExact": false,
	       "mutability": "readWrite", "returned": "default", "uniqueness": "none"}]}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// badgeBody is a full Badge representation; an empty hardwareId or issuer
// leaves that attribute out.
func badgeBody(displayName, hardwareID, issuer string) string {
	b := fmt.Sprintf(`{"schemas":[%q,%q],"displayName":%q`, badgeURN, badgeExtURN, displayName)
	if hardwareID != "" {
		b += fmt.Sprintf(`,"hardwareId":%q`, hardwareID)
	}
	ext := `"note":"n"`
	if issuer != "" {
		ext += fmt.Sprintf(`,"issuer":%q`, issuer)
	}
	return b + fmt.Sprintf(`,%q:{%s}}`, badgeExtURN, ext)
}

// issuerOf is the extension's issuer in a decoded Badge ("" if absent);
// str cannot walk to it, the URN holding a dot.
func issuerOf(body map[string]any) string {
	ext, _ := body[badgeExtURN].(map[string]any)
	return str(ext, "issuer")
}

// wantBadge GETs the badge and fails unless it holds exactly these values.
func wantBadge(t *testing.T, h http.Handler, id, displayName, hardwareID, issuer, what string) {
	t.Helper()
	r := do(t, h, http.MethodGet, "/Badges/"+id, "")
	wantStatus(t, r, http.StatusOK, "GET /Badges/"+id)
	if str(r.body, "displayName") != displayName || str(r.body, "hardwareId") != hardwareID || issuerOf(r.body) != issuer {
		t.Errorf("%s: stored badge %s; want displayName %q, hardwareId %q, issuer %q", what, r.raw, displayName, hardwareID, issuer)
	}
}

// An immutable attribute (RFC 7643 §2.2) may be set when the resource is
// created, or later when it has no value yet, and sent again unchanged;
// changing or removing it once set, by PUT, by PATCH (with a path, without
// one, on the core schema or an extension) or inside a Bulk, is a 400 with
// scimType "mutability" that leaves the stored resource as it was.
func TestImmutableAttribute(t *testing.T) {
	h := newHandler(t, func(c *scim.Config) { c.Schemas = badgeRegistry(t) })

	r := do(t, h, http.MethodPost, "/Badges", badgeBody("Front door", "HW-1", "ACME"))
	wantStatus(t, r, http.StatusCreated, "POST /Badges with immutable attributes")
	id := str(r.body, "id")
	if str(r.body, "hardwareId") != "HW-1" || issuerOf(r.body) != "ACME" {
		t.Fatalf("created badge: %s", r.raw)
	}

	// The same values again, with a readWrite attribute changed: allowed.
	r = do(t, h, http.MethodPut, "/Badges/"+id, badgeBody("Back door", "HW-1", "ACME"))
	wantStatus(t, r, http.StatusOK, "PUT with the same immutable values")
	wantBadge(t, h, id, "Back door", "HW-1", "ACME", "after a PUT resending the immutable values")
	patchOK(t, h, "/Badges/"+id, patchBody(`{"op":"replace","path":"hardwareId","value":"HW-1"}`))
	patchOK(t, h, "/Badges/"+id, patchBody(`{"op":"replace","value":{"hardwareId":"HW-1","displayName":"Side door"}}`))
	wantBadge(t, h, id, "Side door", "HW-1", "ACME", "after PATCHes resending the immutable value")

	for _, tc := range []struct {
		name, method, body string
	}{
		{"PUT changing the core attribute", http.MethodPut, badgeBody("Changed", "HW-2", "ACME")},
		{"PUT changing the extension attribute", http.MethodPut, badgeBody("Changed", "HW-1", "Other Corp")},
		{"PUT leaving the core attribute out", http.MethodPut, badgeBody("Changed", "", "ACME")},
		{"PUT leaving the extension attribute out", http.MethodPut, badgeBody("Changed", "HW-1", "")},
		{"PATCH replace by path", http.MethodPatch, patchBody(`{"op":"replace","path":"hardwareId","value":"HW-2"}`)},
		{"PATCH add by path", http.MethodPatch, patchBody(`{"op":"add","path":"hardwareId","value":"HW-2"}`)},
		{"PATCH Entra-style Replace with a readWrite change", http.MethodPatch, patchBody(
			`{"op":"Replace","path":"displayName","value":"Changed"}`, `{"op":"Replace","path":"hardwareId","value":"HW-2"}`)},
		{"PATCH remove by path", http.MethodPatch, patchBody(`{"op":"remove","path":"hardwareId"}`)},
		{"PATCH replace without a path", http.MethodPatch, patchBody(`{"op":"replace","value":{"displayName":"Changed","hardwareId":"HW-2"}}`)},
		{"PATCH replace an extension attribute by path", http.MethodPatch, patchBody(`{"op":"replace","path":"` + badgeExtURN + `:issuer","value":"Other Corp"}`)},
		{"PATCH replace an extension attribute without a path", http.MethodPatch, patchBody(`{"op":"replace","value":{"` + badgeExtURN + `:issuer":"Other Corp"}}`)},
		{"PATCH replace the extension object", http.MethodPatch, patchBody(`{"op":"replace","path":"` + badgeExtURN + `","value":{"issuer":"Other Corp","note":"n"}}`)},
		{"PATCH remove an extension attribute", http.MethodPatch, patchBody(`{"op":"remove","path":"` + badgeExtURN + `:issuer"}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkError(t, do(t, h, tc.method, "/Badges/"+id, tc.body), http.StatusBadRequest, "mutability")
			wantBadge(t, h, id, "Side door", "HW-1", "ACME", "after a refused "+tc.name)
		})
	}

	t.Run("Bulk", func(t *testing.T) {
		r := do(t, h, http.MethodPost, "/Bulk", bulkBody(0,
			`{"method":"PUT","path":"/Badges/`+id+`","data":`+badgeBody("Changed", "HW-2", "ACME")+`}`,
			`{"method":"PATCH","path":"/Badges/`+id+`","data":`+patchBody(`{"op":"replace","path":"hardwareId","value":"HW-2"}`)+`}`,
			`{"method":"PATCH","path":"/Badges/`+id+`","data":`+patchBody(`{"op":"replace","value":{"hardwareId":"HW-2"}}`)+`}`,
		))
		res := bulkOps(t, r)
		if len(res) != 3 {
			t.Fatalf("Bulk: %d operations answered, want 3: %s", len(res), r.raw)
		}
		for i, o := range res {
			if o["status"] != "400" || str(o, "response.scimType") != "mutability" {
				t.Errorf("Bulk operation %d: status %v, scimType %q; want 400 mutability: %v", i, o["status"], str(o, "response.scimType"), o["response"])
			}
		}
		wantBadge(t, h, id, "Side door", "HW-1", "ACME", "after a refused Bulk")
	})

	// Without a value yet, an immutable attribute may be set once, by PUT
	// or by PATCH, and is then fixed.
	t.Run("set later", func(t *testing.T) {
		r := do(t, h, http.MethodPost, "/Badges", badgeBody("Unset", "", ""))
		wantStatus(t, r, http.StatusCreated, "POST /Badges without immutable attributes")
		id := str(r.body, "id")
		wantStatus(t, do(t, h, http.MethodPut, "/Badges/"+id, badgeBody("Unset", "HW-7", "")), http.StatusOK, "PUT setting hardwareId the first time")
		patchOK(t, h, "/Badges/"+id, patchBody(`{"op":"add","path":"`+badgeExtURN+`:issuer","value":"ACME"}`))
		wantBadge(t, h, id, "Unset", "HW-7", "ACME", "after setting the immutable attributes")
		checkError(t, do(t, h, http.MethodPut, "/Badges/"+id, badgeBody("Unset", "HW-8", "ACME")), http.StatusBadRequest, "mutability")
		checkError(t, do(t, h, http.MethodPatch, "/Badges/"+id, patchBody(`{"op":"replace","path":"`+badgeExtURN+`:issuer","value":"Other"}`)), http.StatusBadRequest, "mutability")
		wantBadge(t, h, id, "Unset", "HW-7", "ACME", "after refused changes")
	})
}
