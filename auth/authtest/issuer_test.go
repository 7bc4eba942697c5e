package authtest_test

import (
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/auth/authtest"
)

func getJSON(t *testing.T, iss *authtest.Issuer, url string) (*http.Response, map[string]any) {
	t.Helper()
	res, err := iss.Client().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v map[string]any
	if res.StatusCode == http.StatusOK {
		if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return res, v
}

// keysOf returns the JWKS's keys as raw JSON objects.
func keysOf(t *testing.T, jwks map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, k := range jwks["keys"].([]any) {
		out = append(out, k.(map[string]any))
	}
	return out
}

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return b
}

func TestJWKSShapedLikeEntras(t *testing.T) {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	tenant := authtest.NewTenantID()
	res, jwks := getJSON(t, iss, iss.JWKSURL(tenant))
	if cc := res.Header.Get("Cache-Control"); cc != "max-age=86400" {
		t.Errorf("Cache-Control %q", cc)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	keys := keysOf(t, jwks)
	if len(keys) != 1 {
		t.Fatalf("%d keys", len(keys))
	}
	k := keys[0]
	var members []string
	for m := range k {
		members = append(members, m)
	}
	slices.Sort(members)
	if diff := cmp.Diff([]string{"e", "kid", "kty", "n", "use", "x5c", "x5t"}, members); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	if k["kty"] != "RSA" || k["use"] != "sig" || k["e"] != "AQAB" || k["kid"] != k["x5t"] || k["kid"] != iss.KeyID() {
		t.Errorf("key %v", k)
	}
	der, err := base64.StdEncoding.DecodeString(k["x5c"].([]any)[0].(string))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(der)
	if base64.RawURLEncoding.EncodeToString(sum[:]) != k["x5t"] {
		t.Error("x5t is not the certificate's SHA-1 thumbprint")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if pub := cert.PublicKey.(*rsa.PublicKey); pub.N.Cmp(new(big.Int).SetBytes(b64(t, k["n"].(string)))) != 0 || pub.N.BitLen() != 2048 {
		t.Error("the certificate's key is not the JWK's")
	}

	_, conf := getJSON(t, iss, iss.URL()+"/"+tenant+"/.well-known/openid-configuration")
	if conf["issuer"] != "https://sts.windows.net/"+tenant+"/" || conf["jwks_uri"] != iss.JWKSURL(tenant) {
		t.Errorf("openid-configuration issuer %v, jwks_uri %v", conf["issuer"], conf["jwks_uri"])
	}
}

func TestRotateSetDownFetches(t *testing.T) {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	first := iss.KeyID()
	second := iss.Rotate()
	third := iss.Rotate()
	if iss.KeyID() != third || first == second || second == third {
		t.Fatalf("kids %s %s %s, current %s", first, second, third, iss.KeyID())
	}
	_, jwks := getJSON(t, iss, iss.JWKSURL("t"))
	var kids []string
	for _, k := range keysOf(t, jwks) {
		kids = append(kids, k["kid"].(string))
	}
	if diff := cmp.Diff([]string{third, second}, kids); diff != "" {
		t.Errorf("published kids (-want +got):\n%s", diff)
	}
	iss.SetDown(true)
	if res, _ := getJSON(t, iss, iss.JWKSURL("t")); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("down: %d", res.StatusCode)
	}
	iss.SetDown(false)
	if res, _ := getJSON(t, iss, iss.JWKSURL("t")); res.StatusCode != http.StatusOK {
		t.Errorf("up again: %d", res.StatusCode)
	}
	if n := iss.Fetches(); n != 3 {
		t.Errorf("Fetches() = %d, want 3 (failed ones count)", n)
	}
}

// parts decodes a minted token.
func parts(t *testing.T, tok string) (header, claims map[string]any, input string, sig []byte) {
	t.Helper()
	p := strings.Split(tok, ".")
	if len(p) != 3 {
		t.Fatalf("%d segments", len(p))
	}
	if err := json.Unmarshal(b64(t, p[0]), &header); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b64(t, p[1]), &claims); err != nil {
		t.Fatal(err)
	}
	return header, claims, p[0] + "." + p[1], b64(t, p[2])
}

