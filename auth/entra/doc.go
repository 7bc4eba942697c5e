// Package entra authenticates the JWTs Microsoft Entra ID signs.
//
// With the default Config (Version V1) it covers the Secret Token field
// left blank: Entra then sends a JWT it signed, issued by
// https://sts.windows.net/{tenant ID}/ for the custom-app audience
// 8adf8e6e-67b2-4cf2-a259-e3dc5476c621. With Version V2 it checks Entra's
// v2 tokens, issued by https://login.microsoftonline.com/{tenant ID}/v2.0
// with keys at {AuthorityHost}/{tenant ID}/discovery/v2.0/keys: the
// client assertions of workload identity federation (package auth/oauth).
//
// The *Authenticator that New returns checks the issuer against the
// allowed tenants, the tid claim, the audience, the subject (when
// Config.Subjects is set), exp (required), nbf and iat with a clock skew,
// and the RS256 signature against the tenant's published keys, which it
// caches, refreshes hourly and refetches on an unknown kid at most once per
// 5 minutes. Every check that needs no key comes before any fetch. With
// Config.AllowTenant, which lets tokens name tenants never seen, the keys
// of at most MaxTenants such tenants are cached (made-up tenants evicted
// first, tenants with verified tokens last), tenants served the same keys
// share them, and at most MaxTenantFetches fetches per 5 minutes are made
// for them. Principal.Tenant is the token's tenant ID. Verified tokens are
// cached until their exp. CheckHealth reports whether every configured
// tenant's keys are available; Config.OnKeysFetched observes every fetch.
//
// Rejections wrap the sentinel errors of package auth (auth.ErrTokenExpired,
// auth.ErrWrongAudience, …). Package auth/authtest is a fake Entra issuer
// for tests and local development.
package entra
