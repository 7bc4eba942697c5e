package store_test

import (
	"testing"

	fp "github.com/scim2/filter-parser/v2"

	"github.com/scimkit/scimkit/internal/filter"
)

// entraFilter is the filter Entra ID sends before creating every user.
const entraFilter = `userName eq "Test_User_00aa00aa@contoso.com"`

func BenchmarkParseEntraFilter(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := filter.Parse(entraFilter); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseEntraFilterUpstream is the upstream parser on the same
// filter, for comparison.
func BenchmarkParseEntraFilterUpstream(b *testing.B) {
	b.ReportAllocs()
	raw := []byte(entraFilter)
	for b.Loop() {
		if _, err := fp.ParseFilter(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatchEntraFilter(b *testing.B) {
	rt := registry(b).ResourceType("User")
	f, err := compile(b, rt, entraFilter)
	if err != nil {
		b.Fatal(err)
	}
	r := entraUser(b)
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := f.Match(r); err != nil || !ok {
			b.Fatalf("Match = %v, %v", ok, err)
		}
	}
}
