package entra_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth/authtest"
	"github.com/scimkit/scimkit/auth/entra"
	"github.com/scimkit/scimkit/store"
)

// start is the fake time every Entra test begins at.
var start = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)

func newClock() *authtest.Clock { return authtest.NewClock(start) }

// fixture is a fake issuer, two allowed tenants (a and b), one tenant that
// is not allowed (other) and an Entra authenticator over them.
type fixture struct {
	iss            *authtest.Issuer
	clock          *authtest.Clock
	a, b, other    string
	entra          *entra.Authenticator
	cfg            entra.Config
	fetchesAtStart int
}

// newFixture builds a fixture; edit may change the config (and may set
// the issuer down before entra.New runs).
func newFixture(t testing.TB, edit ...func(*fixture, *entra.Config)) *fixture {
	t.Helper()
	clock := newClock()
	f := &fixture{
		iss:   authtest.NewIssuer(authtest.Options{Clock: clock.Now}),
		clock: clock,
		a:     authtest.NewTenantID(),
		b:     authtest.NewTenantID(),
		other: authtest.NewTenantID(),
	}
	t.Cleanup(f.iss.Close)
	f.cfg = entra.Config{
		Tenants:       []string{f.a, f.b},
		AuthorityHost: f.iss.URL(),
		HTTPClient:    f.iss.Client(),
		Clock:         clock.Now,
		Logger:        slog.New(slog.DiscardHandler),
	}
	for _, e := range edit {
		e(f, &f.cfg)
	}
	e, err := entra.New(context.Background(), f.cfg)
	if err != nil {
		t.Fatalf("entra.New: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	f.entra = e
	f.fetchesAtStart = f.iss.Fetches()
	return f
}

// extraFetches is the number of JWKS fetches since entra.New returned.
func (f *fixture) extraFetches() int { return f.iss.Fetches() - f.fetchesAtStart }

// bearer builds a GET /Users request carrying token.
func bearer(token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/Users", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

// countingStore counts every call that reaches the wrapped Store.
type countingStore struct {
	store.Store
	calls atomic.Int64
}

func (s *countingStore) Create(ctx context.Context, r *store.Resource) (*store.Resource, error) {
	s.calls.Add(1)
	return s.Store.Create(ctx, r)
}

func (s *countingStore) Get(ctx context.Context, typ, id string) (*store.Resource, error) {
	s.calls.Add(1)
	return s.Store.Get(ctx, typ, id)
}

func (s *countingStore) Update(ctx context.Context, typ, id, ifMatch string, fn func(*store.Resource) error) (*store.Resource, error) {
	s.calls.Add(1)
	return s.Store.Update(ctx, typ, id, ifMatch, fn)
}

func (s *countingStore) Delete(ctx context.Context, typ, id, ifMatch string) error {
	s.calls.Add(1)
	return s.Store.Delete(ctx, typ, id, ifMatch)
}

func (s *countingStore) List(ctx context.Context, typ string, q store.Query) (*store.Page, error) {
	s.calls.Add(1)
	return s.Store.List(ctx, typ, q)
}
