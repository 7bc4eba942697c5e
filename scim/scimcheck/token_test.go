package scimcheck_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth/authtest"
	"github.com/scimkit/scimkit/scim/scimcheck"
)

func TestExplainToken(t *testing.T) {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	tenant, other := authtest.NewTenantID(), authtest.NewTenantID()
	cfg := scimcheck.TokenConfig{Tenants: []string{tenant}, AuthorityHost: iss.URL(), HTTPClient: iss.Client()}
	cases := []struct {
		name  string
		token string
		cfg   func(c *scimcheck.TokenConfig)
		// check → wanted status and a fragment of its message; the
		// verdict is "entra.New".
		want     map[string]scimcheck.Status
		fragment map[string]string
		accepted bool
	}{
		{
			name:  "valid",
			token: iss.Token(tenant),
			want: map[string]scimcheck.Status{"alg": scimcheck.Pass, "iss": scimcheck.Pass, "tid": scimcheck.Pass, "aud": scimcheck.Pass,
				"exp": scimcheck.Pass, "kid": scimcheck.Pass, "appid": scimcheck.Pass, "entra.New": scimcheck.Pass},
			fragment: map[string]string{"iss": "v1 issuer", "aud": "custom (non-gallery) app", "entra.New": "tenant " + tenant},
			accepted: true,
		},
		{
			name:     "wrong audience (a gallery app's)",
			token:    iss.Mint(tenant, authtest.Claims{"aud": "00000003-0000-0000-c000-000000000000"}),
			want:     map[string]scimcheck.Status{"aud": scimcheck.Fail, "iss": scimcheck.Pass, "entra.New": scimcheck.Fail},
			fragment: map[string]string{"aud": "not the accepted 8adf8e6e", "entra.New": "audience"},
		},
		{
			name: "v2 issuer",
			token: iss.Mint(tenant, authtest.Claims{"iss": "https://login.microsoftonline.com/" + tenant + "/v2.0", "ver": "2.0",
				"aud": "api://0b5c3c5e-1111-2222-3333-444455556666"}),
			want:     map[string]scimcheck.Status{"iss": scimcheck.Fail, "aud": scimcheck.Fail, "entra.New": scimcheck.Fail},
			fragment: map[string]string{"iss": "v2.0 issuer", "aud": "api://", "entra.New": "v2.0"},
		},
		{
			name:     "tenant not allowed",
			token:    iss.Token(other),
			want:     map[string]scimcheck.Status{"tid": scimcheck.Fail, "iss": scimcheck.Pass, "kid": scimcheck.Pass, "entra.New": scimcheck.Fail},
			fragment: map[string]string{"tid": "not one of the allowed tenants", "entra.New": "not allowed"},
		},
		{
			name:     "expired",
			token:    iss.Mint(tenant, authtest.Claims{"iat": time.Now().Add(-3 * time.Hour).Unix(), "nbf": time.Now().Add(-3 * time.Hour).Unix(), "exp": time.Now().Add(-2 * time.Hour).Unix()}),
			want:     map[string]scimcheck.Status{"exp": scimcheck.Fail, "entra.New": scimcheck.Fail},
			fragment: map[string]string{"exp": "expired at", "entra.New": "expired"},
		},
		{
			name: "unknown kid",
			token: func() string {
				k := authtest.NewSigningKey()
				return iss.Mint(tenant, nil, authtest.SignedBy(k), authtest.Header("kid", k.KeyID()), authtest.Header("x5t", k.KeyID()))
			}(),
			want:     map[string]scimcheck.Status{"kid": scimcheck.Fail, "iss": scimcheck.Pass, "entra.New": scimcheck.Fail},
			fragment: map[string]string{"kid": "is not among the", "entra.New": "signing key"},
		},
		{
			name:     "no -tenant: the token's own tenant, said so",
			token:    iss.Token(tenant),
			cfg:      func(c *scimcheck.TokenConfig) { c.Tenants = nil },
			want:     map[string]scimcheck.Status{"tid": scimcheck.Warn, "entra.New": scimcheck.Pass},
			fragment: map[string]string{"entra.New": "pass -tenant"},
			accepted: true,
		},
		{
			name:     "offline",
			token:    iss.Token(tenant),
			cfg:      func(c *scimcheck.TokenConfig) { c.Offline = true },
			want:     map[string]scimcheck.Status{"kid": scimcheck.Skip, "entra.New": scimcheck.Skip, "iss": scimcheck.Pass},
			fragment: map[string]string{"entra.New": "offline"},
		},
		{
			name:     "HS256",
			token:    iss.Mint(tenant, nil, authtest.Header("alg", "HS256")),
			want:     map[string]scimcheck.Status{"alg": scimcheck.Fail, "entra.New": scimcheck.Fail},
			fragment: map[string]string{"alg": "RS256 only"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			if tc.cfg != nil {
				tc.cfg(&c)
			}
			rep, err := scimcheck.ExplainToken(context.Background(), tc.token, c)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]scimcheck.Result{}
			for _, r := range rep.Results {
				got[r.Check] = r
			}
			for check, want := range tc.want {
				r, ok := got[check]
				if !ok || r.Status != want {
					t.Errorf("%s: %s %q, want %s", check, r.Status, r.Message, want)
				}
				if want == scimcheck.Fail && r.Fix == "" {
					t.Errorf("%s: a failure without a fix", check)
				}
			}
			for check, frag := range tc.fragment {
				if !strings.Contains(got[check].Message, frag) {
					t.Errorf("%s: %q, want %q in it", check, got[check].Message, frag)
				}
			}
			wantFailed := false
			for _, st := range tc.want {
				wantFailed = wantFailed || st == scimcheck.Fail
			}
			if rep.Accepted != tc.accepted || rep.Failed() != wantFailed {
				t.Errorf("accepted %v, failed %v; want %v, %v", rep.Accepted, rep.Failed(), tc.accepted, wantFailed)
			}
			if rep.Token.Claims["tid"] == nil || rep.Token.Header["alg"] == nil {
				t.Errorf("decoded header %v claims %v", rep.Token.Header, rep.Token.Claims)
			}
		})
	}
}

