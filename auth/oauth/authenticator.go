package oauth

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"time"
	"unsafe"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/internal/reject"
	"github.com/scimkit/scimkit/auth/internal/tokencache"
)

// Authenticator is the auth.Authenticator of the access tokens a Server
// issues (Server.Authenticator). Any replica configured with the same
// Issuer, Audience and keys accepts the tokens of any other, without a
// shared store.
//
// Revocation: on every request, including for a cached token, it looks
// the token's client up in the Clients registry, in memory: a token whose
// client was removed or disabled, or whose secret was removed or has
// expired, is refused with ErrClientRevoked at once on a replica whose
// registry has the change. A replica that has not reloaded its registry
// yet accepts the token until it does, and at most until the token
// expires (Config.Lifetime, at most 6 hours).
type Authenticator struct {
	s     *Server
	cache *tokencache.Cache[*cachedToken]
}

func newAuthenticator(s *Server, maxCached int) *Authenticator {
	if maxCached == 0 {
		maxCached = 4096
	}
	return &Authenticator{s: s, cache: tokencache.New[*cachedToken](maxCached)}
}

// Authenticator returns the Authenticator of the tokens s issues.
func (s *Server) Authenticator() *Authenticator { return s.authn }

// Authenticate implements auth.Authenticator for the bearer token of r.
func (a *Authenticator) Authenticate(r *http.Request) (auth.Principal, error) {
	tok, err := auth.BearerToken(r)
	if err != nil {
		return auth.Principal{}, err
	}
	return a.Validate(r.Context(), tok)
}

// Validate checks an access token and returns its Principal: Tenant is
// the client's tenant, Subject the client id, Method
// MethodClientCredentials or MethodFederated. Errors wrap
// auth.ErrMalformedToken, auth.ErrUnsupportedAlgorithm,
// auth.ErrUnknownSigningKey, auth.ErrBadSignature, auth.ErrWrongIssuer,
// auth.ErrWrongAudience, auth.ErrTokenExpired, auth.ErrTokenNotYetValid or
// ErrClientRevoked.
func (a *Authenticator) Validate(_ context.Context, token string) (auth.Principal, error) {
	if len(token) > auth.MaxTokenBytes {
		return auth.Principal{}, auth.ErrTokenTooLarge
	}
	now := a.s.clock()
	// Hash the string's bytes in place: Sum256 neither keeps nor changes them.
	sum := sha256.Sum256(unsafe.Slice(unsafe.StringData(token), len(token)))
	e, ok := a.cache.Get(sum, now)
	if !ok {
		c, err := a.verify(token, now)
		if err != nil {
			return auth.Principal{}, err
		}
		e = &cachedToken{
			p:    auth.Principal{Tenant: c.Tenant, Subject: c.ClientID, Method: c.Method},
			cred: c.Cred,
			exp:  unix(c.Exp),
		}
		a.cache.Put(sum, e, e.exp, now)
	}
	if err := a.revoked(e, now); err != nil {
		return auth.Principal{}, err
	}
	return e.p, nil
}

// verify checks the signature and the claims of token.
func (a *Authenticator) verify(token string, now time.Time) (*tokenClaims, error) {
	c, err := a.s.signer.parse(token)
	if err != nil {
		return nil, err
	}
	s := a.s
	switch {
	case c.Iss != s.issuer:
		return nil, reject.New(auth.ErrWrongIssuer, fmt.Sprintf("issuer %s is not this service (%s): a token of another service", reject.Quote(c.Iss), s.issuer))
	case c.Aud != s.audience:
		return nil, reject.New(auth.ErrWrongAudience, fmt.Sprintf("audience %s is not this service (%s)", reject.Quote(c.Aud), s.audience))
	case c.Exp == 0:
		return nil, reject.New(auth.ErrNoExpiry, "the access token has no exp")
	case !now.Before(unix(c.Exp)):
		return nil, reject.New(auth.ErrTokenExpired, fmt.Sprintf("access token expired at %s (now %s)", unix(c.Exp).Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	case now.Before(unix(c.Iat).Add(-s.skew)):
		return nil, reject.New(auth.ErrTokenNotYetValid, fmt.Sprintf("access token issued in the future, at %s (now %s)", unix(c.Iat).Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	case unix(c.Exp).Sub(unix(c.Iat)) > MaxLifetime:
		return nil, reject.New(auth.ErrMalformedToken, "the access token lives longer than 6 hours")
	case c.ClientID == "" || c.Tenant == "" || c.Cred == "" || (c.Method != MethodClientCredentials && c.Method != MethodFederated):
		return nil, reject.New(auth.ErrMalformedToken, "the access token lacks client_id, tenant, cred or amr")
	}
	return c, nil
}

// revoked checks the token's client and credential in the registry.
func (a *Authenticator) revoked(e *cachedToken, now time.Time) error {
	c := a.s.clients.lookup(e.p.Subject)
	switch {
	case c == nil:
		return reject.New(ErrClientRevoked, fmt.Sprintf("client %s no longer exists", reject.Quote(e.p.Subject)))
	case c.Disabled:
		return reject.New(ErrClientRevoked, fmt.Sprintf("client %s is disabled", reject.Quote(e.p.Subject)))
	}
	if e.cred == credFederation {
		if c.Federation == nil {
			return reject.New(ErrClientRevoked, fmt.Sprintf("client %s no longer accepts federation", reject.Quote(e.p.Subject)))
		}
		return nil
	}
	for i, h := range c.secrets {
		if h.id == e.cred {
			if exp := c.Secrets[i].Expires; !exp.IsZero() && !now.Before(exp) {
				return reject.New(ErrClientRevoked, fmt.Sprintf("the secret %s of client %s has expired", e.cred, reject.Quote(e.p.Subject)))
			}
			return nil
		}
	}
	return reject.New(ErrClientRevoked, fmt.Sprintf("the secret %s of client %s was removed", e.cred, reject.Quote(e.p.Subject)))
}

// CheckHealth reports whether the Authenticator can validate tokens: its
// keys come from configuration, so it always can.
func (a *Authenticator) CheckHealth(context.Context) error { return nil }

// cachedToken is a verified access token.
type cachedToken struct {
	p    auth.Principal
	cred string
	exp  time.Time
}
