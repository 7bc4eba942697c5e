package auth

import (
	"context"
	"errors"
	"net/http"
)

// Any returns an Authenticator that tries each of authenticators in order
// and accepts the first success: during a migration from a secret token to
// Entra-issued JWTs (or from one token scheme to another), both forms are
// accepted until Entra's configuration is switched over.
//
// Requests of one customer land in one tenant only if both authenticators
// give it the same Principal.Tenant: with StaticTokens and entra.New, use
// the Entra tenant ID as the static token's Tenant.
//
// When every authenticator rejects the request, Any returns the most
// specific rejection, so the log names the real problem: an error about
// the token's content (expired, wrong audience, tenant not allowed, unknown
// signing key …) wins over ErrInvalidToken (not one of the static tokens),
// which wins over ErrMalformedToken (not a JWT), which wins over the
// request-level errors every authenticator shares (ErrNoToken,
// ErrTokenInQuery, ErrTokenTooLarge). Among equally specific errors the
// first authenticator's wins. For a wrong opaque secret that is
// ErrInvalidToken; for an expired Entra JWT, ErrTokenExpired.
//
// Any panics if it is given no authenticator or a nil one.
func Any(authenticators ...Authenticator) Authenticator {
	if len(authenticators) == 0 {
		panic("auth: Any needs at least one Authenticator")
	}
	for _, a := range authenticators {
		if a == nil {
			panic("auth: Any given a nil Authenticator")
		}
	}
	return anyOf(append([]Authenticator(nil), authenticators...))
}

type anyOf []Authenticator

// CheckHealth checks every authenticator that has a CheckHealth method
// (the Entra and OAuth authenticators: are their keys available?) and
// joins their errors: a health endpoint sees through Any.
func (as anyOf) CheckHealth(ctx context.Context) error {
	var errs []error
	for _, a := range as {
		if hc, ok := a.(interface{ CheckHealth(context.Context) error }); ok {
			errs = append(errs, hc.CheckHealth(ctx))
		}
	}
	return errors.Join(errs...)
}

func (as anyOf) Authenticate(r *http.Request) (Principal, error) {
	var best error
	bestRank := -1
	for _, a := range as {
		p, err := a.Authenticate(r)
		if err == nil {
			return p, nil
		}
		if rk := specificity(err); rk > bestRank {
			best, bestRank = err, rk
		}
	}
	return Principal{}, best
}

// specificity ranks rejections for Any: the higher, the more it says
// about this particular token.
func specificity(err error) int {
	switch {
	case errors.Is(err, ErrNoToken), errors.Is(err, ErrTokenInQuery), errors.Is(err, ErrTokenTooLarge):
		return 0
	case errors.Is(err, ErrMalformedToken):
		return 1
	case errors.Is(err, ErrInvalidToken):
		return 2
	}
	return 3
}
