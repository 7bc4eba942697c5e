package store

import "context"

type committedKey struct{}

// WithCommitted returns a context carrying f. A Store that knows the
// events of its writes (one that keeps a Feed, and the memory store) calls
// Committed with them once a write made in such a context is committed,
// even when its Feed is off. The scim Handler uses it to give Hooks the
// exact change of a write only the Store sees whole: which of the members
// a store.MemberPatcher was asked to add were not members yet.
func WithCommitted(ctx context.Context, f func([]Event)) context.Context {
	return context.WithValue(ctx, committedKey{}, f)
}

// WantsCommitted reports whether ctx carries a function for Committed: a
// Store may skip working out events nobody asked for.
func WantsCommitted(ctx context.Context) bool {
	_, ok := ctx.Value(committedKey{}).(func([]Event))
	return ok
}

// Committed passes evs, the stamped events of a write just committed, to
// the function in ctx, if any.
func Committed(ctx context.Context, evs []Event) {
	if f, ok := ctx.Value(committedKey{}).(func([]Event)); ok {
		f(evs)
	}
}
