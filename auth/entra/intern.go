package entra

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"maps"
	"slices"
	"sync"
	"weak"
)

// keyMap is the RS256 signing keys of a JWKS by kid. A keyMap is never
// changed once built, so key sets with the same keys share one.
type keyMap = map[string]*rsa.PublicKey

// interner makes the key sets of tenants served the same keys share one
// keyMap: Microsoft serves its common keys to almost every tenant, so a
// thousand tenants cost one map, not a thousand.
//
// It holds its maps weakly: a map no key set uses any more is collected,
// and its entry is swept on a later insertion, when the table has
// doubled since the last sweep (amortised O(1)).
type interner struct {
	mu      sync.Mutex
	m       map[[sha256.Size]byte]weak.Pointer[keyMap]
	sweepAt int
}

// intern returns the shared keyMap equal to keys, keys itself the first
// time.
func (in *interner) intern(keys keyMap) *keyMap {
	sum := fingerprint(keys)
	in.mu.Lock()
	defer in.mu.Unlock()
	if p := in.m[sum].Value(); p != nil && sameKeys(*p, keys) {
		return p
	}
	if in.m == nil {
		in.m = make(map[[sha256.Size]byte]weak.Pointer[keyMap])
	}
	if len(in.m) >= in.sweepAt {
		for k, w := range in.m {
			if w.Value() == nil {
				delete(in.m, k)
			}
		}
		in.sweepAt = max(2*len(in.m), 64)
	}
	p := &keys
	in.m[sum] = weak.Make(p)
	return p
}

// len returns the number of entries, collected or not (for tests).
func (in *interner) len() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.m)
}

// fingerprint is a SHA-256 over keys sorted by kid: each kid, modulus and
// exponent, length-prefixed.
func fingerprint(keys keyMap) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, kid := range slices.Sorted(maps.Keys(keys)) {
		k := keys[kid]
		field([]byte(kid))
		field(k.N.Bytes())
		binary.BigEndian.PutUint64(n[:], uint64(k.E))
		h.Write(n[:])
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// sameKeys reports whether a and b hold the same keys under the same
// kids.
func sameKeys(a, b keyMap) bool {
	if len(a) != len(b) {
		return false
	}
	for kid, k := range a {
		if o := b[kid]; o == nil || !o.Equal(k) {
			return false
		}
	}
	return true
}
