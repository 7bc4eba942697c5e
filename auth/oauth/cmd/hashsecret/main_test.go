package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/auth/oauth"
)

// parse returns the labelled lines hashsecret printed.
func parse(out string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(l, ":")
		m[k] = strings.TrimSpace(v)
	}
	return m
}

// TestHashWorksAtTheEndpoint: the printed hash, put in a client,
// authenticates the secret, generated or read from stdin.
func TestHashWorksAtTheEndpoint(t *testing.T) {
	var gen bytes.Buffer
	if err := run([]string{"-iterations", "1000"}, strings.NewReader(""), &gen); err != nil {
		t.Fatal(err)
	}
	g := parse(gen.String())
	var in bytes.Buffer
	const mine = "a-secret-typed-by-the-operator-123"
	if err := run([]string{"-stdin", "-iterations", "1000"}, strings.NewReader(mine+"\r\n"), &in); err != nil {
		t.Fatal(err)
	}
	s := parse(in.String())
	if _, printed := s["secret"]; printed {
		t.Error("-stdin printed the secret")
	}
	for _, c := range []struct{ secret, hash string }{{g["secret"], g["hash"]}, {mine, s["hash"]}} {
		if strings.Contains(c.hash, c.secret) {
			t.Fatalf("the hash %q contains the secret", c.hash)
		}
		clients, err := oauth.NewClients(oauth.Client{ID: "c", Tenant: "t", Secrets: []oauth.Secret{{Hash: c.hash}}})
		if err != nil {
			t.Fatal(err)
		}
		srv, err := oauth.NewServer(oauth.Config{Clients: clients, Issuer: "https://x.example", SigningKey: oauth.GenerateKey("k")})
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"c"}, "client_secret": {c.secret}}
		r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Errorf("secret %q with its printed hash: %d %s", c.secret, w.Code, w.Body)
		}
	}
	if err := run([]string{"-stdin"}, strings.NewReader("short\n"), &bytes.Buffer{}); err == nil {
		t.Error("a 5-byte secret was hashed")
	}
}
