package scim_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/internal/entracode"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// waitingStore's Get waits for the request's context to end, as a
// database call does, and returns its error wrapped as a Store would.
type waitingStore struct {
	store.Store
	entered chan struct{}
}

func (s *waitingStore) Get(ctx context.Context, typ, id string) (*store.Resource, error) {
	close(s.entered)
	<-ctx.Done()
	return nil, fmt.Errorf("teststore: reading %s %s: %w", typ, id, ctx.Err())
}

// TestClientGoneIsNotAServerError: a client that hangs up (Entra's own
// timeout) leaves a 499 in the event and a WARN line, not a 500 and an
// ERROR line that pages someone; a deadline the service set answers 503
// with Retry-After (an ERROR: the service is too slow).
func TestClientGoneIsNotAServerError(t *testing.T) {
	for _, tc := range []struct {
		name       string
		ctx        func() (context.Context, func(started <-chan struct{}))
		status     int
		entraCode  string
		logLevel   string
		retryAfter bool
	}{
		{"client closed", func() (context.Context, func(<-chan struct{})) {
			ctx, cancel := context.WithCancel(context.Background())
			return ctx, func(started <-chan struct{}) { <-started; cancel() }
		}, scim.StatusClientClosedRequest, entracode.Timeout, "WARN", false},
		{"deadline passed", func() (context.Context, func(<-chan struct{})) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			return ctx, func(<-chan struct{}) { time.AfterFunc(time.Second, cancel) }
		}, http.StatusServiceUnavailable, "", "ERROR", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obs := &eventLog{}
			logs := &syncBuffer{}
			st := &waitingStore{Store: memory.New(), entered: make(chan struct{})}
			h := newHandler(t, func(c *scim.Config) {
				c.Store = st
				c.Observer = scim.MultiObserver(scim.NewAccessLog(slog.New(slog.NewTextHandler(logs, nil)), slog.LevelInfo), obs)
			})
			ctx, stop := tc.ctx()
			go stop(st.entered)
			req := httptest.NewRequestWithContext(ctx, "GET", "/Users/0c6f3b0e-5b7e-4b43-9f0e-8f1c2a3b4c5d", nil)
			req.Header.Set("Authorization", "Bearer "+testToken)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if rec.Code != tc.status {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if got := rec.Header().Get("Retry-After") != ""; got != tc.retryAfter {
				t.Errorf("Retry-After %q, want one: %v", rec.Header().Get("Retry-After"), tc.retryAfter)
			}
			if strings.Contains(rec.Body.String(), "internal error") {
				t.Errorf("body %s: want no internal error", rec.Body)
			}
			e := obs.last(t)
			if e.Status != tc.status {
				t.Errorf("event status %d, want %d", e.Status, tc.status)
			}
			if tc.entraCode != "" && e.EntraCode != tc.entraCode {
				t.Errorf("event Entra code %q, want %q", e.EntraCode, tc.entraCode)
			}
			log := logs.String()
			if strings.Count(log, "\n") != 1 || !strings.Contains(log, "level="+tc.logLevel) || !strings.Contains(log, fmt.Sprintf("status=%d", tc.status)) {
				t.Errorf("log %q: want one %s line with status %d", log, tc.logLevel, tc.status)
			}
		})
	}
}
