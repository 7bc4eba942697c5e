package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth/oauth"
	"github.com/scimkit/scimkit/scim/scimtest"
)

// getToken posts form (with HTTP Basic when user is set) to the token
// endpoint and returns the access token.
func getToken(t *testing.T, tokenURL string, form url.Values, user, pass string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	res, err := (&http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	_ = json.NewDecoder(res.Body).Decode(&body)
	if res.StatusCode == http.StatusOK && (body.TokenType != "Bearer" || body.ExpiresIn != 3600) {
		t.Errorf("token_type %q, expires_in %d", body.TokenType, body.ExpiresIn)
	}
	return res.StatusCode, body.AccessToken
}

// TestClientCredentialsMode: the gallery's client credentials, as Entra
// uses them: a token from the printed client id and secret, then the
// Entra provisioning sequence with it.
func TestClientCredentialsMode(t *testing.T) {
	out := start(t, 5, "-mode", "client-credentials", "-fake-issuer")
	base, tokenURL, id, secret := out["SCIM endpoint"], out["Token endpoint"], out["Client ID"], out["Client secret"]
	if !strings.HasSuffix(tokenURL, "/oauth/token") || id != "demo" || len(secret) < 32 {
		t.Fatalf("printed %v", out)
	}
	cc := url.Values{"grant_type": {"client_credentials"}}
	if code, _ := getToken(t, tokenURL, cc, id, "wrong-secret-0123456789"); code != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d, want 401", code)
	}
	code, token := getToken(t, tokenURL, cc, id, secret)
	if code != http.StatusOK || token == "" {
		t.Fatalf("client_secret_basic: %d", code)
	}
	h := proxyTo(t, base)
	opts := scimtest.Options{Token: token, Prefix: "/scim/v2"}
	scimtest.Entra(t, h, opts)
	if s := status(t, base, ""); s != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", s)
	}
	if s := status(t, base, token[:len(token)-2]+"AA"); s != http.StatusUnauthorized {
		t.Errorf("tampered token: %d, want 401", s)
	}
}

// TestFederationMode: workload identity federation against the fake
// issuer: the printed v2 assertion buys an access token, once.
func TestFederationMode(t *testing.T) {
	out := start(t, 5, "-mode", "federation", "-fake-issuer")
	base, tokenURL, assertion := out["SCIM endpoint"], out["Token endpoint"], out["Assertion"]
	if strings.Count(assertion, ".") != 2 || !strings.Contains(out["Fake issuer"], "/discovery/v2.0/keys") {
		t.Fatalf("printed %v", out)
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_id":             {"demo"},
		"client_assertion_type": {oauth.AssertionType},
		"client_assertion":      {assertion},
	}
	code, token := getToken(t, tokenURL, form, "", "")
	if code != http.StatusOK || token == "" {
		t.Fatalf("client assertion: %d", code)
	}
	if code, _ := getToken(t, tokenURL, form, "", ""); code != http.StatusUnauthorized {
		t.Errorf("replayed assertion: %d, want 401", code)
	}
	scimtest.Entra(t, proxyTo(t, base), scimtest.Options{Token: token, Prefix: "/scim/v2"})
}
