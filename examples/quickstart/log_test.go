package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is the quickstart's stderr in these tests.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startQuickstart runs the quickstart with args on a free port and
// returns its base URL and its stderr.
func startQuickstart(t *testing.T, args ...string) (string, *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-token", "qs-secret", "-store", "memory"}, args...), pw, stderr)
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
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "SCIM endpoint:"); ok {
			base = strings.TrimSpace(v)
		}
		if strings.HasPrefix(sc.Text(), "Try:") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" {
		t.Fatal("no SCIM endpoint printed")
	}
	return base, stderr
}

func send(t *testing.T, method, url, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer qs-secret")
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// By default each request is one short human line.
func TestQuickstartHumanLog(t *testing.T) {
	base, stderr := startQuickstart(t)
	resp := send(t, "POST", base+"/Users", `{"userName":"ada@example.com"}`)
	id := resp.Header.Get("Location")
	id = id[strings.LastIndexByte(id, '/')+1:]
	send(t, "PATCH", base+"/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	send(t, "POST", base+"/Users", `{"userName":"ada@example.com"}`)

	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^POST /Users 201 create [0-9.]+[µm]?s$`),
		regexp.MustCompile(`^PATCH /Users/` + regexp.QuoteMeta(id) + ` 200 disable [0-9.]+[µm]?s rewrites=2$`),
		regexp.MustCompile(`^POST /Users 409 create [0-9.]+[µm]?s EntryConflict: userName ada@example.com already exists$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines for %d requests:\n%s", len(lines), len(want), stderr)
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d %q does not match %s", i, lines[i], re)
		}
	}
}

// -log json: one JSON access-log object per request.
func TestQuickstartJSONLog(t *testing.T) {
	base, stderr := startQuickstart(t, "-log", "json")
	resp := send(t, "GET", base+"/Users?filter=userName+eq+%22nobody%22", "")
	var lines []map[string]any
	for l := range strings.Lines(stderr.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		lines = append(lines, m)
	}
	if len(lines) != 1 || lines[0]["request_id"] != resp.Header.Get("X-Request-Id") || lines[0]["operation"] != "match" || lines[0]["route"] != "/Users" {
		t.Errorf("JSON log %v", lines)
	}
}

func TestQuickstartHealth(t *testing.T) {
	base, _ := startQuickstart(t)
	root := strings.TrimSuffix(base, "/scim/v2")
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(root + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}
