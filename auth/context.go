package auth

import "context"

type principalKey struct{}

// WithPrincipal returns a context carrying p. The scim Handler puts the
// Principal it authenticated in the context of every request it serves,
// so a Store, a hook or the service's own code can tell who made it.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the Principal in ctx, and false when there is none
// (a context the Handler did not make).
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
