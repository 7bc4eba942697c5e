package oauth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/scimkit/scimkit/auth/oauth"
)

// A token endpoint for one client, and the Authenticator that accepts the
// tokens it issues (give it to scim.Config.Auth).
func ExampleNewServer() {
	// The secret is given to the customer (Entra's Client Secret field);
	// only its hash is configured. HashSecret uses 600,000 iterations;
	// this example uses fewer to run fast.
	secret := "an-example-secret-of-32-bytes-min"
	hash, err := oauth.HashSecretCost(secret, oauth.MinIterations)
	if err != nil {
		fmt.Println(err)
		return
	}
	clients, err := oauth.NewClients(oauth.Client{
		ID:      "contoso-entra",
		Tenant:  "contoso",
		Secrets: []oauth.Secret{{Hash: hash}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv, err := oauth.NewServer(oauth.Config{
		Clients:    clients,
		Issuer:     "https://scim.example.com",
		SigningKey: oauth.Key{ID: "2026-06", Secret: []byte("0123456789abcdef0123456789abcdef")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// What Entra sends.
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"contoso-entra"}, "client_secret": {secret}}
	r := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	var resp struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	_ = json.Unmarshal(w.Body.Bytes(), &resp)
	fmt.Println(w.Code, resp.TokenType, resp.ExpiresIn)

	p, err := srv.Authenticator().Validate(context.Background(), resp.AccessToken)
	fmt.Println(p.Tenant, p.Subject, p.Method, err)
	// Output:
	// 200 Bearer 3600
	// contoso contoso-entra oauth-client-credentials <nil>
}
