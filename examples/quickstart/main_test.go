package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/scim/scimtest"
)

// TestQuickstartServesEntraAndOkta starts the quickstart as `go run` would
// (on a free loopback port) and replays Entra and Okta against it over
// real HTTP.
func TestQuickstartServesEntraAndOkta(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-token", "qs-secret", "-store", "sqlite:" + filepath.Join(t.TempDir(), "qs.db")}, pw, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("quickstart: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("quickstart did not shut down")
		}
	})

	lines := make(chan string, 3)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var base string
	for i := 0; i < 5; i++ {
		select {
		case l := <-lines:
			if strings.HasPrefix(l, "SCIM endpoint:") {
				base = strings.TrimSpace(strings.TrimPrefix(l, "SCIM endpoint:"))
			}
			if strings.HasPrefix(l, "Secret token:") && !strings.Contains(l, "qs-secret") {
				t.Errorf("printed %q, want the token", l)
			}
			if strings.HasPrefix(l, "Base URL:") && !strings.Contains(l, "-base-url") {
				t.Errorf("printed %q, want advice to set -base-url", l)
			}
			if strings.HasPrefix(l, "Try:") && !strings.Contains(l, "curl") {
				t.Errorf("printed %q, want a curl line", l)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("quickstart printed nothing")
		}
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/scim/v2") {
		t.Fatalf("base URL %q", base)
	}
	u, _ := url.Parse(base)
	origin := &url.URL{Scheme: u.Scheme, Host: u.Host}
	proxy := httputil.NewSingleHostReverseProxy(origin)
	proxy.Transport = &http.Transport{Proxy: nil}

	opts := scimtest.Options{Token: "qs-secret", Prefix: "/scim/v2"}
	scimtest.Entra(t, proxy, opts)
	scimtest.EntraFlagged(t, proxy, opts)
	scimtest.Okta(t, proxy, opts)
}

// With -base-url, the URLs in responses start with it, whatever Host a
// request names.
func TestQuickstartBaseURL(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-token", "qs-secret", "-store", "memory", "-base-url", "https://scim.example.com/scim/v2"}, pw, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		go io.Copy(io.Discard, pr)
		<-done
	})
	sc := bufio.NewScanner(pr)
	var base string
	for base == "" && sc.Scan() {
		if l, ok := strings.CutPrefix(sc.Text(), "SCIM endpoint:"); ok {
			base = strings.TrimSpace(l)
		}
	}
	go io.Copy(io.Discard, pr)
	req, _ := http.NewRequest(http.MethodPost, base+"/Users", strings.NewReader(`{"userName":"b@example.com"}`))
	req.Host = "evil.example"
	req.Header.Set("Authorization", "Bearer qs-secret")
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "https://scim.example.com/scim/v2/Users/") {
		t.Errorf("Location %q, want it under -base-url", loc)
	}
}
