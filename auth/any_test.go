package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scimkit/scimkit/auth"
)

func TestAnyTieGoesToTheFirst(t *testing.T) {
	first := auth.AuthenticatorFunc(func(*http.Request) (auth.Principal, error) {
		return auth.Principal{}, fmt.Errorf("first: %w", auth.ErrTokenExpired)
	})
	second := auth.AuthenticatorFunc(func(*http.Request) (auth.Principal, error) {
		return auth.Principal{}, fmt.Errorf("second: %w", auth.ErrWrongAudience)
	})
	_, err := auth.Any(first, second).Authenticate(bearer("x"))
	if err == nil || err.Error() != "first: the token has expired" {
		t.Errorf("err = %v, want the first authenticator's", err)
	}
}

func TestAnyPanicsWithoutAuthenticators(t *testing.T) {
	for name, f := range map[string]func(){
		"none": func() { auth.Any() },
		"nil":  func() { auth.Any(auth.None("t"), nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Any(%s) did not panic", name)
				}
			}()
			f()
		}()
	}
}

// bearer builds a GET /Users request carrying token.
func bearer(token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/Users", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

type healthAuth struct {
	auth.Authenticator
	err error
}

func (h healthAuth) CheckHealth(context.Context) error { return h.err }

func TestAnyChecksHealthOfEach(t *testing.T) {
	static := auth.StaticTokens(auth.Token{Secret: "s", Tenant: "t"})
	down := errors.New("keys unavailable")
	if err := auth.Any(static, healthAuth{static, nil}).(interface{ CheckHealth(context.Context) error }).CheckHealth(context.Background()); err != nil {
		t.Errorf("all healthy: %v", err)
	}
	err := auth.Any(healthAuth{static, nil}, static, healthAuth{static, down}).(interface{ CheckHealth(context.Context) error }).CheckHealth(context.Background())
	if !errors.Is(err, down) {
		t.Errorf("one unhealthy: %v, want it to wrap %v", err, down)
	}
}
