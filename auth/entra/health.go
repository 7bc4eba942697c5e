package entra

import (
	"context"
	"errors"
	"fmt"
)

// CheckHealth reports whether the signing keys of every tenant in
// Config.Tenants are available: nil when each is cached, or fetched
// within ctx, else an error naming each tenant whose keys are missing
// and why. A tenant whose keys are missing is fetched at most once per
// MinRefreshInterval on behalf of health checks (a probe every few
// seconds must not hammer a JWKS endpoint that is down): in between, the
// last failure is reported without a fetch. An Authenticator built with
// AllowTenant instead of Tenants has no tenant it must serve, so it is
// healthy. A health endpoint (scim's) calls this method on any
// Authenticator that has it.
func (e *Authenticator) CheckHealth(ctx context.Context) error {
	var errs []error
	for _, tenant := range e.configured {
		s := e.keys.get(tenant)
		if s == nil || s.keys.Load() != nil {
			continue
		}
		s.mu.Lock()
		call := s.inflight
		now := e.keys.clock()
		if call == nil && (s.attempted.IsZero() || now.Sub(s.attempted) >= e.keys.minRefresh) {
			call = e.keys.startFetchLocked(s, false)
		}
		s.mu.Unlock()
		if call != nil {
			select {
			case <-call.done:
			case <-ctx.Done():
				errs = append(errs, fmt.Errorf("entra: tenant %s: no signing keys yet: still fetching %s: %w", tenant, s.url, ctx.Err()))
				continue
			}
		}
		if s.keys.Load() != nil {
			continue
		}
		s.mu.Lock()
		err := s.lastErr
		s.mu.Unlock()
		if err == nil {
			err = errors.New("never fetched")
		}
		errs = append(errs, fmt.Errorf("entra: tenant %s: no signing keys (%s): %w", tenant, s.url, err))
	}
	return errors.Join(errs...)
}
