package sqlstore

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// statements caches the text of statements as the database receives them
// (placeholders rebound for PostgreSQL, table names prefixed), keyed by the
// text this package writes. The drivers cache prepared statements by that
// text, so a statement is parsed and planned once per connection.
type statements struct {
	prefix string
	m      sync.Map // string → string
}

// sql returns q as the database receives it.
func (s *Store) sql(q string) string {
	if v, ok := s.stmts.m.Load(q); ok {
		return v.(string)
	}
	out := withPrefix(s.d.rebind(q), s.stmts.prefix)
	s.stmts.m.Store(q, out)
	return out
}

// storable reports whether a text can be in a column at all: PostgreSQL
// text holds neither U+0000 nor invalid UTF-8, so no stored id, name or
// value equals such a text; comparing with one finds nothing rather than
// failing the statement.
func storable(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

// fault wraps an error of the database for op.
func (s *Store) fault(op string, err error) error {
	return &dbError{op: op, err: err}
}

type dbError struct {
	op  string
	err error
}

func (e *dbError) Error() string { return "sqlstore: " + e.op + ": " + e.err.Error() }
func (e *dbError) Unwrap() error { return e.err }

// sqlOnce returns q as the database receives it without caching the text:
// for statements built per request (filters), whose texts are unbounded.
func (s *Store) sqlOnce(q string) string {
	return withPrefix(s.d.rebind(q), s.stmts.prefix)
}
