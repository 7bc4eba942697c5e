package entra_test

import (
	"testing"

	"github.com/scimkit/scimkit/auth/entra"
)

// BenchmarkEntraSeenToken is the common case: Entra sends one token for a
// whole provisioning cycle, so all but its first request hit the cache of
// verified tokens (the goal is ≤ 2 µs/op).
func BenchmarkEntraSeenToken(b *testing.B) {
	f := newFixture(b)
	r := bearer(f.iss.Token(f.a))
	if _, err := f.entra.Authenticate(r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.entra.Authenticate(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEntraSeenTokenParallel(b *testing.B) {
	f := newFixture(b)
	tok := f.iss.Token(f.a)
	if _, err := f.entra.Authenticate(bearer(tok)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := bearer(tok)
		for pb.Next() {
			if _, err := f.entra.Authenticate(r); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkEntraFirstValidation is a token seen for the first time, with
// its tenant's keys already fetched: parsing, claim checks and the RSA-2048
// verification (the goal is ≤ 100 µs/op). The cache is off so that every
// iteration validates in full.
func BenchmarkEntraFirstValidation(b *testing.B) {
	f := newFixture(b, func(_ *fixture, c *entra.Config) { c.MaxCachedTokens = -1 })
	r := bearer(f.iss.Token(f.a))
	if _, err := f.entra.Authenticate(r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.entra.Authenticate(r); err != nil {
			b.Fatal(err)
		}
	}
}
