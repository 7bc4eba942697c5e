package store

import (
	"context"
	"strings"
)

// Store persists resources. All methods are scoped to the tenant in ctx
// and must be safe for concurrent use.
type Store interface {
	// Create stores r, assigning ID, Created, LastModified and Version. It
	// returns a *ConflictError for a taken userName (users) or displayName
	// (groups), and an *InvalidMemberError for members that do not exist.
	Create(ctx context.Context, r *Resource) (*Resource, error)

	// Get returns the resource of type typ with id, or ErrNotFound.
	Get(ctx context.Context, typ, id string) (*Resource, error)

	// Update reads the resource, calls fn with a copy, and stores what fn
	// left (keeping ID and Created), atomically: no write in between is
	// lost. An error from fn is returned as is and nothing is stored.
	// ifMatch is checked first, as VersionMatches says; a mismatch is
	// ErrPrecondition. PUT and PATCH both go through Update.
	Update(ctx context.Context, typ, id, ifMatch string, fn func(*Resource) error) (*Resource, error)

	// Delete removes the resource and every membership that names it
	// (a deleted user or group leaves every group it was in). ifMatch as
	// for Update.
	Delete(ctx context.Context, typ, id, ifMatch string) error

	// List returns the resources of type typ matching q, one page.
	List(ctx context.Context, typ string, q Query) (*Page, error)
}

// VersionMatches reports whether a resource at version passes the ifMatch
// precondition the Handler passes to a Store: "" (no precondition) and "*"
// pass; otherwise ifMatch is a comma-separated list of versions, one of
// which must equal version.
func VersionMatches(ifMatch, version string) bool {
	if ifMatch == "" || ifMatch == "*" {
		return true
	}
	for {
		v, rest, more := strings.Cut(ifMatch, ",")
		if strings.TrimSpace(v) == version {
			return true
		}
		if !more {
			return false
		}
		ifMatch = rest
	}
}
