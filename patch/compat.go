package patch

// Compat says which non-RFC forms a PATCH may use. The zero value accepts
// what Entra (both formats) and Okta send, and upserts an element a value
// filter does not find (Entra expects addresses[type eq "work"].locality
// to create the work address).
type Compat struct {
	// Strict accepts RFC 7644 only: Normalize rejects every quirk instead
	// of rewriting it, Apply answers noTarget for a value filter that
	// matches nothing and invalidPath for an attribute the schema lacks.
	Strict bool
}
