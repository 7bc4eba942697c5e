package sqlstore

import "github.com/scimkit/scimkit/store"

// Migrations returns d's migrations, for tests that build a database as
// an older version left it.
func RawMigrations(d Dialect) []string { return d.migrations() }

// PageSQL returns the statement List sends for the first page of q, and
// whether SQL decides the whole query (else List filters in Go).
func PageSQL(s *Store, tenant, typ string, q store.Query) (string, []any, bool) {
	where, rest, _ := s.where(tenant, typ, q.Filter)
	order, ok := s.orderBy(q)
	f := s.pageQuery(typ, where, order, q.Count, 0)
	return s.sqlOnce(f.sql), f.args, rest == nil && ok
}
