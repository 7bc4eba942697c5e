package store

import (
	"encoding/json"
	"time"
)

// Resource types scimkit ships with.
const (
	User  = "User"
	Group = "Group"
)

// Resource is one stored SCIM resource.
//
// Attributes holds the resource's attributes as a JSON object, validated
// and canonicalised by the Handler: attribute names spelled as the schema
// spells them, extension values nested under their URN. It never contains
// id, schemas, meta, a group's members or a user's groups: those have
// fields of their own. A Store keeps Attributes as it got them and returns
// them byte for byte.
type Resource struct {
	Type string // User or Group
	ID   string // assigned by the Store on Create

	// The indexed attributes, copied out of Attributes by the Handler.
	// UserName is unique per tenant among users (case-insensitively),
	// DisplayName among groups (case-insensitively). ExternalID is not unique.
	UserName    string
	DisplayName string
	ExternalID  string

	Attributes json.RawMessage
	Schemas    []string // extension URNs present (the core schema is implied)

	Members []Member   // groups only: the members, in the order added
	Groups  []GroupRef // users only, read-only: the groups the user is a direct member of

	Created      time.Time // set by the Store
	LastModified time.Time // set by the Store
	Version      string    // opaque, changes on every write; set by the Store
}

// Member is one member of a group.
type Member struct {
	Value   string // the member's id
	Type    string // User or Group; set by the Store from the member it finds
	Display string // as sent, or the member's displayName (userName for users without one)
}

// GroupRef is a group a user belongs to.
type GroupRef struct {
	Value   string // the group's id
	Display string // the group's displayName
}

// Page is one page of a List.
type Page struct {
	Resources    []*Resource
	TotalResults int // all resources that matched, not only this page
}
