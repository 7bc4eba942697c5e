package auth_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/auth"
)

func request(header, query string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/Users"+query, nil)
	if header != "" {
		r.Header.Set("Authorization", header)
	}
	return r
}

func TestStaticTokens(t *testing.T) {
	a := auth.StaticTokens(
		auth.Token{Secret: "old-secret", Tenant: "acme", Name: "2025"},
		auth.Token{Secret: "new-secret", Tenant: "acme", Name: "2026"},
		auth.Token{Secret: "globex-secret", Tenant: "globex"},
	)
	tests := []struct {
		name, header, query string
		want                auth.Principal
		wantErr             error
	}{
		{name: "old token during rotation", header: "Bearer old-secret", want: auth.Principal{Tenant: "acme", Subject: "2025", Method: "static-token"}},
		{name: "new token during rotation", header: "Bearer new-secret", want: auth.Principal{Tenant: "acme", Subject: "2026", Method: "static-token"}},
		{name: "other tenant", header: "Bearer globex-secret", want: auth.Principal{Tenant: "globex", Method: "static-token"}},
		{name: "scheme in any case", header: "bearer new-secret", want: auth.Principal{Tenant: "acme", Subject: "2026", Method: "static-token"}},
		{name: "no header", wantErr: auth.ErrNoToken},
		{name: "empty bearer", header: "Bearer ", wantErr: auth.ErrNoToken},
		{name: "basic scheme", header: "Basic bmV3LXNlY3JldA==", wantErr: auth.ErrNoToken},
		{name: "wrong token", header: "Bearer nope", wantErr: auth.ErrInvalidToken},
		{name: "prefix of a token", header: "Bearer new-secre", wantErr: auth.ErrInvalidToken},
		{name: "token in query string", header: "Bearer new-secret", query: "?access_token=new-secret", wantErr: auth.ErrTokenInQuery},
		{name: "token in query string, escaped, after a filter", header: "Bearer new-secret", query: "?filter=userName%20eq%20%22a%22&%61ccess%5Ftoken=new-secret", wantErr: auth.ErrTokenInQuery},
		{name: "access_token as a value only", header: "Bearer new-secret", query: "?filter=access_token&x=access_token", want: auth.Principal{Tenant: "acme", Subject: "2026", Method: "static-token"}},
		{name: "20 KiB token", header: "Bearer " + strings.Repeat("x", 20<<10), wantErr: auth.ErrTokenTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := a.Authenticate(request(tc.header, tc.query))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStaticTokensKeepsNoSecret(t *testing.T) {
	a := auth.StaticTokens(auth.Token{Secret: "very-secret-value", Tenant: "acme"})
	if s := fmt.Sprintf("%#v", a); strings.Contains(s, "very-secret-value") || !strings.Contains(s, "sum:") {
		t.Fatal("the Authenticator holds the secret in clear")
	}
}

func TestParseTokens(t *testing.T) {
	got, err := auth.ParseTokens(strings.NewReader("# tokens\nacme:s1\n\nacme:rotation-2026:s2, globex:s3\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []auth.Token{
		{Tenant: "acme", Secret: "s1"},
		{Tenant: "acme", Name: "rotation-2026", Secret: "s2"},
		{Tenant: "globex", Secret: "s3"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{"", "# only a comment\n", "no-colon", ":secret", "tenant:"} {
		if _, err := auth.ParseTokens(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseTokens(%q) succeeded, want an error", bad)
		}
	}
}

func TestNone(t *testing.T) {
	a := auth.None("dev")
	p, err := a.Authenticate(request("", ""))
	if err != nil || p.Tenant != "dev" || p.Method != "none" {
		t.Fatalf("None: %+v, %v", p, err)
	}
	type insecure interface{ Insecure() string }
	if _, ok := a.(insecure); !ok {
		t.Error("None does not say it is insecure")
	}
	if _, ok := auth.Authenticator(auth.StaticTokens(auth.Token{Secret: "s", Tenant: "t"})).(insecure); ok {
		t.Error("StaticTokens says it is insecure")
	}
}
