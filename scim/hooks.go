package scim

import (
	"context"
	"slices"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/store"
)

// Hooks lets the service take part in every write the Handler makes:
// creates, replaces, patches (member changes included) and deletes, of
// every resource type, also inside /Bulk. Set it in Config.Hooks;
// HookFuncs adapts two functions.
//
// Hooks run in the request, in-process: a refusal reaches the client, and
// an AfterWrite that is slow makes the response slow. To react to
// provisioning outside the request, durably and across restarts, read a
// store.Feed instead (README: "React to provisioning").
type Hooks interface {
	// BeforeWrite is called when a write is about to be stored. It sees
	// the change as it would be committed. A non-nil error refuses the
	// write and nothing is stored: a *Error is answered as it is (403,
	// 409, 400 invalidValue for a business rule);
	// an error wrapping store.ErrUnavailable is answered 503; any other
	// error is logged and answered 500.
	//
	// For a PATCH or PUT it runs inside the Store's atomic update, and may
	// run again when the Store retries that update after a concurrent
	// write. It may read the Store (scimkit's stores hold no lock while
	// it runs) but must not write the resource being written. What it
	// reads can change before the write commits: a limit that counts
	// resources (seats) is exact only when the Store checks it in its own
	// transaction (examples/ownmodel/seats.go). A PATCH that only adds or removes group members, served by a
	// store.MemberPatcher, reaches it without Before and After: its
	// Events are the member changes requested.
	BeforeWrite(ctx context.Context, c *Change) error

	// AfterWrite is called once the write is committed, with the change
	// as committed (the resource's id and version assigned). It cannot
	// undo it.
	AfterWrite(ctx context.Context, c *Change)
}

// Op is the kind of write a Change is.
type Op string

// The writes.
const (
	OpCreate  Op = "create"  // POST
	OpReplace Op = "replace" // PUT
	OpPatch   Op = "patch"   // PATCH
	OpDelete  Op = "delete"  // DELETE
)

// Change is one write, as Hooks see it.
type Change struct {
	Op   Op
	Type string // the resource type: User, Group, …
	ID   string // "" in BeforeWrite of a create

	// Before is the resource as stored before the write (nil for a
	// create); After what the write stores (nil for a delete). A user's
	// password and other returned:"never" values are in neither: the
	// Handler never stores them. Both are nil for a PATCH served by a
	// store.MemberPatcher.
	Before, After *store.Resource

	// Events says what the change means: created, updated with the paths
	// that changed, deactivated, reactivated, deleted, one member added
	// or removed per member (store.Changes). A write that changes nothing
	// has none. Their IDs, principal, request id and time are set.
	Events []store.Event

	Principal auth.Principal // who made the request
	RequestID string         // its id (X-Request-ID)
}

// HookFuncs adapts functions to Hooks; a nil field does nothing.
type HookFuncs struct {
	Before func(ctx context.Context, c *Change) error
	After  func(ctx context.Context, c *Change)
}

// BeforeWrite calls f.Before, if set.
func (f HookFuncs) BeforeWrite(ctx context.Context, c *Change) error {
	if f.Before == nil {
		return nil
	}
	return f.Before(ctx, c)
}

// AfterWrite calls f.After, if set.
func (f HookFuncs) AfterWrite(ctx context.Context, c *Change) {
	if f.After != nil {
		f.After(ctx, c)
	}
}

// MultiHooks returns Hooks that call each of hs in order: BeforeWrite
// until one refuses (its error is the answer), AfterWrite all of them.
func MultiHooks(hs ...Hooks) Hooks {
	return multiHooks(slices.DeleteFunc(slices.Clone(hs), func(h Hooks) bool { return h == nil }))
}

type multiHooks []Hooks

func (m multiHooks) BeforeWrite(ctx context.Context, c *Change) error {
	for _, h := range m {
		if err := h.BeforeWrite(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

func (m multiHooks) AfterWrite(ctx context.Context, c *Change) {
	for _, h := range m {
		h.AfterWrite(ctx, c)
	}
}
