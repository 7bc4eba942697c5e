package sqlstore

// Migrations returns d's migrations, for tests that build a database as
// an older version left it.
func Migrations(d Dialect) []string { return d.migrations() }
