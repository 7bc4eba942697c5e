package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the consumer goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestEntraActionsArriveAsEvents: Entra's create and disable, sent to the
// example's endpoint, are printed by its consumer as created and
// deactivated, in that order.
func TestEntraActionsArriveAsEvents(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errs syncBuffer
	ready := make(chan string, 1)
	done := make(chan error, 1)
	db := "sqlite:" + filepath.Join(t.TempDir(), "feed.db")
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-token", "tok", "-db", db}, &out, &errs, ready)
	}()
	var base string
	select {
	case base = <-ready:
	case err := <-done:
		t.Fatalf("run: %v\n%s", err, errs.String())
	}
	send := func(method, path, body string) *http.Response {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer tok")
		req.Header.Set("Content-Type", "application/scim+json")
		req.Header.Set("X-Request-ID", "entra-"+strings.ToLower(method))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := send("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@contoso.com","active":true}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	id := loc[strings.LastIndexByte(loc, '/')+1:]
	if r := send("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`); r.StatusCode != http.StatusOK {
		t.Fatalf("PATCH: %d", r.StatusCode)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "deactivated") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("printed %d lines, want 2 (created, deactivated):\n%s", len(lines), out.String())
	}
	for i, want := range []string{"default user " + id[:8] + "… created by static-token (request entra-po…)", "default user " + id[:8] + "… deactivated [active] by static-token (request entra-pa…)"} {
		if !strings.HasSuffix(lines[i], want) {
			t.Errorf("line %d: %q, want it to end %q", i+1, lines[i], want)
		}
	}
	cancel()
	if err := <-done; err != nil && err != context.Canceled {
		t.Errorf("run after cancel: %v", err)
	}
}
