//go:build !race

package sqlstore_test

// raceBuild is true under the race detector (see differential_race_test.go).
const raceBuild = false