func TestMint(t *testing.T) {
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	iss := authtest.NewIssuer(authtest.Options{Clock: func() time.Time { return now }})
	defer iss.Close()
	tenant := authtest.NewTenantID()
	_, jwks := getJSON(t, iss, iss.JWKSURL(tenant))
	k := keysOf(t, jwks)[0]
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(b64(t, k["n"].(string))), E: 65537}

	h, c, input, sig := parts(t, iss.Token(tenant))
	if diff := cmp.Diff(map[string]any{"typ": "JWT", "alg": "RS256", "kid": iss.KeyID(), "x5t": iss.KeyID()}, h); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	for name, want := range map[string]any{
		"aud": authtest.CustomAppAudience, "iss": "https://sts.windows.net/" + tenant + "/", "tid": tenant,
		"appid": authtest.ProvisioningAppID, "ver": "1.0", "iat": float64(now.Unix()), "nbf": float64(now.Unix()),
		"exp": float64(now.Add(time.Hour).Unix()),
	} {
		if c[name] != want {
			t.Errorf("claim %s = %v, want %v", name, c[name], want)
		}
	}
	if c["sub"] == "" || c["sub"] != c["oid"] {
		t.Errorf("sub %v, oid %v", c["sub"], c["oid"])
	}
	digest := sha256.Sum256([]byte(input))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("RS256 signature: %v", err)
	}
	if iss.Token(tenant) == iss.Token(tenant) {
		t.Error("two tokens are identical")
	}

	// Claims merged and removed.
	_, c, _, _ = parts(t, iss.Mint(tenant, authtest.Claims{"aud": "x", "exp": nil, "extra": []int{1}}))
	if c["aud"] != "x" || c["exp"] != nil || c["extra"] == nil {
		t.Errorf("claims %v", c)
	}

	// Algorithms.
	_, _, input, sig = parts(t, iss.Mint(tenant, nil, authtest.Header("alg", "PS256")))
	digest = sha256.Sum256([]byte(input))
	if err := rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, nil); err != nil {
		t.Errorf("PS256 signature: %v", err)
	}
	der, _ := x509.MarshalPKIXPublicKey(pub)
	mac := hmac.New(sha256.New, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	h, _, input, sig = parts(t, iss.Mint(tenant, nil, authtest.Header("alg", "HS256")))
	mac.Write([]byte(input))
	if h["alg"] != "HS256" || !hmac.Equal(sig, mac.Sum(nil)) {
		t.Error("HS256 is not keyed with the public key's PEM")
	}
	if h, _, _, sig = parts(t, iss.Mint(tenant, nil, authtest.Header("alg", "none"))); h["alg"] != "none" || len(sig) != 0 {
		t.Errorf("alg none: header %v, signature of %d bytes", h, len(sig))
	}
	if h, _, _, _ = parts(t, iss.Mint(tenant, nil, authtest.Header("kid", nil))); h["kid"] != nil {
		t.Errorf("kid not removed: %v", h)
	}

	// SignedBy: the header keeps the issuer's kid, the signature is not its.
	other := authtest.NewSigningKey()
	h, _, input, sig = parts(t, iss.Mint(tenant, nil, authtest.SignedBy(other)))
	digest = sha256.Sum256([]byte(input))
	if h["kid"] != iss.KeyID() || rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil || other.KeyID() == iss.KeyID() {
		t.Error("SignedBy did not sign with the other key")
	}
}

func TestIssuerHostAndTenantIDs(t *testing.T) {
	iss := authtest.NewIssuer(authtest.Options{IssuerHost: "http://fake.test", Lifetime: time.Minute})
	defer iss.Close()
	if iss.Issuer("t") != "http://fake.test/t/" || iss.IssuerHost() != "http://fake.test" {
		t.Errorf("issuer %s", iss.Issuer("t"))
	}
	_, c, _, _ := parts(t, iss.Token("t"))
	if c["iss"] != "http://fake.test/t/" || c["exp"].(float64)-c["iat"].(float64) != 60 {
		t.Errorf("claims %v", c)
	}
	seen := map[string]bool{}
	for range 100 {
		id := authtest.NewTenantID()
		if len(id) != 36 || strings.ToLower(id) != id || id[14] != '4' || seen[id] {
			t.Fatalf("tenant ID %q", id)
		}
		seen[id] = true
	}
}

func TestKnownTenantsAndTenantFetches(t *testing.T) {
	known := authtest.NewTenantID()
	iss := authtest.NewIssuer(authtest.Options{KnownTenants: []string{known}})
	defer iss.Close()
	made := authtest.NewTenantID()
	if res, jwks := getJSON(t, iss, iss.JWKSURL(known)); res.StatusCode != http.StatusOK || len(keysOf(t, jwks)) != 1 {
		t.Errorf("known tenant: %d %v", res.StatusCode, jwks)
	}
	for _, url := range []string{iss.JWKSURL(made), iss.URL() + "/" + made + "/.well-known/openid-configuration"} {
		res, err := iss.Client().Get(url)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || err != nil || body["error"] != "invalid_tenant" ||
			!strings.Contains(body["error_description"].(string), "AADSTS90002") {
			t.Errorf("%s: %d %v (%v), want 400 invalid_tenant", url, res.StatusCode, body, err)
		}
	}
	getJSON(t, iss, iss.JWKSURL(made))
	if a, m, n := iss.TenantFetches(known), iss.TenantFetches(made), iss.Fetches(); a != 1 || m != 2 || n != 3 {
		t.Errorf("TenantFetches %d and %d, Fetches %d; want 1, 2 and 3", a, m, n)
	}
}

func TestForgedSignature(t *testing.T) {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	tenant := authtest.NewTenantID()
	_, jwks := getJSON(t, iss, iss.JWKSURL(tenant))
	k := keysOf(t, jwks)[0]
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(b64(t, k["n"].(string))), E: 65537}
	tok := iss.Mint(tenant, nil, authtest.ForgedSignature())
	h, c, input, sig := parts(t, tok)
	digest := sha256.Sum256([]byte(input))
	if h["alg"] != "RS256" || h["kid"] != iss.KeyID() || c["tid"] != tenant || len(sig) != 256 {
		t.Errorf("header %v, tid %v, signature of %d bytes", h, c["tid"], len(sig))
	}
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil {
		t.Error("the forged signature verifies")
	}
}
