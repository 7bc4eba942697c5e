package scim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/scimkit/scimkit/internal/clip"
)

// HealthChecker is implemented by a Store or Authenticator that can say
// whether it is able to serve: a database Store pings its database, the
// Entra authenticator checks that it holds signing keys for its tenants.
// The Handler's CheckHealth and ReadinessHandler call it on Config.Store
// and Config.Auth when they implement it.
type HealthChecker interface {
	CheckHealth(ctx context.Context) error
}

// HealthError is the error of CheckHealth: the component that is not
// healthy ("store" or "auth") and why.
type HealthError struct {
	Component string
	Err       error
}

func (e *HealthError) Error() string { return "scim: " + e.Component + " unhealthy: " + e.Err.Error() }

func (e *HealthError) Unwrap() error { return e.Err }

// DefaultHealthTimeout bounds CheckHealth in ReadinessHandler when it is
// given no timeout.
const DefaultHealthTimeout = 2 * time.Second

// CheckHealth checks the Handler's dependencies, each that implements
// HealthChecker: the Store, then the Authenticator. It returns nil when
// all are healthy, else one *HealthError per unhealthy component
// (errors.Join). A check that does not return by ctx's deadline fails
// with ctx's error.
func (h *Handler) CheckHealth(ctx context.Context) error {
	deps := [...]struct {
		name string
		dep  any
	}{{"store", h.store}, {"auth", h.auth}}
	var errs [len(deps)]error
	var wg sync.WaitGroup
	for i, d := range deps {
		if hc, ok := d.dep.(HealthChecker); ok {
			wg.Go(func() {
				if err := checkWithin(ctx, hc); err != nil {
					errs[i] = &HealthError{Component: d.name, Err: err}
				}
			})
		}
	}
	wg.Wait()
	return errors.Join(errs[:]...)
}

// checkWithin runs hc's check, returning when ctx is done even if the
// check does not.
func checkWithin(ctx context.Context, hc HealthChecker) error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- fmt.Errorf("health check panicked: %v", v)
			}
		}()
		done <- hc.CheckHealth(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		select {
		case err := <-done:
			return err
		default:
			return ctx.Err()
		}
	}
}

// LivenessHandler answers 200 "ok" to every request without touching
// any dependency: mount it at /healthz for an orchestrator to restart
// the process only when it no longer serves HTTP at all.
func (h *Handler) LivenessHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeHealth(w, http.StatusOK, `{"status":"ok"}`)
	})
}

// ReadinessHandler answers 200 when CheckHealth passes within timeout
// (zero: DefaultHealthTimeout), else 503 naming the components that
// failed, {"status":"unavailable","failed":["store"]}; why they failed
// is logged at WARN through Config.Logger, with the request's context,
// not answered. Mount it at /readyz for a load balancer to send traffic
// only to instances that can serve it.
func (h *Handler) ReadinessHandler(timeout time.Duration) http.Handler {
	if timeout <= 0 {
		timeout = DefaultHealthTimeout
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		err := h.CheckHealth(ctx)
		if err == nil {
			writeHealth(w, http.StatusOK, `{"status":"ok"}`)
			return
		}
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "scim: not ready", slog.String("error", clip.String(err.Error(), maxLogText)))
		body := []byte(`{"status":"unavailable","failed":[`)
		var n int
		for _, e := range failedComponents(err) {
			if n > 0 {
				body = append(body, ',')
			}
			body = strconv.AppendQuote(body, e)
			n++
		}
		body = append(body, "]}"...)
		writeHealth(w, http.StatusServiceUnavailable, string(body))
	})
}

// failedComponents lists the components of CheckHealth's error.
func failedComponents(err error) []string {
	var out []string
	var walk func(error)
	walk = func(err error) {
		if he, ok := err.(*HealthError); ok {
			out = append(out, he.Component)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return out
}

func writeHealth(w http.ResponseWriter, status int, body string) {
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
