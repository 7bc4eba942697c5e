package scim_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// Hooks revoke a user's sessions when Entra disables it, and refuse a
// user beyond the plan's seats.
func ExampleHookFuncs() {
	const seats = 1
	users := 0
	h, err := scim.NewHandler(scim.Config{
		Store: memory.New(),
		Auth:  auth.StaticTokens(auth.Token{Secret: "s3cr3t", Tenant: "acme"}),
		Hooks: scim.HookFuncs{
			Before: func(ctx context.Context, c *scim.Change) error {
				if c.Op == scim.OpCreate && c.Type == store.User && users >= seats {
					return &scim.Error{Status: http.StatusForbidden, Detail: "seat limit reached: assign fewer users to the app"}
				}
				return nil
			},
			After: func(ctx context.Context, c *scim.Change) {
				for _, e := range c.Events {
					switch e.Kind {
					case store.Created:
						users++
					case store.Deactivated:
						fmt.Println("revoke the sessions of", c.After.UniqueValue("userName"), "paths", e.Paths)
					}
				}
			},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	send := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer s3cr3t")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	created := send("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com","active":true}`)
	id := created.Header().Get("Location")[strings.LastIndex(created.Header().Get("Location"), "/")+1:]
	// Entra's disable, in its default (non-RFC) PATCH format.
	send("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	refused := send("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bob@example.com"}`)
	fmt.Println(created.Code, refused.Code)
	// Output:
	// revoke the sessions of ada@example.com paths [active]
	// 201 403
}
