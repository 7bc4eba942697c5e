//go:build race

package sqlstore_test

// raceBuild is true under the race detector, which slows the stores about
// sixteenfold (SQLite most: it is C translated to Go), so
// TestDifferentialFilters lists fewer cases there.
const raceBuild = true
