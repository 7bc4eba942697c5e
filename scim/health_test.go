package scim_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// healthStore is a Store whose CheckHealth answers err, or blocks until
// its context is done while hang is set.
type healthStore struct {
	store.Store
	err    error
	hang   bool
	checks atomic.Int64
}

func (s *healthStore) CheckHealth(ctx context.Context) error {
	s.checks.Add(1)
	if s.hang {
		<-ctx.Done()
		time.Sleep(50 * time.Millisecond) // a check that ignores its deadline a while
		return ctx.Err()
	}
	return s.err
}

// healthAuth is an Authenticator with a CheckHealth.
type healthAuth struct {
	auth.Authenticator
	err error
}

func (a healthAuth) CheckHealth(context.Context) error { return a.err }

func readiness(t *testing.T, h *scim.Handler, timeout time.Duration) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ReadinessHandler(timeout).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("readiness body %q: %v", rec.Body, err)
	}
	return rec.Code, body
}

func TestHealth(t *testing.T) {
	down := errors.New("connection refused")
	tests := []struct {
		name       string
		storeErr   error
		authErr    error
		hang       bool
		wantStatus int
		wantFailed []any
	}{
		{"healthy", nil, nil, false, 200, nil},
		{"store down", down, nil, false, 503, []any{"store"}},
		{"no signing keys", nil, errors.New("no signing keys for tenant"), false, 503, []any{"auth"}},
		{"both", down, down, false, 503, []any{"store", "auth"}},
		{"store hangs", nil, nil, true, 503, []any{"store"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &healthStore{Store: memory.New(), err: tt.storeErr, hang: tt.hang}
			h := newHandler(t, func(c *scim.Config) {
				c.Store = st
				c.Auth = healthAuth{Authenticator: c.Auth, err: tt.authErr}
			})
			start := time.Now()
			status, body := readiness(t, h, 20*time.Millisecond)
			if tt.hang && time.Since(start) > 5*time.Second {
				t.Errorf("a hanging check held /readyz for %v", time.Since(start))
			}
			if status != tt.wantStatus {
				t.Errorf("readiness %d, want %d (%v)", status, tt.wantStatus, body)
			}
			// An unauthenticated probe learns which component failed,
			// never why (a database address, a tenant id).
			if raw, _ := json.Marshal(body); strings.Contains(string(raw), "refused") || strings.Contains(string(raw), "tenant") {
				t.Errorf("readiness body leaks the cause: %s", raw)
			}
			failed, _ := body["failed"].([]any)
			if diff := cmp.Diff(tt.wantFailed, failed); diff != "" {
				t.Errorf("failed (-want +got):\n%s", diff)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
			err := h.CheckHealth(ctx)
			cancel()
			if tt.hang {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("CheckHealth of a hanging store = %v, want DeadlineExceeded", err)
				}
			}
			var he *scim.HealthError
			if (err == nil) != (tt.wantStatus == 200) || (err != nil && !errors.As(err, &he)) {
				t.Errorf("CheckHealth = %v", err)
			}
			if tt.storeErr != nil && !errors.Is(err, tt.storeErr) {
				t.Errorf("CheckHealth = %v, does not wrap the store's error", err)
			}

			// Liveness never touches a dependency.
			n := st.checks.Load()
			rec := httptest.NewRecorder()
			h.LivenessHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
			if rec.Code != http.StatusOK || st.checks.Load() != n {
				t.Errorf("liveness %d with %d store checks, want 200 and none", rec.Code, st.checks.Load()-n)
			}
		})
	}
}

// TestHealthWithoutCheckers: a Store and Authenticator without
// CheckHealth are healthy (the memory store needs none).
func TestHealthWithoutCheckers(t *testing.T) {
	h := newHandler(t)
	if status, body := readiness(t, h, 0); status != 200 || body["status"] != "ok" {
		t.Errorf("readiness %d %v", status, body)
	}
}
