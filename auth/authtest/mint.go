package authtest

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"hash"
	"strings"

	_ "crypto/sha256" // SHA-256 for RS256, PS256, HS256
	_ "crypto/sha512" // SHA-384 and SHA-512
)

// Claims are JWT claims. Mint merges them over the defaults; a nil value
// removes a default claim.
type Claims map[string]any

// MintOption changes how Mint builds a token.
type MintOption func(*mintOptions)

type mintOptions struct {
	header map[string]any
	key    *SigningKey
	forged bool
}

// Header sets a protected-header member, or removes it when value is nil.
// "alg" also chooses how the token is signed:
//
//   - RS256, RS384, RS512: RSA PKCS #1 v1.5 with the signing key;
//   - PS256, PS384, PS512: RSA-PSS with the signing key;
//   - HS256, HS384, HS512: HMAC keyed with the PEM of the signing key's
//     public key (the algorithm-confusion attack);
//   - none: an empty signature;
//   - anything else: RS256, while the header says otherwise.
func Header(name string, value any) MintOption {
	return func(o *mintOptions) { o.header[name] = value }
}

// SignedBy signs with k instead of the Issuer's current key; the header
// keeps the current kid unless Header changes it. Use NewSigningKey for a
// key the Issuer does not publish.
func SignedBy(k *SigningKey) MintOption {
	return func(o *mintOptions) { o.key = k }
}

// ForgedSignature gives the token 256 random bytes as its signature
// instead of signing it: a forgery as an attacker without the key makes
// it, shaped like an RS256 signature, and cheap enough to mint by the
// thousand (an RSA signature costs about a millisecond).
func ForgedSignature() MintOption {
	return func(o *mintOptions) { o.forged = true }
}

// Token returns a valid token for tenant, as Entra sends it to a custom
// app whose Secret Token field is blank.
func (i *Issuer) Token(tenant string) string { return i.Mint(tenant, nil) }

// Mint returns a token for tenant: Entra's claims (aud CustomAppAudience,
// iss {IssuerHost}/{tenant}/, tid tenant, appid ProvisioningAppID, iat and
// nbf now, exp now + Lifetime, ver 1.0, and a fresh oid, sub and uti)
// with claims merged over them, and Entra's header (alg RS256, typ JWT,
// kid and x5t of the current key) with the Header options merged over it,
// signed by the current key unless SignedBy says otherwise.
func (i *Issuer) Mint(tenant string, claims Claims, opts ...MintOption) string {
	i.mu.Lock()
	key := i.keys[0]
	i.mu.Unlock()
	now := i.opts.Clock()
	oid := NewTenantID()
	c := map[string]any{
		"aud":      CustomAppAudience,
		"iss":      i.Issuer(tenant),
		"iat":      now.Unix(),
		"nbf":      now.Unix(),
		"exp":      now.Add(i.opts.Lifetime).Unix(),
		"aio":      randomString(40),
		"appid":    ProvisioningAppID,
		"appidacr": "2",
		"idp":      i.Issuer(tenant),
		"oid":      oid,
		"rh":       "0." + randomString(60) + ".",
		"sub":      oid,
		"tid":      tenant,
		"uti":      randomString(22),
		"ver":      "1.0",
	}
	merge(c, claims)
	return i.finish(key, c, map[string]any{"typ": "JWT", "alg": "RS256", "x5t": key.kid, "kid": key.kid}, opts)
}

// finish applies opts to header and signs header.claims.
func (i *Issuer) finish(key *SigningKey, c, header map[string]any, opts []MintOption) string {
	o := mintOptions{header: header}
	for _, opt := range opts {
		opt(&o)
	}
	if o.key != nil {
		key = o.key
	}
	alg, _ := o.header["alg"].(string)
	merge(o.header, nil)
	input := segment(o.header) + "." + segment(c)
	if o.forged {
		var sig [256]byte
		if _, err := rand.Read(sig[:]); err != nil {
			panic("authtest: " + err.Error())
		}
		return input + "." + base64.RawURLEncoding.EncodeToString(sig[:])
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sign(alg, key, []byte(input)))
}

