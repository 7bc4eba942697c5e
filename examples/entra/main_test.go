package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth/authtest"
	"github.com/scimkit/scimkit/scim/scimtest"
)

// start runs the example with args on a free loopback port and returns
// what it printed, by label ("SCIM endpoint", "Token" …), once it has
// printed n lines.
func start(t *testing.T, n int, args ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), pw, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("entra: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("entra did not shut down")
		}
	})
	lines := make(chan string, n)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(nil, 64<<10)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	out := map[string]string{}
	for range n {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("entra printed %d lines, want %d", len(out), n)
			}
			k, v, _ := strings.Cut(l, ":")
			out[k] = strings.TrimSpace(v)
		case err := <-done:
			t.Fatalf("entra stopped: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("entra printed nothing")
		}
	}
	return out
}

// proxyTo returns a handler forwarding to base's server over real HTTP.
func proxyTo(t *testing.T, base string) http.Handler {
	t.Helper()
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/scim/v2") {
		t.Fatalf("base URL %q", base)
	}
	u, _ := url.Parse(base)
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	proxy.Transport = &http.Transport{Proxy: nil}
	return proxy
}

func status(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/Users", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := (&http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestFakeIssuer runs `go run ./examples/entra -fake-issuer` and replays
// Entra against it with the token it printed, over real HTTP.
func TestFakeIssuer(t *testing.T) {
	out := start(t, 5, "-fake-issuer")
	base, token := out["SCIM endpoint"], out["Token"]
	if strings.Count(token, ".") != 2 {
		t.Fatalf("printed token %q, want a JWT", token)
	}
	if !strings.Contains(out["Try"], "curl") || !strings.Contains(out["Try"], token) {
		t.Errorf("printed %q, want a curl line with the token", out["Try"])
	}
	if !strings.Contains(out["Fake issuer"], "/discovery/keys") {
		t.Errorf("printed %q, want the keys URL", out["Fake issuer"])
	}
	h := proxyTo(t, base)
	opts := scimtest.Options{Token: token, Prefix: "/scim/v2"}
	scimtest.Entra(t, h, opts)
	scimtest.EntraFlagged(t, h, opts)

	if s := status(t, base, ""); s != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", s)
	}
	forged := token[:strings.LastIndex(token, ".")+1] + "AAAA"
	if s := status(t, base, forged); s != http.StatusUnauthorized {
		t.Errorf("forged signature: %d, want 401", s)
	}
}

// TestAuthorityHost points the example at a fake issuer running outside
// it, as -authority-host does for a sovereign cloud.
func TestAuthorityHost(t *testing.T) {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	a, b := authtest.NewTenantID(), authtest.NewTenantID()
	out := start(t, 3, "-tenant", a, "-tenant", b, "-authority-host", iss.URL())
	base := out["SCIM endpoint"]
	if out["Tenants"] != a+" "+b {
		t.Errorf("printed tenants %q", out["Tenants"])
	}
	if !strings.Contains(out["In Entra"], "Secret Token left blank") {
		t.Errorf("printed %q", out["In Entra"])
	}
	scimtest.Entra(t, proxyTo(t, base), scimtest.Options{Token: iss.Token(b), Prefix: "/scim/v2"})
	if s := status(t, base, iss.Token(a)); s != http.StatusOK {
		t.Errorf("tenant a: %d, want 200", s)
	}
	if s := status(t, base, iss.Token(authtest.NewTenantID())); s != http.StatusUnauthorized {
		t.Errorf("a tenant not allowed: %d, want 401", s)
	}
	if s := status(t, base, iss.Mint(a, authtest.Claims{"aud": "someone-else"})); s != http.StatusUnauthorized {
		t.Errorf("another audience: %d, want 401", s)
	}
	if code, body := get(t, strings.TrimSuffix(base, "/scim/v2")+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz with both tenants' keys at hand: %d %s, want 200", code, body)
	}
}

// TestReadyzWithoutSigningKeys: while the tenants' signing keys cannot be
// fetched, /readyz says so (503) and /healthz does not.
func TestReadyzWithoutSigningKeys(t *testing.T) {
	iss := authtest.NewIssuer(authtest.Options{})
	host := iss.URL()
	iss.Close() // keys unreachable
	out := start(t, 3, "-tenant", authtest.NewTenantID(), "-authority-host", host)
	root := strings.TrimSuffix(out["SCIM endpoint"], "/scim/v2")
	if code, body := get(t, root+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "auth") {
		t.Errorf("/readyz without signing keys: %d %s, want 503 naming auth", code, body)
	}
	if code, _ := get(t, root+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d, want 200 (liveness does not depend on the keys)", code)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-tenant", "contoso.onmicrosoft.com"},
		{"-fake-issuer", "-authority-host", "https://login.microsoftonline.us"},
		{"-tenant", authtest.NewTenantID(), "-authority-host", "http://login.example.com"},
		{"-fake-issuer", "extra"},
	} {
		if err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, args...), io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) succeeded, want an error", args)
		}
	}
}
