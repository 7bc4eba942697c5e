package entra_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/entra"
)

// extraKeyTransport serves the fake issuer's JWKS with one more key
// appended (the JSON object extra), and everything else as the issuer does.
type extraKeyTransport struct {
	next  http.RoundTripper
	extra map[string]any
}

func (x extraKeyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := x.next.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, "/keys") || res.StatusCode != http.StatusOK {
		return res, err
	}
	defer res.Body.Close()
	var set struct {
		Keys []any `json:"keys"`
	}
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil {
		return nil, err
	}
	set.Keys = append(set.Keys, x.extra)
	b, err := json.Marshal(set)
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(b))
	res.ContentLength = int64(len(b))
	res.Header.Del("Content-Length")
	return res, nil
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// publicJWK is k's public half as Entra publishes a key (no alg).
func publicJWK(kid string, k *rsa.PrivateKey) map[string]any {
	return map[string]any{"kty": "RSA", "use": "sig", "kid": kid, "x5t": kid,
		"n": b64url(k.N.Bytes()), "e": b64url(big.NewInt(int64(k.E)).Bytes())}
}

// resign replaces tok's kid and x5t with kid and signs it with k (RS256).
func resign(t *testing.T, tok, kid string, k *rsa.PrivateKey) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(hb, &h); err != nil {
		t.Fatal(err)
	}
	h["kid"], h["x5t"] = kid, kid
	if hb, err = json.Marshal(h); err != nil {
		t.Fatal(err)
	}
	input := b64url(hb) + "." + parts[1]
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64url(sig)
}

// A tenant's JWKS may hold an RSA key shorter than 2048 bits: it is never
// used, so a token signed by it is refused (its kid is unknown), while
// the tenant's other keys keep working. A key of 2048 bits or more is
// used. A JWKS that wrongly publishes a private key does not make that
// key usable either (and does not break the fetch).
//
// The JWT library refuses RSA keys under 2048 bits too, by default; but
// its floor is process-wide (jwk.Configure(jwk.WithMinRSAModulusBits)),
// and an application may lower it for some legacy integration of its
// own. Entra's keys are held to 2048 bits regardless.
func TestJWKSKeysUnder2048BitsAreNotUsed(t *testing.T) {
	t.Run("library default", func(t *testing.T) { testJWKSKeySizes(t) })
	t.Run("library floor lowered by the application", func(t *testing.T) {
		jwk.Configure(jwk.WithMinRSAModulusBits(0))
		t.Cleanup(func() { jwk.Configure(jwk.WithMinRSAModulusBits(2048)) }) // jwx's default
		testJWKSKeySizes(t)
	})
}

func testJWKSKeySizes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		bits    int
		private bool // publish the private key (with d, p, q…) instead
		wantErr error
	}{
		{"RSA-1024", 1024, false, auth.ErrUnknownSigningKey},
		{"RSA-2047", 2047, false, auth.ErrUnknownSigningKey},
		{"RSA-2048", 2048, false, nil},
		{"RSA-2049", 2049, false, nil},
		{"RSA-2048 published as a private key", 2048, true, auth.ErrUnknownSigningKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := rsa.GenerateKey(rand.Reader, tc.bits)
			if err != nil {
				t.Fatal(err)
			}
			if k.N.BitLen() != tc.bits {
				t.Fatalf("generated a %d-bit key, want %d bits", k.N.BitLen(), tc.bits)
			}
			const kid = "extra-key"
			jwk := publicJWK(kid, k)
			if tc.private {
				k.Precompute()
				jwk["d"] = b64url(k.D.Bytes())
				jwk["p"], jwk["q"] = b64url(k.Primes[0].Bytes()), b64url(k.Primes[1].Bytes())
				jwk["dp"], jwk["dq"] = b64url(k.Precomputed.Dp.Bytes()), b64url(k.Precomputed.Dq.Bytes())
				jwk["qi"] = b64url(k.Precomputed.Qinv.Bytes())
			}
			f := newFixture(t, func(f *fixture, c *entra.Config) {
				c.HTTPClient = &http.Client{Transport: extraKeyTransport{next: f.iss.Client().Transport, extra: jwk}}
			})

			_, err = f.entra.Authenticate(bearer(resign(t, f.iss.Token(f.a), kid, k)))
			if tc.wantErr == nil && err != nil {
				t.Errorf("a token signed by the %d-bit key was refused: %v", tc.bits, err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("a token signed by the %s key: err = %v, want %v", tc.name, err, tc.wantErr)
			}
			// The issuer's own RSA-2048 key, in the same JWKS, still works.
			if _, err := f.entra.Authenticate(bearer(f.iss.Token(f.a))); err != nil {
				t.Errorf("the issuer's own key stopped working next to the %s key: %v", tc.name, err)
			}
		})
	}
}