func TestDecodeToken(t *testing.T) {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	tenant := authtest.NewTenantID()
	tok, err := scimcheck.DecodeToken("Bearer " + iss.Token(tenant) + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if tok.Claims["tid"] != tenant || tok.Header["kid"] != iss.KeyID() {
		t.Errorf("claims %v header %v", tok.Claims, tok.Header)
	}
	for _, bad := range []string{"", "opaque-secret-token", "a.b", "a.b.c.d", "!!.e30.sig", "e30.bm90IGpzb24.sig", "W10.e30.sig", "e30.e30.", "e30.e30e30.sig", strings.Repeat("a", 20000)} {
		if _, err := scimcheck.DecodeToken(bad); err == nil {
			t.Errorf("%.40q: no error", bad)
		}
	}
}

func FuzzDecodeToken(f *testing.F) {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	f.Add(iss.Token(authtest.NewTenantID()))
	f.Add("e30.e30.sig")
	f.Add("eyJhbGciOiJub25lIn0.eyJleHAiOjFlMzAwfQ.x")
	f.Add("e30.eyJhdWQiOlsxLCJhIl0sImV4cCI6Ii0xIn0.x")
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := scimcheck.DecodeToken(raw)
		if err != nil {
			return
		}
		if tok.Header == nil || tok.Claims == nil {
			t.Fatal("decoded without header or claims")
		}
		// Explaining any decodable token offline must not panic.
		rep, err := scimcheck.ExplainToken(context.Background(), raw, scimcheck.TokenConfig{Offline: true})
		if err != nil || len(rep.Results) == 0 {
			t.Fatalf("ExplainToken: %v %v", rep, err)
		}
	})
}
