// Package auth authenticates SCIM requests: it turns an *http.Request into
// a Principal whose Tenant scopes every store call the Handler makes.
//
// StaticTokens covers what Entra sends when the admin fills in the Secret
// Token field: a long-lived bearer token. Tokens are kept only as SHA-256
// hashes and compared in constant time; several may be valid at once, so a
// token is rotated by adding the new one, switching Entra over, then
// removing the old one.
//
// A rejection is an error that wraps one of the sentinel errors
// (ErrNoToken, ErrInvalidToken, ErrTokenInQuery, ErrTokenTooLarge); the
// Handler answers 401 with only "unauthorized" in the body and logs the
// precise reason.
package auth
