package scim_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store/memory"
)

// Mount the Handler under /scim/v2 next to the service's own routes; the
// Tenant URL to give Entra is then https://<host>/scim/v2.
func ExampleNewHandler() {
	h, err := scim.NewHandler(scim.Config{
		Store: memory.New(),
		Auth:  auth.StaticTokens(auth.Token{Secret: "s3cr3t", Tenant: "acme"}),
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))

	// Entra's Test Connection probe.
	req := httptest.NewRequest("GET", "/scim/v2/Users?filter=userName+eq+%227f3c2a51-0e7b-4c77-9c1d-2f2a9d0c9a1e%22", nil)
	req.Header.Set("Authorization", "Bearer s3cr3t")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body)
	// Output: 200 {"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}
}

// A custom extension, here from its RFC 7643 schema document, is served
// by /Schemas and /ResourceTypes, validated, stored and filterable.
func ExampleConfig_customExtension() {
	reg := schema.NewRegistry()
	err := reg.AddExtensionJSON("User", []byte(`{
	  "id": "urn:ietf:params:scim:schemas:extension:acme:2.0:User",
	  "name": "AcmeUser",
	  "attributes": [{"name": "tag", "type": "string", "multiValued": false, "required": false,
	    "caseExact": false, "mutability": "readWrite", "returned": "default", "uniqueness": "none"}]
	}`))
	if err != nil {
		log.Fatal(err)
	}
	h, err := scim.NewHandler(scim.Config{
		Store:   memory.New(),
		Auth:    auth.StaticTokens(auth.Token{Secret: "s3cr3t", Tenant: "acme"}),
		Schemas: reg,
	})
	if err != nil {
		log.Fatal(err)
	}
	// Entra leaves custom extension URNs out of "schemas"; the data is kept.
	body := `{"userName":"bjensen@example.com","urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"tag":"vip"}}`
	req := httptest.NewRequest("POST", "/Users", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer s3cr3t")
	h.ServeHTTP(httptest.NewRecorder(), req)

	req = httptest.NewRequest("GET", `/Users?attributes=userName&filter=urn:ietf:params:scim:schemas:extension:acme:2.0:User:tag+eq+"VIP"`, nil)
	req.Header.Set("Authorization", "Bearer s3cr3t")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(strings.Contains(rec.Body.String(), `"totalResults":1`), strings.Contains(rec.Body.String(), "bjensen@example.com"))
	// Output: true true
}

// A resource type of your own is served at its endpoint like Users, with
// uniqueness from its schema.
func ExampleConfig_customResourceType() {
	reg := schema.NewRegistry()
	err := reg.AddResourceTypeJSON([]byte(`{
	  "resourceType": {"name": "Device", "endpoint": "/Devices", "schema": "urn:example:scim:schemas:2.0:Device"},
	  "schemas": [{"id": "urn:example:scim:schemas:2.0:Device", "name": "Device", "attributes": [
	    {"name": "serialNumber", "type": "string", "multiValued": false, "required": true, "caseExact": false,
	     "mutability": "readWrite", "returned": "default", "uniqueness": "server"}]}]
	}`))
	if err != nil {
		log.Fatal(err)
	}
	h, err := scim.NewHandler(scim.Config{
		Store:   memory.New(),
		Auth:    auth.StaticTokens(auth.Token{Secret: "s3cr3t", Tenant: "acme"}),
		Schemas: reg,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, serial := range []string{"SN-1", "sn-1"} {
		req := httptest.NewRequest("POST", "/Devices", strings.NewReader(`{"serialNumber":"`+serial+`"}`))
		req.Header.Set("Authorization", "Bearer s3cr3t")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// 201
	// 409
}

// A Bulk creates a user and a group holding it in one request: the
// group names the user by its bulkId.
func ExampleHandler_bulk() {
	h, err := scim.NewHandler(scim.Config{
		Store:   memory.New(),
		Auth:    auth.StaticTokens(auth.Token{Secret: "s3cr3t", Tenant: "acme"}),
		BaseURL: "https://scim.example.com/scim/v2",
	})
	if err != nil {
		log.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/Bulk", strings.NewReader(`{
	  "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
	  "Operations": [
	    {"method": "POST", "path": "/Groups", "bulkId": "ops", "data": {"displayName": "Ops", "members": [{"value": "bulkId:ann"}]}},
	    {"method": "POST", "path": "/Users", "bulkId": "ann", "data": {"userName": "ann@example.com"}}
	  ]}`))
	req.Header.Set("Authorization", "Bearer s3cr3t")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var resp struct {
		Operations []struct{ BulkID, Status string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		log.Fatal(err)
	}
	for _, op := range resp.Operations {
		fmt.Println(op.BulkID, op.Status)
	}
	// Output:
	// ops 201
	// ann 201
}
