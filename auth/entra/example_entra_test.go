package entra_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/authtest"
	"github.com/scimkit/scimkit/auth/entra"
)

// The tenant ID of the example's customer (Entra admin center → Overview).
const exampleTenant = "4f1c2a9e-0b7d-4e55-9a21-3c8d5e6f7a8b"

// Entra sends its own JWT when the Secret Token field is left blank.
// entra.New checks it against the tenant's signing keys. Here a fake issuer
// stands in for login.microsoftonline.com; in production leave
// AuthorityHost out and pass your own HTTPClient (with a timeout).
func ExampleNew() {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := entra.New(ctx, entra.Config{
		Tenants:       []string{exampleTenant},
		AuthorityHost: iss.URL(),
		HTTPClient:    iss.Client(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close()

	r := httptest.NewRequest("GET", "/scim/v2/Users", nil)
	r.Header.Set("Authorization", "Bearer "+iss.Token(exampleTenant))
	p, err := a.Authenticate(r)
	fmt.Println(p.Tenant, p.Method, err)

	// A token for another application: rejected, and the error says why.
	r.Header.Set("Authorization", "Bearer "+iss.Mint(exampleTenant, authtest.Claims{"aud": "00000002-0000-0000-c000-000000000000"}))
	_, err = a.Authenticate(r)
	fmt.Println(errors.Is(err, auth.ErrWrongAudience))
	fmt.Println(err)
	// Output:
	// 4f1c2a9e-0b7d-4e55-9a21-3c8d5e6f7a8b entra-jwt <nil>
	// true
	// audience "00000002-0000-0000-c000-000000000000" is not the custom-app audience 8adf8e6e-67b2-4cf2-a259-e3dc5476c621
}

// During a migration from the secret token to Entra-issued JWTs, accept
// both. The static token's Tenant is the Entra tenant ID, so both land in
// the same tenant.
func Example_any() {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	entraAuth, err := entra.New(context.Background(), entra.Config{
		Tenants:       []string{exampleTenant},
		AuthorityHost: iss.URL(),
		HTTPClient:    iss.Client(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer entraAuth.Close()
	a := auth.Any(
		auth.StaticTokens(auth.Token{Secret: "s3cr3t-2026", Tenant: exampleTenant, Name: "secret-token"}),
		entraAuth,
	)

	for _, token := range []string{"s3cr3t-2026", iss.Token(exampleTenant), "wrong"} {
		r := httptest.NewRequest("GET", "/scim/v2/Users", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		p, err := a.Authenticate(r)
		fmt.Println(p.Tenant == exampleTenant, p.Method, err)
	}
	// Output:
	// true static-token <nil>
	// true entra-jwt <nil>
	// false  the bearer token is not one of the configured tokens
}
