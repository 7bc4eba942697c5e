package store

import (
	"context"
	"strings"
)

// Store persists resources. All methods are scoped to the tenant in ctx
// and must be safe for concurrent use.
type Store interface {
	// Create stores r, assigning ID, Created, LastModified and Version. It
	// returns a *ConflictError when a value of r.Unique is taken by another
	// resource of the type in the tenant, and an *InvalidMemberError for
	// group members that do not exist.
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

// MemberPatcher is an optional Store capability: add and remove members of
// one group without reading or rewriting its member list, so that adding
// one member to a group of 100,000 costs what adding one to a group of 10
// does. The Handler uses it for PATCH requests that only add or remove
// members.
//
// PatchMembers applies, atomically and after the ifMatch check: adds
// (idempotent: an existing member keeps its place; a Display given
// replaces the stored one), then removes (ids that are not members are
// ignored). A member that is not a user or group of the tenant fails the
// whole call with an *InvalidMemberError. The Resource returned has no
// Members; its Version and LastModified are the new ones.
type MemberPatcher interface {
	PatchMembers(ctx context.Context, groupID, ifMatch string, add []Member, remove []string) (*Resource, error)
}

// CursorPager is an optional Store capability: its List honours
// Query.UseCursor and Query.Cursor and fills Page.NextCursor and
// Page.Cursors (cursor paging, RFC 9865), as storetest.Run checks.
// PagesByCursor reports whether it does (a wrapper around another Store
// answers for the Store it wraps). The Handler advertises cursor paging in
// /ServiceProviderConfig, and accepts the cursor parameter, only over a
// Store that reports true; over any other it answers a request with a
// cursor 501, never a page that would end the client's walk early.
type CursorPager interface {
	PagesByCursor() bool
}

// PagesByCursor reports whether s is a CursorPager that pages by cursor.
func PagesByCursor(s Store) bool {
	cp, ok := s.(CursorPager)
	return ok && cp.PagesByCursor()
}
