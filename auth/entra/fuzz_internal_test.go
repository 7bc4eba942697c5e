package entra

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/authtest"
)

// FuzzValidate sends arbitrary bearer tokens to an Entra whose AllowTenant
// admits every tenant, in front of a fake issuer that knows one tenant.
// Validate must not panic; it must accept only tokens whose RS256
// signature verifies with the issuer's key; every rejection wraps a
// sentinel and has a bounded text; and a token refused by a check that
// needs no key (issuer, tenant, tid, exp, nbf, aud, appid, format) causes
// no fetch and no key set. `go test` runs the seed corpus only.
func FuzzValidate(f *testing.F) {
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	tenant := authtest.NewTenantID()
	iss := authtest.NewIssuer(authtest.Options{Clock: clock, KnownTenants: []string{tenant}})
	f.Cleanup(iss.Close)
	e, err := New(f.Context(), Config{
		AllowTenant:   func(string) bool { return true },
		AppIDs:        []string{ProvisioningAppID},
		AuthorityHost: iss.URL(),
		HTTPClient:    iss.Client(),
		Clock:         clock,
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { e.Close() })
	keys, err := fetchJWKS(f.Context(), iss.Client(), iss.JWKSURL(tenant))
	if err != nil {
		f.Fatal(err)
	}
	pub := keys[iss.KeyID()]

	valid := iss.Token(tenant)
	head, rest, _ := strings.Cut(valid, ".")
	payload, sig, _ := strings.Cut(rest, ".")
	for _, seed := range []string{
		valid,
		valid[:len(valid)-1],
		valid[:len(valid)/2],
		head + "." + payload,
		head + "." + payload + ".",
		head + "." + payload + "." + sig + ".x",
		strings.Replace(valid, payload[:8], "eyJhbGci", 1),
		iss.Mint(tenant, nil, authtest.ForgedSignature()),
		iss.Mint(tenant, nil, authtest.Header("alg", "none")),
		iss.Mint(tenant, nil, authtest.Header("kid", "unknown")),
		iss.Mint(tenant, authtest.Claims{"aud": "other"}),
		iss.Mint(authtest.NewTenantID(), nil), // a made-up tenant
		iss.Mint(tenant, authtest.Claims{"exp": now.Add(-time.Hour).Unix()}),
		"a.b.c",
		"..",
		"",
		"eyJhbGciOiJSUzI1NiJ9.e30.",
		head + "." + strings.Repeat("A", 15<<10) + "." + sig,
		strings.Repeat("A", 17<<10),
		strings.Repeat(".", 100),
	} {
		f.Add(seed)
	}

	cheap := []error{auth.ErrTokenTooLarge, auth.ErrMalformedToken, auth.ErrUnsupportedAlgorithm, auth.ErrWrongIssuer, auth.ErrTenantNotAllowed,
		auth.ErrTenantMismatch, auth.ErrNoExpiry, auth.ErrTokenExpired, auth.ErrTokenNotYetValid, auth.ErrWrongAudience, auth.ErrWrongApp}
	others := []error{auth.ErrUnknownSigningKey, auth.ErrKeysUnavailable, auth.ErrBadSignature}

	f.Fuzz(func(t *testing.T, token string) {
		fetches := iss.Fetches()
		_, setsBefore := cached(e)
		p, err := e.Validate(t.Context(), token)
		if err == nil {
			h, rest, _ := strings.Cut(token, ".")
			payload, sig, _ := strings.Cut(rest, ".")
			raw, decErr := base64.RawURLEncoding.DecodeString(sig)
			digest := sha256.Sum256([]byte(h + "." + payload))
			if decErr != nil || rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], raw) != nil || p.Tenant != tenant {
				t.Fatalf("accepted a token that the issuer did not sign (principal %+v): %q", p, token)
			}
			return
		}
		if len(err.Error()) > 2048 {
			t.Errorf("a rejection of %d bytes: %.200s…", len(err.Error()), err)
		}
		isCheap := false
		for _, s := range cheap {
			isCheap = isCheap || errors.Is(err, s)
		}
		known := isCheap
		for _, s := range others {
			known = known || errors.Is(err, s)
		}
		if !known {
			t.Errorf("the rejection wraps no sentinel: %v", err)
		}
		if _, setsAfter := cached(e); isCheap && (iss.Fetches() != fetches || setsAfter != setsBefore) {
			t.Errorf("%v: %d fetches and %d new key sets, want none", err, iss.Fetches()-fetches, setsAfter-setsBefore)
		}
	})
}
