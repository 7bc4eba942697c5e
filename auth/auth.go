package auth

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// Authenticator authenticates one request.
type Authenticator interface {
	Authenticate(r *http.Request) (Principal, error)
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(r *http.Request) (Principal, error)

// Authenticate calls f(r).
func (f AuthenticatorFunc) Authenticate(r *http.Request) (Principal, error) { return f(r) }

// Principal is who made a request.
type Principal struct {
	Tenant  string // scopes every store call; never empty for an authenticated request
	Subject string // the token's name or the JWT subject, for logs
	Method  string // "static-token", "entra-jwt", "none"
}

// Rejection reasons. Errors returned by this package's Authenticators wrap
// exactly one of them or, for Entra's JWTs, one of ErrTokenExpired,
// ErrWrongAudience and their siblings.
var (
	ErrNoToken       = errors.New("no bearer token: is the Secret Token field filled in?")
	ErrInvalidToken  = errors.New("the bearer token is not one of the configured tokens")
	ErrTokenInQuery  = errors.New("a token in the query string is refused; send it in the Authorization header")
	ErrTokenTooLarge = errors.New("the bearer token is larger than 16 KiB")
)

// MaxTokenBytes is the largest bearer token considered.
const MaxTokenBytes = 16 << 10

// BearerToken extracts the bearer token of r. It refuses tokens in the
// query string (access_token) and tokens over MaxTokenBytes.
func BearerToken(r *http.Request) (string, error) {
	if r.URL != nil && hasQueryKey(r.URL.RawQuery, "access_token") {
		return "", ErrTokenInQuery
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", ErrNoToken
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", ErrNoToken
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", ErrNoToken
	}
	if len(tok) > MaxTokenBytes {
		return "", ErrTokenTooLarge
	}
	return tok, nil
}

// hasQueryKey reports whether the raw query string holds a parameter
// named key, unescaping keys only (a value can be long: a filter).
func hasQueryKey(raw, key string) bool {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, _, _ := strings.Cut(pair, "=")
		if strings.ContainsAny(k, "%+") {
			if u, err := url.QueryUnescape(k); err == nil {
				k = u
			}
		}
		if k == key {
			return true
		}
	}
	return false
}

// None accepts every request as tenant. It exists for local experiments;
// a Handler configured with it logs a warning at start. Never deploy it.
func None(tenant string) Authenticator {
	return noneAuth{tenant}
}

type noneAuth struct{ tenant string }

func (n noneAuth) Authenticate(*http.Request) (Principal, error) {
	return Principal{Tenant: n.tenant, Method: "none"}, nil
}

// Insecure says why a Handler built with None warns at start: an
// Authenticator that checks nothing has this method.
func (noneAuth) Insecure() string {
	return "serving WITHOUT authentication (auth.None); never deploy this"
}
