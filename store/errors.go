package store

import (
	"errors"
	"fmt"
)

// Sentinel errors. Stores wrap them with detail; test with errors.Is.
var (
	// ErrNotFound: no resource of that type and id in the tenant.
	ErrNotFound = errors.New("store: resource not found")
	// ErrConflict: a uniqueness constraint would be broken. Stores return a
	// *ConflictError, which matches it.
	ErrConflict = errors.New("store: uniqueness conflict")
	// ErrPrecondition: the ifMatch version is not the current one.
	ErrPrecondition = errors.New("store: version mismatch")
	// ErrInvalidMember: a group member is not an existing user or group of
	// the tenant. Stores return an *InvalidMemberError, which matches it.
	ErrInvalidMember = errors.New("store: invalid group member")
	// ErrUnsupportedType: the Store does not persist resources of this
	// type (a store over a product's own user and team tables, say). The
	// Handler answers 501, and storetest.Run skips its custom-type tests.
	ErrUnsupportedType = errors.New("store: resource type not supported by this store")
	// ErrUnavailable: the store cannot answer now; retry later. The
	// database is unreachable, restarting or overloaded, or the
	// connection was lost. Stores return an *UnavailableError, which
	// matches it; the Handler answers 503 with Retry-After.
	ErrUnavailable = errors.New("store: unavailable; retry later")
	// ErrInvalidCursor: Query.Cursor is not a cursor this Store made for
	// this query (garbage, or made for another resource type, sortBy or
	// sortOrder). Stores wrap it with what is wrong; the Handler answers
	// 400 invalidCursor (RFC 9865 §2.1).
	ErrInvalidCursor = errors.New("store: invalid cursor")
)

// ConflictError says which unique attribute clashed.
type ConflictError struct {
	Attribute string // the Unique.Attribute: "userName", "displayName" …
	Value     string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s %q is already taken", e.Attribute, e.Value)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// InvalidMemberError lists member ids that are not users or groups of the
// tenant.
type InvalidMemberError struct {
	IDs []string
}

func (e *InvalidMemberError) Error() string {
	return fmt.Sprintf("no user or group with id %q", e.IDs)
}

// Is makes errors.Is(err, ErrInvalidMember) true.
func (e *InvalidMemberError) Is(target error) bool { return target == ErrInvalidMember }
