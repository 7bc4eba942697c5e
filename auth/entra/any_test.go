package entra_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/authtest"
)

func TestAnyWithStaticTokens(t *testing.T) {
	f := newFixture(t)
	static := auth.StaticTokens(auth.Token{Secret: "s3cr3t", Tenant: f.a, Name: "entra-secret"})
	expired := f.iss.Mint(f.a, authtest.Claims{"exp": f.clock.Now().Add(-time.Hour).Unix()})
	cases := []struct {
		name    string
		req     *http.Request
		want    auth.Principal
		wantErr error
	}{
		{"secret token", bearer("s3cr3t"), auth.Principal{Tenant: f.a, Subject: "entra-secret", Method: "static-token"}, nil},
		{"Entra JWT", bearer(f.iss.Mint(f.a, authtest.Claims{"sub": "sf"})), auth.Principal{Tenant: f.a, Subject: "sf", Method: "entra-jwt"}, nil},
		{"wrong secret: not one of the tokens wins over not a JWT", bearer("wrong"), auth.Principal{}, auth.ErrInvalidToken},
		{"expired JWT: expired wins over not one of the tokens", bearer(expired), auth.Principal{}, auth.ErrTokenExpired},
		{"unknown tenant", bearer(f.iss.Token(f.other)), auth.Principal{}, auth.ErrTenantNotAllowed},
		{"no token", httptest.NewRequest(http.MethodGet, "/Users", nil), auth.Principal{}, auth.ErrNoToken},
		{"token in the query", httptest.NewRequest(http.MethodGet, "/Users?access_token=s3cr3t", nil), auth.Principal{}, auth.ErrTokenInQuery},
	}
	for _, order := range []string{"static first", "entra first"} {
		a := auth.Any(static, f.entra)
		if order == "entra first" {
			a = auth.Any(f.entra, static)
		}
		for _, c := range cases {
			t.Run(order+"/"+c.name, func(t *testing.T) {
				got, err := a.Authenticate(c.req)
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("err = %v, want %v", err, c.wantErr)
				}
				if diff := cmp.Diff(c.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	}
}
