package scim_test

import (
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
