package oauth_test

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/url"
	"testing"

	"github.com/scimkit/scimkit/auth/authtest"
	"github.com/scimkit/scimkit/auth/oauth"
)

// BenchmarkHashSecret is the cost of one secret hash at
// DefaultIterations: what issuing a token costs, nearly all of it.
func BenchmarkHashSecret(b *testing.B) {
	for b.Loop() {
		if _, err := oauth.HashSecret(secretA); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIssue is a token request with client_secret_basic against a
// secret hashed at DefaultIterations.
func BenchmarkIssue(b *testing.B) {
	f := newFixture(b)
	h, err := oauth.HashSecret(secretA)
	if err != nil {
		b.Fatal(err)
	}
	if err := f.clients.Replace(oauth.Client{ID: "a", Tenant: "tenant-a", Secrets: []oauth.Secret{{Hash: h}}}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if rep := f.do(tokenRequest(url.Values{"grant_type": {"client_credentials"}}, "a", secretA)); rep.status != http.StatusOK {
			b.Fatal(rep.raw)
		}
	}
}

// BenchmarkSHA256Floor hashes an access token: the floor of a cached
// validation, measured in the same run.
func BenchmarkSHA256Floor(b *testing.B) {
	tok := newFixture(b).token(b, "a", secretA)
	for b.Loop() {
		sha256.Sum256([]byte(tok))
	}
}

// BenchmarkValidateSeen validates a token seen before (cached; the
// revocation check still runs).
func BenchmarkValidateSeen(b *testing.B) {
	f := newFixture(b)
	tok := f.token(b, "a", secretA)
	a := f.srv.Authenticator()
	ctx := context.Background()
	for b.Loop() {
		if _, err := a.Validate(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateFirst validates a token never seen (no cache):
// signature, claims, revocation check.
func BenchmarkValidateFirst(b *testing.B) {
	f := newFixture(b, func(c *oauth.Config) { c.MaxCachedTokens = -1 })
	tok := f.token(b, "a", secretA)
	a := f.srv.Authenticator()
	ctx := context.Background()
	for b.Loop() {
		if _, err := a.Validate(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFederation is a token request with a fresh Entra assertion
// each time: RS256 verification of the assertion, replay check, token
// signing. Minting the assertions is outside the timing.
func BenchmarkFederation(b *testing.B) {
	f := newFedFixture(b, func(c *oauth.Config) { c.MaxAssertionIDs = 1 << 22 })
	const n = 256
	assertions := make([]string, n)
	for i := range assertions {
		assertions[i] = f.iss.MintV2(f.tenant, nil)
	}
	i := 0
	for b.Loop() {
		if i == n {
			b.StopTimer()
			for j := range assertions {
				assertions[j] = f.iss.MintV2(f.tenant, authtest.Claims{})
			}
			i = 0
			b.StartTimer()
		}
		if rep := f.assert("wif", assertions[i]); rep.status != http.StatusOK {
			b.Fatal(rep.raw)
		}
		i++
	}
}
