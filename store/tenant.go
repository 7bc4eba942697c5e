package store

import "context"

type tenantKey struct{}

// WithTenant returns a context that scopes Store calls to tenant.
func WithTenant(ctx context.Context, tenant string) context.Context {
	return context.WithValue(ctx, tenantKey{}, tenant)
}

// Tenant returns the tenant of ctx, and false when there is none. Stores
// must refuse calls without a tenant rather than pick one.
func Tenant(ctx context.Context) (string, bool) {
	t, ok := ctx.Value(tenantKey{}).(string)
	return t, ok
}

// ErrNoTenant is returned by a Store called without a tenant in the context.
var ErrNoTenant = errorString("store: no tenant in context")

type errorString string

func (e errorString) Error() string { return string(e) }
