package oauth

import (
	"bytes"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth"
)

// FuzzParseForm: the token endpoint's form parser never panics, refuses
// repeated parameters, and agrees with net/url on what it accepts.
func FuzzParseForm(f *testing.F) {
	for _, s := range []string{
		"grant_type=client_credentials&client_id=a&client_secret=s",
		"grant_type=client_credentials&grant_type=password",
		"a=%zz", "=&&=", "a+b=c%20d", "client_assertion=x.y.z&client_assertion_type=urn%3Aietf",
		"k", "k=", ";=;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got, err := parseForm(body)
		if err != nil {
			return
		}
		want, err := url.ParseQuery(body)
		if err != nil {
			t.Fatalf("parseForm accepted %q, which net/url refuses: %v", body, err)
		}
		if len(want) != len(got) {
			t.Fatalf("parseForm(%q) has %d keys, net/url %d", body, len(got), len(want))
		}
		for k, vs := range want {
			if len(vs) != 1 || got[k] != vs[0] {
				t.Fatalf("parseForm(%q)[%q] = %q, net/url %q", body, k, got[k], vs)
			}
		}
	})
}

// FuzzIssuedToken: parsing an access token never panics, and nothing but
// a token signed with the key passes.
func FuzzIssuedToken(f *testing.F) {
	key := Key{ID: "k1", Secret: bytes.Repeat([]byte{1}, 32)}
	s, err := newSigner(key, nil)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	good, _ := s.sign(&tokenClaims{Iss: "https://x", Aud: "https://x", Sub: "a", ClientID: "a", Tenant: "t", Method: MethodClientCredentials, Cred: "c", Iat: now.Unix(), Exp: now.Add(time.Hour).Unix(), Jti: "j"})
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJIUzI1NiJ9..")
	f.Add("..")
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := s.parse(raw)
		if err != nil {
			for _, reason := range []error{auth.ErrMalformedToken, auth.ErrUnsupportedAlgorithm, auth.ErrUnknownSigningKey, auth.ErrBadSignature} {
				if errors.Is(err, reason) {
					return
				}
			}
			t.Fatalf("parse(%q): %v wraps no rejection reason", raw, err)
		}
		if c == nil {
			t.Fatal("nil claims without an error")
		}
		// Verified: the signing input must be the good token's (HMAC
		// collisions aside), up to base64 padding bits of the signature.
		if raw[:len(raw)-44] != good[:len(good)-44] {
			t.Fatalf("parse accepted a token other than the one signed: %q", raw)
		}
	})
}
