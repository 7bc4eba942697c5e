package canon

import (
	"strings"

	"github.com/scimkit/scimkit/scim/schema"
)

// SplitURN splits a fully qualified attribute name such as
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager" (or
// the legacy "…:User.manager") into the schema it belongs to and the rest
// ("manager"). It recognises the core schema and every extension of rt.
// ok is false when name does not start with a known schema URN.
func SplitURN(rt *schema.ResourceType, name string) (s *schema.Schema, rest string, ok bool) {
	if len(name) < 4 || !strings.EqualFold(name[:4], "urn:") {
		return nil, "", false
	}
	try := func(cand *schema.Schema) bool {
		n := len(cand.ID)
		if len(name) < n || !strings.EqualFold(name[:n], cand.ID) {
			return false
		}
		if len(name) == n {
			s, rest = cand, ""
			return true
		}
		if name[n] == ':' || name[n] == '.' {
			s, rest = cand, name[n+1:]
			return true
		}
		return false
	}
	// Longest URN first, so an extension URN that extends the core URN wins.
	best := -1
	for i, e := range rt.Extensions {
		if try(e) && (best < 0 || len(e.ID) > len(rt.Extensions[best].ID)) {
			best = i
		}
	}
	if best >= 0 {
		e := rt.Extensions[best]
		try(e)
		return s, rest, true
	}
	if try(rt.Schema) {
		return s, rest, true
	}
	return nil, "", false
}
