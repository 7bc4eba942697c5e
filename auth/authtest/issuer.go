// Package authtest is a fake Microsoft Entra ID issuer for tests and local
// development: an HTTP server that serves a tenant's OpenID configuration
// and signing keys (JWKS) exactly as Entra shapes them, and mints the JWTs
// Entra sends to a SCIM endpoint whose Secret Token field is left blank —
// or any variation of them, for attack tests.
//
//	iss := authtest.NewIssuer(authtest.Options{})
//	defer iss.Close()
//	tenant := authtest.NewTenantID()
//	a, err := entra.New(ctx, entra.Config{
//		Tenants:       []string{tenant},
//		AuthorityHost: iss.URL(),
//		HTTPClient:    iss.Client(),
//	})
//	token := iss.Token(tenant) // "Authorization: Bearer " + token
//
// The tokens' issuer is https://sts.windows.net/{tenant}/ like Entra's
// (Options.IssuerHost changes it), so only entra.Config.AuthorityHost has
// to point at the fake. MintV2 mints the v2 tokens of workload identity
// federation (iss {V2IssuerHost}/{tenant}/v2.0, keys at
// /{tenant}/discovery/v2.0/keys).
//
// It does not import package auth or auth/entra, so their own tests can
// use it.
package authtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Entra's values the fake reproduces.
const (
	// DefaultIssuerHost is the host of Entra's v1 issuer.
	DefaultIssuerHost = "https://sts.windows.net"
	// CustomAppAudience is the aud of Entra's token for custom apps.
	CustomAppAudience = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
	// ProvisioningAppID is the appid of Entra's provisioning service.
	ProvisioningAppID = "00000014-0000-0000-c000-000000000000"

	// DefaultV2IssuerHost is the host of Entra's v2 issuer
	// {host}/{tenant}/v2.0.
	DefaultV2IssuerHost = "https://login.microsoftonline.com"
	// WorkloadAudience is the default aud of MintV2's tokens: the
	// application ID URI (api://{app id}) of an ISV's workload identity.
	WorkloadAudience = "api://3f8a5d2c-6b1e-4c9a-8f7d-2e5b9c0a1d34"
	// WorkloadSubject is the default sub of MintV2's tokens: the object id
	// of the provisioning service's workload identity (a made-up GUID; the
	// real one is shown in the customer's Entra tenant).
	WorkloadSubject = "6a0c1e7b-2d4f-4b8e-9c3a-5f1d7e9b0c28"
)

// Options configure an Issuer. The zero value is Entra's public cloud.
type Options struct {
	// IssuerHost is the prefix of the iss claim: {IssuerHost}/{tenant}/.
	// Empty: DefaultIssuerHost, the default of entra.Config.
	IssuerHost string

	// V2IssuerHost is the prefix of the iss claim of MintV2's tokens:
	// {V2IssuerHost}/{tenant}/v2.0. Empty: DefaultV2IssuerHost, the
	// default of auth/entra's Config.IssuerHost for V2.
	V2IssuerHost string

	// Clock is the time minted tokens are issued at. Nil: time.Now.
	Clock func() time.Time

	// Lifetime is the validity of minted tokens. Zero: 1 hour.
	Lifetime time.Duration

	// KnownTenants, when not nil, are the only tenants the fake serves:
	// for any other tenant its JWKS and OpenID configuration endpoints
	// answer 400 with an invalid_tenant error (AADSTS90002), as Entra does
	// for a made-up tenant ID. Nil: every tenant exists and is served the
	// same keys (as Entra serves its common keys to almost every tenant).
	KnownTenants []string
}

// Issuer is a running fake Entra issuer. Its methods are safe for
// concurrent use.
type Issuer struct {
	srv  *httptest.Server
	opts Options

	mu   sync.Mutex
	keys []*SigningKey // keys[0] signs; all are published

	known map[string]bool // nil: every tenant

	down    atomic.Bool
	fetches atomic.Int64

	countMu  sync.Mutex
	byTenant map[string]int // JWKS requests per tenant
}

