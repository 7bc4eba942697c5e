package oauth

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/internal/reject"
)

// Key is a key that signs and verifies access tokens (HMAC-SHA256). Every
// replica of a service is configured with the same keys, so any replica
// validates the tokens any other issued without a shared store.
//
// HMAC rather than a public-key signature (ES256, EdDSA): the party that
// verifies is the one that issues (the same service), so nothing is gained
// by a key that can only verify, and HMAC verifies in about a microsecond
// where ECDSA P-256 takes tens (the validation budget is 50 µs for a
// token not seen before).
type Key struct {
	// ID is the kid: a short name, e.g. "2026-06". Tokens name the key
	// that signed them, so keys rotate by ID.
	ID string
	// Secret is the HMAC key, at least 32 random bytes (GenerateKey).
	Secret []byte
}

// MinKeyBytes is the shortest Key.Secret accepted.
const MinKeyBytes = 32

// GenerateKey returns a Key with a fresh 32-byte secret.
func GenerateKey(id string) Key {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("oauth: " + err.Error())
	}
	return Key{ID: id, Secret: b}
}

// Methods of the Principal of an issued token.
const (
	MethodClientCredentials = "oauth-client-credentials"
	MethodFederated         = "oauth-federated"
)

// tokenType is the typ of the access tokens (RFC 9068).
const tokenType = "at+jwt"

// header of an issued token.
type tokenHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ"`
	Kid string `json:"kid"`
}

// tokenClaims of an issued token.
type tokenClaims struct {
	Iss      string `json:"iss"`
	Aud      string `json:"aud"`
	Sub      string `json:"sub"`       // client id
	ClientID string `json:"client_id"` // RFC 9068
	Tenant   string `json:"tenant"`    // scimkit tenant
	Method   string `json:"amr"`       // MethodClientCredentials or MethodFederated
	Cred     string `json:"cred"`      // id of the secret, or "federation"
	Iat      int64  `json:"iat"`
	Exp      int64  `json:"exp"`
	Jti      string `json:"jti"`
}

// credFederation is the cred of a federated token.
const credFederation = "federation"

// signer signs and verifies access tokens.
type signer struct {
	signing Key
	keys    map[string][]byte // kid → secret, signing key included
}

func newSigner(signing Key, verifying []Key) (*signer, error) {
	s := &signer{signing: signing, keys: make(map[string][]byte)}
	for i, k := range append([]Key{signing}, verifying...) {
		switch {
		case k.ID == "" || len(k.ID) > 64:
			return nil, fmt.Errorf("oauth: key %d: ID must be 1 to 64 bytes", i)
		case len(k.Secret) < MinKeyBytes:
			return nil, fmt.Errorf("oauth: key %q: secret of %d bytes, want at least %d", k.ID, len(k.Secret), MinKeyBytes)
		case s.keys[k.ID] != nil:
			return nil, fmt.Errorf("oauth: key id %q appears twice", k.ID)
		}
		s.keys[k.ID] = bytes.Clone(k.Secret)
	}
	return s, nil
}

var b64url = base64.RawURLEncoding

// sign returns the compact JWS of c.
func (s *signer) sign(c *tokenClaims) (string, error) {
	h, err := json.Marshal(tokenHeader{Alg: "HS256", Typ: tokenType, Kid: s.signing.ID})
	if err != nil {
		return "", err
	}
	p, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	input := b64url.EncodeToString(h) + "." + b64url.EncodeToString(p)
	mac := hmac.New(sha256.New, s.keys[s.signing.ID])
	mac.Write([]byte(input))
	return input + "." + b64url.EncodeToString(mac.Sum(nil)), nil
}

// parse checks the signature of raw and returns its claims, not yet
// checked. Errors wrap auth.ErrMalformedToken, auth.ErrUnsupportedAlgorithm,
// auth.ErrUnknownSigningKey or auth.ErrBadSignature.
func (s *signer) parse(raw string) (*tokenClaims, error) {
	h, rest, ok := strings.Cut(raw, ".")
	p, sig, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || strings.IndexByte(sig, '.') >= 0 || h == "" || p == "" {
		return nil, reject.New(auth.ErrMalformedToken, "the access token is not a JWT (want three base64url segments separated by dots)")
	}
	var hdr tokenHeader
	if err := decodeJSON(h, &hdr); err != nil {
		return nil, reject.New(auth.ErrMalformedToken, "the access token's header is not a base64url JSON object: "+err.Error())
	}
	if hdr.Alg != "HS256" {
		return nil, reject.New(auth.ErrUnsupportedAlgorithm, fmt.Sprintf("signing algorithm %s is refused: this service's access tokens are HS256", reject.Quote(hdr.Alg)))
	}
	if hdr.Typ != tokenType {
		return nil, reject.New(auth.ErrMalformedToken, fmt.Sprintf("token type %s is not %s: not an access token of this service", reject.Quote(hdr.Typ), tokenType))
	}
	key := s.keys[hdr.Kid]
	if key == nil {
		return nil, reject.New(auth.ErrUnknownSigningKey, fmt.Sprintf("signing key %s is not one of this service's keys (retired and removed, or another service's)", reject.Quote(hdr.Kid)))
	}
	got, err := b64.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return nil, reject.New(auth.ErrBadSignature, "the access token's signature is not an HS256 signature")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(raw[:len(h)+1+len(p)]))
	if !hmac.Equal(mac.Sum(nil), got) {
		return nil, reject.New(auth.ErrBadSignature, fmt.Sprintf("the signature does not verify with key %s: a tampered token, or one signed by another key", reject.Quote(hdr.Kid)))
	}
	var c tokenClaims
	if err := decodeJSON(p, &c); err != nil {
		return nil, reject.New(auth.ErrMalformedToken, "the access token's claims are not a base64url JSON object: "+err.Error())
	}
	return &c, nil
}

func decodeJSON(seg string, v any) error {
	b, err := b64.DecodeString(seg)
	if err != nil {
		return err
	}
	if len(b) == 0 || b[0] != '{' {
		return errors.New("not a JSON object")
	}
	return json.Unmarshal(b, v)
}

// newJTI returns a random token id.
func newJTI() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("oauth: " + err.Error())
	}
	return b64url.EncodeToString(b)
}

// unix converts a NumericDate.
func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }
