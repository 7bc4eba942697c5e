package store

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scimkit/scim/schema"
)

// Cursor is a position in the order of a List: right after the resource
// whose sort key is Key and whose place in the Store's default order is
// (Seq, ID). It is what EncodeCursor writes and DecodeCursor reads; the
// string form is what travels to the client as nextCursor.
//
// Seq and ID are the Store's own default-order key: a creation sequence
// alone (ID left ""), a creation timestamp with the id to break its ties,
// or an id alone (Seq left 0). Whatever it is, it must be unique within a
// resource type and never change for a resource, and the default order must
// be (Seq, ID) ascending, ID compared as bytes.
type Cursor struct {
	// Key is the resource's Query.SortKey when the query is sorted: nil
	// (no value), a string, a float64 or a time.Time. Ignored otherwise.
	Key any
	Seq int64
	ID  string
}

// ComparePositions orders two positions in q's order: by sort key as
// CompareSortKeys does (when q has a SortBy), then by Seq, then by ID.
// A Store that sorts in Go walks its sorted results to the first one that
// compares greater than the decoded cursor.
func (q Query) ComparePositions(a, b Cursor) int {
	if q.SortBy != nil {
		if c := q.CompareSortKeys(a.Key, b.Key); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(a.Seq, b.Seq); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// The cursor format, version 1, before base64url (RFC 4648 §5, without
// padding: only RFC 3986 unreserved characters, as RFC 9865 §2 asks):
//
//	version    1 byte, 1
//	query      4 bytes, big-endian FNV-1a of the resource type, sortBy (its
//	           canonical name and value type), sortOrder
//	key tag    1 byte: keyNone … keyTime
//	key        string: uvarint length, bytes; number: 8 bytes, big-endian
//	           IEEE 754 bits; time: varint Unix seconds, uvarint nanoseconds
//	seq        varint
//	id         uvarint length, bytes
//
// Every varint is minimal and nothing may follow the id, so a string
// decodes only if EncodeCursor could have made it, and makes it again.
const cursorVersion = 1

const (
	keyNone   = iota // the query is not sorted
	keyAbsent        // sorted; the resource has no value
	keyString
	keyNumber
	keyTime
)

// maxCursorSeconds bounds the Unix seconds of a time key: far past any
// date, and far from where time.Time's own arithmetic overflows.
const maxCursorSeconds = 1 << 62

// cursorCodec reads and writes the raw bytes; base64url is strict, so one
// cursor has one spelling.
var cursorCodec = base64.RawURLEncoding.Strict()

// EncodeCursor returns the cursor string for position c in the List of
// resource type typ that q asks for. Stores put it in Page.Cursors and
// Page.NextCursor. The filter is not part of it: a position in an order
// means the same whatever selects from that order, so reusing a cursor
// with another filter continues from the same place (RFC 9865 asks clients
// to repeat every parameter, and nothing is exposed that the new filter
// would not list anyway). c.Key must be nil, a string, a float64 or a
// time.Time, as SortKey returns; any other type panics.
func EncodeCursor(typ string, q Query, c Cursor) string {
	b := make([]byte, 0, 24+len(c.ID))
	b = append(b, cursorVersion)
	b = binary.BigEndian.AppendUint32(b, queryHash(typ, q))
	b = appendKey(b, q, c.Key)
	b = binary.AppendVarint(b, c.Seq)
	b = binary.AppendUvarint(b, uint64(len(c.ID)))
	b = append(b, c.ID...)
	return cursorCodec.EncodeToString(b)
}

func appendKey(b []byte, q Query, key any) []byte {
	if q.SortBy == nil {
		return append(b, keyNone)
	}
	switch k := key.(type) {
	case nil:
		return append(b, keyAbsent)
	case string:
		b = append(b, keyString)
		b = binary.AppendUvarint(b, uint64(len(k)))
		return append(b, k...)
	case float64:
		b = append(b, keyNumber)
		return binary.BigEndian.AppendUint64(b, math.Float64bits(k))
	case time.Time:
		b = append(b, keyTime)
		b = binary.AppendVarint(b, k.Unix())
		return binary.AppendUvarint(b, uint64(k.Nanosecond()))
	}
	panic(fmt.Sprintf("store: EncodeCursor: a sort key of type %T (want nil, string, float64 or time.Time, as Query.SortKey returns)", key))
}

// DecodeCursor reads a cursor EncodeCursor made for the same resource type
// and the same sortBy and sortOrder. Anything else (garbage, a cut or
// altered cursor, one made for another type or order) is an error matching
// ErrInvalidCursor; it never panics. s must not be empty: "" asks for the
// first page and has no position to decode.
//
// Cursors are not signed: a client that forges one only moves its own walk
// to another position of the list it may read anyway, since the Store still
// applies the tenant and the filter.
func DecodeCursor(typ string, q Query, s string) (Cursor, error) {
	var c Cursor
	if !cursorAlphabet(s) {
		return c, cursorError("not a cursor this service made")
	}
	raw, err := cursorCodec.DecodeString(s)
	if err != nil {
		return c, cursorError("not a cursor this service made")
	}
	d := cursorReader{b: raw}
	if v := d.u8(); v != cursorVersion || d.bad {
		return c, cursorError("not a cursor this service made")
	}
	if h := d.uint32(); d.bad || h != queryHash(typ, q) {
		return c, cursorError("made for another resource type, sortBy or sortOrder: repeat the first request's parameters, or start again with an empty cursor")
	}
	c.Key = d.key(q)
	c.Seq = d.varint()
	c.ID = d.str()
	if d.bad || len(d.b) != 0 {
		return Cursor{}, cursorError("not a cursor this service made")
	}
	return c, nil
}

// cursorAlphabet reports whether s holds only base64url letters: the
// decoder itself skips line breaks, which would give one cursor several
// spellings.
func cursorAlphabet(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func cursorError(why string) error {
	return fmt.Errorf("%w: %s", ErrInvalidCursor, why)
}

// queryHash is what a cursor remembers of its query: enough to tell that
// it is used with another resource type or order.
func queryHash(typ string, q Query) uint32 {
	h := fnv.New32a()
	h.Write([]byte(typ))
	h.Write([]byte{0})
	if q.SortBy != nil {
		vt, caseExact := q.SortBy.valueType()
		fmt.Fprintf(h, "%s\x00%s\x00%t\x00%t", q.SortBy.Name, vt, caseExact, q.SortDescending)
	}
	return h.Sum32()
}

// keyTag is the tag a present sort key of q has.
func keyTag(q Query) byte {
	vt, _ := q.SortBy.valueType()
	switch vt {
	case schema.Integer, schema.Decimal, schema.Boolean:
		return keyNumber
	case schema.DateTime:
		return keyTime
	}
	return keyString
}

// cursorReader reads the fields of a cursor; any read past the end or out
// of form sets bad, after which every read returns a zero value.
type cursorReader struct {
	b   []byte
	bad bool
}

func (d *cursorReader) take(n int) []byte {
	if d.bad || n < 0 || n > len(d.b) {
		d.bad = true
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

func (d *cursorReader) u8() byte {
	if p := d.take(1); p != nil {
		return p[0]
	}
	return 0
}

func (d *cursorReader) uint32() uint32 {
	if p := d.take(4); p != nil {
		return binary.BigEndian.Uint32(p)
	}
	return 0
}

func (d *cursorReader) uvarint() uint64 {
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || n != len(binary.AppendUvarint(nil, v)) { // overflow, cut, or not minimal
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *cursorReader) varint() int64 {
	if d.bad {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 || n != len(binary.AppendVarint(nil, v)) {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *cursorReader) str() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.bad = true
		return ""
	}
	return string(d.take(int(n)))
}

// key reads the sort key, which must be of the kind q sorts by.
func (d *cursorReader) key(q Query) any {
	tag := d.u8()
	switch {
	case d.bad:
		return nil
	case q.SortBy == nil:
		if tag != keyNone {
			d.bad = true
		}
		return nil
	case tag == keyAbsent:
		return nil
	case tag != keyTag(q):
		d.bad = true
		return nil
	}
	switch tag {
	case keyString:
		return d.str()
	case keyNumber:
		if p := d.take(8); p != nil {
			return math.Float64frombits(binary.BigEndian.Uint64(p))
		}
	case keyTime:
		sec, nsec := d.varint(), d.uvarint()
		if nsec >= 1e9 || sec > maxCursorSeconds || sec < -maxCursorSeconds {
			d.bad = true // a time.Time would not give these seconds back
		}
		if !d.bad {
			return time.Unix(sec, int64(nsec)).UTC()
		}
	}
	return nil
}

// String describes c for test failures and logs.
func (c Cursor) String() string {
	return fmt.Sprintf("after key %v, seq %d, id %q", c.Key, c.Seq, c.ID)
}

// CursorWindow returns the part items[start:end] that a cursor page shows,
// for a Store that sorts in Go: items (in q's order, as
// ComparePositions orders pos of them) after position after (nil: from
// the first), at most q.Count of them. more reports that items follow
// the window: the page's NextCursor is then the cursor of its last item.
func CursorWindow[T any](q Query, items []T, after *Cursor, pos func(T) Cursor) (start, end int, more bool) {
	if after != nil {
		start, _ = slices.BinarySearchFunc(items, *after, func(it T, c Cursor) int {
			if q.ComparePositions(pos(it), c) <= 0 {
				return -1
			}
			return 1
		})
	}
	end = min(start+max(q.Count, 0), len(items))
	return start, end, end > start && end < len(items)
}
