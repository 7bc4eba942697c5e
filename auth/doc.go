// Package auth authenticates SCIM requests: it turns an *http.Request into
// a Principal whose Tenant scopes every store call the Handler makes.
//
// StaticTokens covers what Entra sends when the admin fills in the Secret
// Token field: a long-lived bearer token. Tokens are kept only as SHA-256
// hashes and compared in constant time; several may be valid at once, so a
// token is rotated by adding the new one, switching Entra over, then
// removing the old one.
//
// NewEntra covers the Secret Token field left blank: Entra then sends a JWT
// it signed, issued by https://sts.windows.net/{tenant ID}/ for the
// custom-app audience 8adf8e6e-67b2-4cf2-a259-e3dc5476c621. The *Entra it
// returns checks the issuer against the allowed tenants, the tid claim, the audience, exp
// (required) and nbf with a clock skew, and the RS256 signature against the
// tenant's published keys, which it caches, refreshes hourly and refetches
// on an unknown kid at most once per 5 minutes. Every check that needs no
// key comes before any fetch. With EntraConfig.AllowTenant, which lets
// tokens name tenants never seen, the keys of at most MaxTenants such
// tenants are cached (made-up tenants evicted first, tenants with verified
// tokens last), tenants served the same keys share them, and at most
// MaxTenantFetches fetches per 5 minutes are made for them.
// Principal.Tenant is the token's tenant ID. Verified tokens are cached
// until their exp. Package auth/authtest is a fake Entra issuer for tests
// and local development.
//
// Any accepts either kind during a migration.
//
// A rejection is an error that wraps one sentinel error: ErrNoToken,
// ErrInvalidToken, ErrTokenInQuery, ErrTokenTooLarge for every
// authenticator; ErrTokenExpired, ErrWrongAudience, ErrTenantNotAllowed,
// ErrUnknownSigningKey and their siblings for Entra's JWTs. The
// Handler answers 401 with only "unauthorized" in the body and logs the
// error's text, the precise reason in the admin's terms.
package auth
