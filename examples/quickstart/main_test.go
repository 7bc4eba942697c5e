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

	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var base string
	for done := false; !done; {
		select {
		case l := <-lines:
			done = strings.HasPrefix(l, "Try:")
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

// -resource-type serves a type of your own from a JSON file; -strict
// refuses what is not RFC 7644.
func TestQuickstartResourceTypeAndStrict(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-token", "qs-secret", "-store", "memory", "-strict", "-resource-type", "device.json"}, pw, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		go io.Copy(io.Discard, pr)
		if err := <-done; err != nil {
			t.Errorf("quickstart: %v", err)
		}
	})
	sc := bufio.NewScanner(pr)
	var base string
	var printed []string
	for sc.Scan() {
		l := sc.Text()
		printed = append(printed, l)
		if v, ok := strings.CutPrefix(l, "SCIM endpoint:"); ok {
			base = strings.TrimSpace(v)
		}
		if strings.HasPrefix(l, "Try:") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if !strings.Contains(strings.Join(printed, "\n"), "Device at "+base+"/Devices") || !strings.Contains(strings.Join(printed, "\n"), "strict") {
		t.Errorf("the quickstart did not say what it serves:\n%s", strings.Join(printed, "\n"))
	}
	client := &http.Client{Timeout: 10 * time.Second}
	send := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer qs-secret")
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := send(http.MethodPost, "/Devices", `{"schemas":["urn:example:scim:schemas:2.0:Device"],"serialNumber":"SN-1"}`)
	if code != http.StatusCreated || !strings.Contains(body, `"resourceType":"Device"`) {
		t.Fatalf("POST /Devices = %d %s", code, body)
	}
	if code, body := send(http.MethodPost, "/Devices", `{"serialNumber":"sn-1"}`); code != http.StatusConflict {
		t.Errorf("a second device with serialNumber sn-1 = %d %s, want 409", code, body)
	}
	if code, body := send(http.MethodPost, "/Devices", `{"serialNumber":"SN-2","colour":"red"}`); code != http.StatusBadRequest {
		t.Errorf("an unknown attribute in strict mode = %d %s, want 400", code, body)
	}
	if code, body := send(http.MethodGet, "/ResourceTypes/Device", ""); code != http.StatusOK || !strings.Contains(body, "/Devices") {
		t.Errorf("GET /ResourceTypes/Device = %d %s", code, body)
	}
	send(http.MethodPost, "/Users", `{"userName":"strict@example.com"}`)
	code, body = send(http.MethodGet, "/Users?filter=userName+eq+%22strict@example.com%22", "")
	if code != http.StatusOK || !strings.Contains(body, `"id":"`) {
		t.Fatalf("finding the user = %d %s", code, body)
	}
	id := body[strings.Index(body, `"id":"`)+6:]
	id = id[:strings.IndexByte(id, '"')]
	if code, body := send(http.MethodPatch, "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`); code != http.StatusBadRequest {
		t.Errorf("Entra's PATCH quirks in strict mode = %d %s, want 400", code, body)
	}
}