// SigningKey is an RSA-2048 signing key with its certificate, shaped like
// Entra's.
type SigningKey struct {
	priv *rsa.PrivateKey
	kid  string // = x5t, as in Entra's v1 keys
	cert []byte // self-signed certificate (DER), for x5c
}

// NewIssuer starts an Issuer on a loopback port. It panics if it cannot
// (as httptest.NewServer does). Close it when done.
func NewIssuer(opts Options) *Issuer {
	if opts.IssuerHost == "" {
		opts.IssuerHost = DefaultIssuerHost
	}
	if opts.V2IssuerHost == "" {
		opts.V2IssuerHost = DefaultV2IssuerHost
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Lifetime == 0 {
		opts.Lifetime = time.Hour
	}
	i := &Issuer{opts: opts, keys: []*SigningKey{NewSigningKey()}, byTenant: make(map[string]int)}
	if opts.KnownTenants != nil {
		i.known = make(map[string]bool, len(opts.KnownTenants))
		for _, t := range opts.KnownTenants {
			i.known[t] = true
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{tenant}/.well-known/openid-configuration", i.serveConfig)
	mux.HandleFunc("GET /{tenant}/discovery/keys", i.serveKeys)
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", i.serveConfig)
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", i.serveKeys)
	i.srv = httptest.NewServer(mux)
	return i
}

// NewSigningKey returns a fresh signing key in the shape of Entra's: an
// RSA-2048 key with a self-signed certificate whose SHA-1 thumbprint is
// the kid and the x5t. Pass it to SignedBy to sign with a key the Issuer
// does not publish.
func NewSigningKey() *SigningKey {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("authtest: " + err.Error())
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "accounts.accesscontrol.windows.net"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(5 * 365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		panic("authtest: " + err.Error())
	}
	sum := sha1.Sum(der)
	return &SigningKey{priv: priv, kid: base64.RawURLEncoding.EncodeToString(sum[:]), cert: der}
}

// KeyID returns k's kid (also its x5t).
func (k *SigningKey) KeyID() string { return k.kid }

// Close shuts the server down.
func (i *Issuer) Close() { i.srv.Close() }

// URL is the authority host: set entra.Config.AuthorityHost to it.
// Tenant T's keys are at URL()/T/discovery/keys.
func (i *Issuer) URL() string { return i.srv.URL }

// IssuerHost is the prefix of the minted tokens' iss (entra.Config.IssuerHost).
func (i *Issuer) IssuerHost() string { return i.opts.IssuerHost }

// Issuer returns the iss of tenant's tokens.
func (i *Issuer) Issuer(tenant string) string { return i.opts.IssuerHost + "/" + tenant + "/" }

// JWKSURL returns the URL of tenant's signing keys.
func (i *Issuer) JWKSURL(tenant string) string { return i.srv.URL + "/" + tenant + "/discovery/keys" }

// V2IssuerHost is the prefix of MintV2's iss (auth/entra's
// Config.IssuerHost for V2).
func (i *Issuer) V2IssuerHost() string { return i.opts.V2IssuerHost }

// IssuerV2 returns the iss of tenant's v2 tokens:
// {V2IssuerHost}/{tenant}/v2.0.
func (i *Issuer) IssuerV2(tenant string) string { return i.opts.V2IssuerHost + "/" + tenant + "/v2.0" }

// JWKSURLV2 returns the URL of tenant's v2 signing keys.
func (i *Issuer) JWKSURLV2(tenant string) string {
	return i.srv.URL + "/" + tenant + "/discovery/v2.0/keys"
}

// Client returns an HTTP client for the server, with a timeout.
func (i *Issuer) Client() *http.Client {
	c := i.srv.Client()
	c.Timeout = 10 * time.Second
	return c
}

// KeyID returns the kid of the current signing key.
func (i *Issuer) KeyID() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.keys[0].kid
}

// Rotate makes a new key the signing key, as Entra's rollover does, and
// returns its kid. The JWKS then publishes the new key and the previous
// one (tokens signed before the rotation stay valid); older keys are
// withdrawn.
func (i *Issuer) Rotate() string {
	k := NewSigningKey()
	i.mu.Lock()
	defer i.mu.Unlock()
	i.keys = []*SigningKey{k, i.keys[0]}
	return k.kid
}

// SetDown makes the JWKS and OpenID configuration endpoints answer 503
// (down) or serve again.
func (i *Issuer) SetDown(down bool) { i.down.Store(down) }

// Fetches returns how many JWKS requests the server received, including
// those it failed while down or for an unknown tenant.
func (i *Issuer) Fetches() int { return int(i.fetches.Load()) }

// TenantFetches returns how many JWKS requests the server received for
// tenant, counted as Fetches counts them.
func (i *Issuer) TenantFetches(tenant string) int {
	i.countMu.Lock()
	defer i.countMu.Unlock()
	return i.byTenant[tenant]
}

// unknownTenant answers 400 as Entra does for a tenant that does not
// exist, and reports whether it did.
func (i *Issuer) unknownTenant(w http.ResponseWriter, tenant string) bool {
	if i.known == nil || i.known[tenant] {
		return false
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	b, _ := json.Marshal(map[string]any{
		"error":             "invalid_tenant",
		"error_description": "AADSTS90002: Tenant '" + tenant + "' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
		"error_codes":       []int{90002},
	})
	_, _ = w.Write(b)
	return true
}

func (i *Issuer) serveConfig(w http.ResponseWriter, r *http.Request) {
	if i.down.Load() {
		http.Error(w, `{"error":"temporarily_unavailable"}`, http.StatusServiceUnavailable)
		return
	}
	t := r.PathValue("tenant")
	if i.unknownTenant(w, t) {
		return
	}
	base := i.srv.URL + "/" + t
	issuer, jwks := i.Issuer(t), base+"/discovery/keys"
	if v2 := strings.Contains(r.URL.Path, "/v2.0/"); v2 {
		issuer, jwks = i.IssuerV2(t), base+"/discovery/v2.0/keys"
	}
	writeJSON(w, map[string]any{
		"token_endpoint":                        base + "/oauth2/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              jwks,
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "token id_token", "token"},
		"scopes_supported":                      []string{"openid"},
		"issuer":                                issuer,
		"microsoft_multi_refresh_token":         true,
		"authorization_endpoint":                base + "/oauth2/authorize",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"end_session_endpoint":                  base + "/oauth2/logout",
		"claims_supported":                      []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "email", "given_name", "family_name", "nickname"},
		"tenant_region_scope":                   "EU",
		"cloud_instance_name":                   "microsoftonline.com",
		"cloud_graph_host_name":                 "graph.windows.net",
		"msgraph_host":                          "graph.microsoft.com",
	})
}

// jwk is one key as Entra publishes it: no alg member.
type jwk struct {
	Kty string   `json:"kty"`
	Use string   `json:"use"`
	Kid string   `json:"kid"`
	X5t string   `json:"x5t"`
	N   string   `json:"n"`
	E   string   `json:"e"`
	X5c []string `json:"x5c"`
	// Issuer is the v2 JWKS's per-key issuer member.
	Issuer string `json:"issuer,omitempty"`
}

func (i *Issuer) serveKeys(w http.ResponseWriter, r *http.Request) {
	t := r.PathValue("tenant")
	i.fetches.Add(1)
	i.countMu.Lock()
	i.byTenant[t]++
	i.countMu.Unlock()
	if i.down.Load() {
		http.Error(w, `{"error":"temporarily_unavailable"}`, http.StatusServiceUnavailable)
		return
	}
	if i.unknownTenant(w, t) {
		return
	}
	issuer := ""
	if strings.Contains(r.URL.Path, "/v2.0/") {
		issuer = i.IssuerV2(t)
	}
	i.mu.Lock()
	keys := make([]jwk, 0, len(i.keys))
	for _, k := range i.keys {
		pub := k.priv.PublicKey
		keys = append(keys, jwk{
			Kty:    "RSA",
			Use:    "sig",
			Kid:    k.kid,
			X5t:    k.kid,
			N:      base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			E:      base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
			X5c:    []string{base64.StdEncoding.EncodeToString(k.cert)},
			Issuer: issuer,
		})
	}
	i.mu.Unlock()
	writeJSON(w, map[string]any{"keys": keys})
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=86400")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	_, _ = w.Write(b)
}
