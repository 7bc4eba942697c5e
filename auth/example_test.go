package auth_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/scimkit/scimkit/auth"
)

// Each token acts in its tenant. During a rotation the old and the new
// token are both valid: add the new one, paste it into Entra's Secret
// Token field, then remove the old one.
func ExampleStaticTokens() {
	a := auth.StaticTokens(
		auth.Token{Secret: "s3cr3t-2025", Tenant: "acme", Name: "entra-2025"},
		auth.Token{Secret: "s3cr3t-2026", Tenant: "acme", Name: "entra-2026"},
	)
	r := httptest.NewRequest("GET", "/scim/v2/Users", nil)
	r.Header.Set("Authorization", "Bearer s3cr3t-2026")
	p, err := a.Authenticate(r)
	fmt.Println(p.Tenant, p.Subject, err)
	// Output: acme entra-2026 <nil>
}

// Tokens can come from a file or an environment variable, one
// tenant:secret (or tenant:name:secret) a line or separated by commas.
func ExampleParseTokens() {
	os.Setenv("SCIM_TOKENS", "acme:entra:s3cr3t,globex:0th3r")
	tokens, err := auth.ParseTokens(strings.NewReader(os.Getenv("SCIM_TOKENS")))
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = auth.StaticTokens(tokens...)
	fmt.Println(len(tokens), tokens[0].Tenant, tokens[1].Tenant)
	// Output: 2 acme globex
}
