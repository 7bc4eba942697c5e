package store

import "context"

// Store persists resources. All methods are scoped to the tenant in ctx
// and must be safe for concurrent use.
type Store interface {
	// Create stores r, assigning ID, Created, LastModified and Version. It
	// returns a *ConflictError for a taken userName (users) or displayName
	// (groups), and an *InvalidMemberError for members that do not exist.
	Create(ctx context.Context, r *Resource) (*Resource, error)

	// Get returns the resource of type typ with id, or ErrNotFound.
	Get(ctx context.Context, typ, id string) (*Resource, error)

	// Replace overwrites the stored resource r.Type/r.ID with r (keeping
	// Created). ifMatch, when not empty, must equal the stored Version
	// ("*" matches any), else ErrPrecondition.
	Replace(ctx context.Context, r *Resource, ifMatch string) (*Resource, error)

	// Update reads the resource, calls fn with a copy, and stores what fn
	// left, atomically: no write in between is lost. An error from fn is
	// returned as is and nothing is stored.
	Update(ctx context.Context, typ, id, ifMatch string, fn func(*Resource) error) (*Resource, error)

	// Delete removes the resource and, for a user or group, every
	// membership that names it.
	Delete(ctx context.Context, typ, id, ifMatch string) error

	// List returns the resources of type typ matching q, one page.
	List(ctx context.Context, typ string, q Query) (*Page, error)
}
