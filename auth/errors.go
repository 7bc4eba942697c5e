package auth

import "errors"

// Rejection reasons of JWTs: Entra-issued ones (package auth/entra) and
// the access tokens of package auth/oauth. Each error
// returned by those authenticators wraps exactly one of them, or one of the
// request-level reasons of BearerToken (ErrNoToken, ErrTokenInQuery,
// ErrTokenTooLarge); test with errors.Is. The error's text is the precise
// reason in an Entra admin's terms, for the log; it never contains the
// token.
var (
	// ErrMalformedToken: not a compact JWS (three base64url segments), a
	// header or payload that is not a JSON object, a missing kid, a claim of
	// the wrong type, or a header member Entra never sends (crit, b64).
	ErrMalformedToken = errors.New("the bearer token is not a well-formed JWT")

	// ErrUnsupportedAlgorithm: the header's alg is not RS256 (none, HS256,
	// PS256 …). The algorithm is never taken from the token.
	ErrUnsupportedAlgorithm = errors.New("the token is not signed with RS256")

	// ErrWrongIssuer: iss is not exactly {IssuerHost}/{tenant ID}/.
	ErrWrongIssuer = errors.New("the token's issuer is not an Entra tenant issuer")

	// ErrTenantNotAllowed: the issuer's tenant is not one of the allowed
	// tenants.
	ErrTenantNotAllowed = errors.New("the token's tenant is not allowed")

	// ErrTenantMismatch: the tid claim differs from the issuer's tenant.
	ErrTenantMismatch = errors.New("the token's tid claim is not its issuer's tenant")

	// ErrWrongAudience: no aud value is one of the accepted audiences.
	ErrWrongAudience = errors.New("the token's audience is not accepted")

	// ErrWrongApp: entra.Config.AppIDs is set and the token's appid (or azp)
	// is not one of them.
	ErrWrongApp = errors.New("the token was not issued to an accepted application")

	// ErrWrongSubject: the sub claim is not one of the accepted subjects
	// (auth/entra's Config.Subjects, or a federated client's Subject in
	// auth/oauth).
	ErrWrongSubject = errors.New("the token's subject is not accepted")

	// ErrNoExpiry: the token has no exp claim.
	ErrNoExpiry = errors.New("the token has no expiry (exp)")

	// ErrTokenExpired: exp is more than the clock skew in the past.
	ErrTokenExpired = errors.New("the token has expired")

	// ErrTokenNotYetValid: nbf (or iat) is more than the clock skew in the
	// future.
	ErrTokenNotYetValid = errors.New("the token is not valid yet")

	// ErrUnknownSigningKey: the kid is not among the tenant's signing keys,
	// even after a refresh (or a refresh was not allowed yet: at most one
	// forced refresh per MinRefreshInterval).
	ErrUnknownSigningKey = errors.New("the token's signing key is unknown")

	// ErrKeysUnavailable: the tenant's signing keys have never been fetched
	// successfully (the JWKS endpoint failed), so no token of the tenant can
	// be checked yet; or a fetch the token needs (a new tenant's first, or a
	// refresh for an unknown kid) is refused because the on-demand fetches
	// for tenants not in entra.Config.Tenants are spent
	// (entra.Config.MaxTenantFetches).
	ErrKeysUnavailable = errors.New("the tenant's signing keys could not be fetched")

	// ErrBadSignature: the signature does not verify with the key the kid
	// names: a tampered token, or one signed by another key.
	ErrBadSignature = errors.New("the token's signature does not verify")
)
