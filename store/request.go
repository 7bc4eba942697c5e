package store

import "context"

type requestIDKey struct{}

// WithRequestID returns a context carrying the id of the request a Store
// call serves. The scim Handler sets it on every request (from the
// client's X-Request-ID header, or a new one) and returns it in its
// response's X-Request-ID header; stores copy it into the events they
// record, so a change can be traced to the request that made it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