// TokenV2 returns a valid v2 token for tenant, as Entra presents it as a
// client assertion in workload identity federation.
func (i *Issuer) TokenV2(tenant string) string { return i.MintV2(tenant, nil) }

// MintV2 returns a v2 token for tenant, as Entra presents it to an ISV's
// token endpoint in workload identity federation: aud WorkloadAudience,
// iss {V2IssuerHost}/{tenant}/v2.0, sub WorkloadSubject, tid tenant, oid,
// appid and azp ProvisioningAppID, iat and nbf now, exp now + Lifetime,
// ver 2.0 and a fresh uti, with claims merged over them; the header has
// alg RS256, typ JWT and kid only (v2 tokens carry no x5t), with the
// Header options merged over it. The signing keys are the same as v1's,
// also published at JWKSURLV2.
func (i *Issuer) MintV2(tenant string, claims Claims, opts ...MintOption) string {
	i.mu.Lock()
	key := i.keys[0]
	i.mu.Unlock()
	now := i.opts.Clock()
	c := map[string]any{
		"aud":   WorkloadAudience,
		"iss":   i.IssuerV2(tenant),
		"iat":   now.Unix(),
		"nbf":   now.Unix(),
		"exp":   now.Add(i.opts.Lifetime).Unix(),
		"aio":   randomString(40),
		"appid": ProvisioningAppID,
		"azp":   ProvisioningAppID,
		"idp":   i.IssuerV2(tenant),
		"oid":   WorkloadSubject,
		"rh":    "0." + randomString(60) + ".",
		"sub":   WorkloadSubject,
		"tid":   tenant,
		"uti":   randomString(22),
		"ver":   "2.0",
	}
	merge(c, claims)
	return i.finish(key, c, map[string]any{"typ": "JWT", "alg": "RS256", "kid": key.kid}, opts)
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		dst[k] = v
	}
	for k, v := range dst {
		if v == nil {
			delete(dst, k)
		}
	}
}

func segment(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("authtest: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sign(alg string, key *SigningKey, input []byte) []byte {
	if alg == "none" {
		return nil
	}
	h := crypto.SHA256
	switch strings.TrimLeft(alg, "RPHS") {
	case "384":
		h = crypto.SHA384
	case "512":
		h = crypto.SHA512
	}
	var (
		sig []byte
		err error
	)
	switch {
	case strings.HasPrefix(alg, "HS") && len(alg) == 5:
		der, err := x509.MarshalPKIXPublicKey(&key.priv.PublicKey)
		if err != nil {
			panic("authtest: " + err.Error())
		}
		mac := hmac.New(func() hash.Hash { return h.New() }, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
		mac.Write(input)
		return mac.Sum(nil)
	case strings.HasPrefix(alg, "PS") && len(alg) == 5:
		sig, err = rsa.SignPSS(rand.Reader, key.priv, h, digest(h, input), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case strings.HasPrefix(alg, "RS") && len(alg) == 5:
		sig, err = rsa.SignPKCS1v15(nil, key.priv, h, digest(h, input))
	default:
		sig, err = rsa.SignPKCS1v15(nil, key.priv, crypto.SHA256, digest(crypto.SHA256, input))
	}
	if err != nil {
		panic("authtest: " + err.Error())
	}
	return sig
}

func digest(h crypto.Hash, b []byte) []byte {
	d := h.New()
	d.Write(b)
	return d.Sum(nil)
}

// NewTenantID returns a random tenant ID (a lower-case GUID).
func NewTenantID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("authtest: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func randomString(n int) string {
	b := make([]byte, (n*3+3)/4)
	if _, err := rand.Read(b); err != nil {
		panic("authtest: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}
