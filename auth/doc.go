// Package auth authenticates SCIM requests: it turns an *http.Request into
// a Principal whose Tenant scopes every store call the Handler makes.
//
// Package auth itself has no dependency outside the standard library: a
// service that only uses static tokens links no JWT library. JWT-based
// authentication lives in subpackages:
//
//   - auth/entra validates the JWTs Entra ID signs (v1 tokens sent when the
//     Secret Token field is left blank, v2 tokens for workload identity
//     federation);
//   - auth/oauth is an OAuth 2.0 token endpoint (client credentials with a
//     client secret, or an Entra client assertion) and the Authenticator of
//     the access tokens it issues: what the Entra gallery requires.
//
// StaticTokens covers what Entra sends when the admin fills in the Secret
// Token field: a long-lived bearer token. Tokens are kept only as SHA-256
// hashes and compared in constant time; several may be valid at once, so a
// token is rotated by adding the new one, switching Entra over, then
// removing the old one.
//
// Any accepts either kind during a migration.
//
// A rejection is an error that wraps one sentinel error: ErrNoToken,
// ErrInvalidToken, ErrTokenInQuery, ErrTokenTooLarge for every
// authenticator; ErrTokenExpired, ErrWrongAudience, ErrTenantNotAllowed,
// ErrUnknownSigningKey and their siblings for JWTs (auth/entra,
// auth/oauth). The Handler answers 401 with only "unauthorized" in the
// body and logs the error's text, the precise reason in the admin's terms.
package auth
