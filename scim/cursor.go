package scim

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"

	"github.com/scimkit/scimkit/store"
)

// searchCursor is a position in a search across resource types (POST
// /.search at the root): the resource type it is in, and the position in
// that type's list, as the Store's cursor. Types are walked in the order
// the registry lists them.
type searchCursor struct {
	typ   string // the resource type's name
	inner string // the Store's cursor within it
}

// The format, before base64url without padding (so only RFC 3986
// unreserved characters): a version byte (1), the type's name (uvarint
// length, bytes), then the Store's cursor to the end. One cursor has one
// spelling: the alphabet is checked, the base64 is strict and the length
// minimal.
const searchCursorVersion = 1

var searchCursorCodec = base64.RawURLEncoding.Strict()

func (c searchCursor) encode() string {
	b := make([]byte, 0, 2+len(c.typ)+len(c.inner))
	b = append(b, searchCursorVersion)
	b = binary.AppendUvarint(b, uint64(len(c.typ)))
	b = append(b, c.typ...)
	b = append(b, c.inner...)
	return searchCursorCodec.EncodeToString(b)
}

// decodeSearchCursor reads a cursor encode made. Anything else is an error
// matching store.ErrInvalidCursor; it never panics.
func decodeSearchCursor(s string) (searchCursor, error) {
	bad := fmt.Errorf("%w: not a cursor of a search across resource types", store.ErrInvalidCursor)
	if !base64URL(s) {
		return searchCursor{}, bad
	}
	b, err := searchCursorCodec.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != searchCursorVersion {
		return searchCursor{}, bad
	}
	n, w := binary.Uvarint(b[1:])
	if w <= 0 || w != len(binary.AppendUvarint(nil, n)) || n == 0 || n > uint64(len(b)-1-w) {
		return searchCursor{}, bad
	}
	rest := b[1+w:]
	c := searchCursor{typ: string(rest[:n]), inner: string(rest[n:])}
	if c.inner == "" {
		return searchCursor{}, bad // a position within the type is always there
	}
	return c, nil
}

// base64URL reports whether s holds only base64url letters (the decoder
// itself skips line breaks).
func base64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
