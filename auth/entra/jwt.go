package entra

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/scimkit/scimkit/auth"
)

// This file reads a compact JWT before its signature is checked, so that
// the tenant (hence the JWKS URL) and the kid are known, and so that the
// cheap checks (issuer, tenant, times, audience) reject a token before any
// fetch or RSA operation. Nothing read here is trusted until the signature
// over these exact bytes verifies (entra.go).

var b64 = base64.RawURLEncoding.Strict()

// jwtHeader holds the protected-header members scimkit looks at.
type jwtHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Crit json.RawMessage `json:"crit"`
	B64  json.RawMessage `json:"b64"`
}

// jwtClaims holds the claims of an Entra access token scimkit checks.
type jwtClaims struct {
	Iss   string       `json:"iss"`
	Tid   string       `json:"tid"`
	Aud   audience     `json:"aud"`
	Exp   *numericDate `json:"exp"`
	Nbf   *numericDate `json:"nbf"`
	Iat   *numericDate `json:"iat"`
	Jti   string       `json:"jti"`
	Uti   string       `json:"uti"`
	Sub   string       `json:"sub"`
	Oid   string       `json:"oid"`
	AppID string       `json:"appid"`
	Azp   string       `json:"azp"`
}

// audience is the aud claim: one string or an array of strings.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*a = nil
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = audience{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("aud is neither a string nor an array of strings")
	}
	*a = l
	return nil
}

// numericDate is a JWT NumericDate: seconds since the epoch, a JSON number.
type numericDate struct{ time.Time }

func (d *numericDate) UnmarshalJSON(b []byte) error {
	var n json.Number
	if len(b) == 0 || b[0] == '"' {
		return fmt.Errorf("a date claim is not a number")
	}
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
		return fmt.Errorf("a date claim is out of range")
	}
	sec, frac := math.Modf(f)
	d.Time = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return nil
}

// unverifiedJWT is a compact JWS split and decoded, not yet verified.
type unverifiedJWT struct {
	header jwtHeader
	claims jwtClaims
}

// parseJWT splits and decodes raw. Errors wrap auth.ErrMalformedToken or
// auth.ErrUnsupportedAlgorithm.
func parseJWT(raw string) (*unverifiedJWT, error) {
	h, rest, ok := strings.Cut(raw, ".")
	p, sig, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || strings.IndexByte(sig, '.') >= 0 || h == "" || p == "" {
		return nil, rejectErr(auth.ErrMalformedToken, "the bearer token is not a JWT (want three base64url segments separated by dots)")
	}
	var t unverifiedJWT
	if err := decodeSegment(h, &t.header); err != nil {
		return nil, rejectErr(auth.ErrMalformedToken, "the JWT header is not a base64url JSON object: "+err.Error())
	}
	if t.header.Alg != "RS256" {
		return nil, rejectErr(auth.ErrUnsupportedAlgorithm, fmt.Sprintf("signing algorithm %s is refused: only RS256 is accepted", quote(t.header.Alg)))
	}
	if t.header.Crit != nil || t.header.B64 != nil {
		return nil, rejectErr(auth.ErrMalformedToken, "the JWT header has crit or b64 members, which Entra never sends")
	}
	if t.header.Kid == "" {
		return nil, rejectErr(auth.ErrMalformedToken, "the JWT header has no kid: the signing key cannot be looked up")
	}
	if err := decodeSegment(p, &t.claims); err != nil {
		return nil, rejectErr(auth.ErrMalformedToken, "the JWT payload is not a base64url JSON object of valid claims: "+err.Error())
	}
	return &t, nil
}

func decodeSegment(seg string, v any) error {
	b, err := b64.DecodeString(seg)
	if err != nil {
		return err
	}
	if len(b) == 0 || b[0] != '{' {
		return fmt.Errorf("not a JSON object")
	}
	return json.Unmarshal(b, v)
}
