package store

import (
	"encoding/json"
	"time"
)

// Resource types scimkit ships with. A Store also persists any other type
// a schema.Registry defines (a "Device", say): a type is just its name.
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
// them byte for byte (or an equal JSON object).
type Resource struct {
	Type string // the resource type's name: User, Group, or a type of your own
	ID   string // assigned by the Store on Create

	// Unique holds the resource's values of the attributes its schema
	// marks unique (uniqueness "server": a user's userName, a group's
	// displayName, any attribute of your own types), set by the Handler
	// from Attributes. A Store keeps at most one resource of a type per
	// tenant with a given Key of each attribute, atomically, and answers
	// a write that would break that with a *ConflictError.
	Unique []Unique

	// Display is what a reference to the resource shows (a group
	// member's display): its displayName, else its userName. Set by the
	// Handler from Attributes.
	Display string

	// ExternalID is the externalId attribute, copied out of Attributes
	// for stores that index it. It is not unique.
	ExternalID string

	Attributes json.RawMessage
	Schemas    []string // extension URNs present (the core schema is implied)

	Members []Member   // groups only: the members, in the order added
	Groups  []GroupRef // users only, read-only: the groups the user is a direct member of

	Created      time.Time // set by the Store
	LastModified time.Time // set by the Store
	Version      string    // opaque, changes on every write; set by the Store
}

// Unique is a resource's value of one unique attribute.
type Unique struct {
	// Attribute is the attribute's name as filters name it: "userName",
	// or "urn:…:extension:…:serialNumber" for an extension's attribute.
	Attribute string
	Value     string // as written
	CaseExact bool   // compare exactly; otherwise case-insensitively
}

// Key is what uniqueness compares: Value, case-folded (FoldKey) unless
// CaseExact. Filter.UniqueEquality yields the same key for a filter's
// literal.
func (u Unique) Key() string {
	if u.CaseExact {
		return u.Value
	}
	return FoldKey(u.Value)
}

// UniqueValue returns r's value of unique attribute attribute ("userName"),
// or "".
func (r *Resource) UniqueValue(attribute string) string {
	for _, u := range r.Unique {
		if u.Attribute == attribute {
			return u.Value
		}
	}
	return ""
}

// Member is one member of a group.
type Member struct {
	Value   string // the member's id
	Type    string // User or Group; set by the Store from the member it finds
	Display string // as sent, or the member's Display
}

// GroupRef is a group a user belongs to.
type GroupRef struct {
	Value   string // the group's id
	Display string // the group's displayName
}

// Page is one page of a List.
type Page struct {
	Resources    []*Resource
	TotalResults int // all resources that matched, not only this page (in cursor mode too)

	// Cursor mode (Query.UseCursor) only; both stay empty otherwise.
	//
	// NextCursor is the position right after the last resource returned,
	// set when at least one more resource matched after it; empty on the
	// last page and when the page is empty (Count 0, or nothing after the
	// cursor).
	//
	// Cursors holds, for each resource of the page, the position right
	// after it: Cursors[i] continues the walk with what follows
	// Resources[i], and NextCursor is the last of them. The Handler needs
	// them when it cuts a page short at Limits.MaxResponseBytes: the next
	// page must start right after the last resource it actually sent.
	NextCursor string
	Cursors    []string
}
