package store

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/internal/jsonv"
)

// EventKind says what a committed change meant.
type EventKind string

// The kinds of Event. A change of a resource yields one of Created,
// Updated, Deactivated, Reactivated or Deleted, and a group's membership
// change one MemberAdded or MemberRemoved per member.
const (
	Created     EventKind = "created"
	Updated     EventKind = "updated"     // PUT or PATCH: Paths says what changed
	Deactivated EventKind = "deactivated" // active went from true (or absent) to false
	Reactivated EventKind = "reactivated" // active went from false to true (or absent)
	Deleted     EventKind = "deleted"

	MemberAdded   EventKind = "member.added"   // Member joined the group ResourceID
	MemberRemoved EventKind = "member.removed" // Member left the group ResourceID (also when Member was deleted)
)

// Event is one committed change, as the Handler's hooks see it and as a
// Feed delivers it.
type Event struct {
	// ID identifies the event, stable across redeliveries: a consumer
	// that may see an event twice (a Feed delivers at least once) skips
	// an ID it has handled.
	ID string

	// Seq is the event's position in its tenant's feed, increasing in
	// commit order; zero for an event not read from a Feed.
	Seq int64

	Kind       EventKind
	Tenant     string
	Type       string // the resource type: User, Group, …; Group for member events
	ResourceID string
	Version    string // the resource's version after the change; "" for Deleted and when unknown

	// Paths lists the attributes the change set, replaced or removed, as
	// filters name them ("displayName", "name.givenName",
	// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
	// "members"), sorted. Set for Updated, Deactivated and Reactivated.
	Paths []string

	// Member is the member that joined or left, for member events.
	Member *Member

	// Before and After are the resource's attributes before and after the
	// change (Resource.Attributes; never a returned:"never" value, which a
	// Store never holds); nil where there is none (Before of Created,
	// After of Deleted, member events). A Feed keeps them only when
	// configured to.
	Before, After json.RawMessage

	Principal auth.Principal // who made the change (auth.PrincipalFrom)
	RequestID string         // the request that made it (RequestID)
	Time      time.Time      // when it was committed, as the Store's clock says
}

// Changes returns the events of the change from before to after, without
// the fields StampEvents fills: Created (and MemberAdded for each initial
// member) when before is nil, Deleted (and MemberRemoved for each group in
// before.Groups, Version unknown) when after is nil, and otherwise one
// Updated, Deactivated or Reactivated listing the changed attributes, if
// any changed, then one MemberAdded or MemberRemoved per member that
// joined or left. A change that changes nothing yields none.
//
// What a Store's delete reports: Deleted, then MemberRemoved for each
// group the deleted user or group was a member of, with that group's new
// version (storetest checks it). A deleted group's own members leave it
// with it, in the one Deleted event however large the group: a consumer
// that tracks memberships drops the group's.
func Changes(before, after *Resource) []Event {
	switch {
	case before == nil && after == nil:
		return nil
	case before == nil:
		evs := []Event{{Kind: Created, Type: after.Type, ResourceID: after.ID, Version: after.Version, After: after.Attributes}}
		for i := range after.Members {
			evs = append(evs, MemberEvent(MemberAdded, after.ID, after.Version, after.Members[i]))
		}
		return evs
	case after == nil:
		evs := []Event{{Kind: Deleted, Type: before.Type, ResourceID: before.ID, Before: before.Attributes}}
		for _, g := range before.Groups {
			evs = append(evs, MemberEvent(MemberRemoved, g.Value, "", Member{Value: before.ID, Type: before.Type, Display: before.Display}))
		}
		return evs
	}
	var evs []Event
	if paths, was, is := diffAttributes(before.Attributes, after.Attributes); len(paths) > 0 {
		kind := Updated
		if was && !is {
			kind = Deactivated
		} else if !was && is {
			kind = Reactivated
		}
		evs = append(evs, Event{Kind: kind, Type: after.Type, ResourceID: after.ID, Version: after.Version, Paths: paths, Before: before.Attributes, After: after.Attributes})
	}
	had := make(map[string]bool, len(before.Members))
	for _, m := range before.Members {
		had[m.Value] = true
	}
	has := make(map[string]bool, len(after.Members))
	for _, m := range after.Members {
		has[m.Value] = true
		if !had[m.Value] {
			evs = append(evs, MemberEvent(MemberAdded, after.ID, after.Version, m))
		}
	}
	for _, m := range before.Members {
		if !has[m.Value] {
			evs = append(evs, MemberEvent(MemberRemoved, after.ID, after.Version, m))
		}
	}
	return evs
}

// MemberEvent returns the MemberAdded or MemberRemoved event of member m
// joining or leaving group groupID, which is at version afterwards ("" if
// unknown).
func MemberEvent(kind EventKind, groupID, version string, m Member) Event {
	return Event{Kind: kind, Type: Group, ResourceID: groupID, Version: version, Member: &m}
}

// StampEvents fills what the context and the clock say of each event: a
// new ID, the tenant, the Principal, the request id and the time.
func StampEvents(ctx context.Context, now time.Time, evs []Event) {
	tenant, _ := Tenant(ctx)
	p, _ := auth.PrincipalFrom(ctx)
	rid := RequestID(ctx)
	for i := range evs {
		e := &evs[i]
		e.ID = NewID()
		e.Tenant = tenant
		e.Principal = p
		e.RequestID = rid
		e.Time = now
	}
}

// ChangedPaths returns the attribute paths whose values differ between two
// attribute objects, sorted: top-level attributes by name, the attributes
// of an extension as "urn…:name", and the sub-attributes of a complex
// single-valued attribute as "name.sub". A multi-valued attribute is one
// path. Object keys are compared as the schema does, case-insensitively.
func ChangedPaths(before, after json.RawMessage) []string {
	paths, _, _ := diffAttributes(before, after)
	return paths
}

// diffAttributes returns ChangedPaths and whether each side is active
// (true unless its active is false). Each document is scanned once; the
// members the two have in the same order — the usual case, as the
// Handler writes them — are compared without a map.
func diffAttributes(before, after json.RawMessage) (paths []string, wasActive, isActive bool) {
	b, bActive := topMembers(before)
	a, aActive := topMembers(after)
	same := len(a) == len(b)
	for i := 0; same && i < len(a); i++ {
		same = strings.EqualFold(a[i].name, b[i].name)
	}
	if same {
		for i := range a {
			diffValue(b[i].value, a[i].value, "", a[i].name, 0, &paths)
		}
	} else {
		diffObjects(b, a, "", 0, &paths)
	}
	slices.Sort(paths)
	return slices.Compact(paths), bActive, aActive
}

// topMembers returns the members of a JSON object in order, and whether
// its active member is anything but false. What is not an object has
// none.
func topMembers(doc json.RawMessage) ([]namedValue, bool) {
	active := true
	if len(doc) == 0 {
		return nil, active
	}
	var out []namedValue
	err := jsonv.EachMember(doc, func(key string, _, start, end int) error {
		v := json.RawMessage(doc[start:end])
		if strings.EqualFold(key, "active") && string(v) == "false" {
			active = false
		}
		out = append(out, namedValue{key, v})
		return nil
	})
	if err != nil {
		return nil, true
	}
	return out, active
}

func diffObjects(b, a []namedValue, prefix string, depth int, paths *[]string) {
	if len(b) <= smallObject {
		diffSmallObjects(b, a, prefix, depth, paths)
		return
	}
	bl := make(map[string]namedValue, len(b))
	for _, m := range b {
		bl[strings.ToLower(m.name)] = m
	}
	seen := make(map[string]bool, len(a))
	for _, av := range a {
		k := strings.ToLower(av.name)
		seen[k] = true
		bv, ok := bl[k]
		if !ok {
			*paths = append(*paths, prefix+av.name)
			continue
		}
		diffValue(bv.value, av.value, prefix, av.name, depth, paths)
	}
	for _, bv := range b {
		if !seen[strings.ToLower(bv.name)] {
			*paths = append(*paths, prefix+bv.name)
		}
	}
}

// smallObject is how many members diffObjects matches one by one
// rather than through a map.
const smallObject = 32

// diffSmallObjects is diffObjects for b of at most smallObject members:
// a PostgreSQL document comes back with its keys in another order, and
// matching them by a search costs less than building maps.
func diffSmallObjects(b, a []namedValue, prefix string, depth int, paths *[]string) {
	var matched [smallObject]bool
	for _, av := range a {
		j := -1 // the last member of that name counts, as in a map
		for k := range b {
			if strings.EqualFold(b[k].name, av.name) {
				j, matched[k] = k, true
			}
		}
		if j < 0 {
			*paths = append(*paths, prefix+av.name)
			continue
		}
		diffValue(b[j].value, av.value, prefix, av.name, depth, paths)
	}
	for k, bv := range b {
		if !matched[k] {
			*paths = append(*paths, prefix+bv.name)
		}
	}
}

func diffValue(bv, av json.RawMessage, prefix, name string, depth int, paths *[]string) {
	if bytes.Equal(bv, av) {
		return
	}
	if depth == 0 && isObject(bv) && isObject(av) {
		sub := prefix + name + "."
		if len(name) > 4 && strings.EqualFold(name[:4], "urn:") {
			sub = prefix + name + ":"
		}
		bo, _ := topMembers(bv)
		ao, _ := topMembers(av)
		diffObjects(bo, ao, sub, depth+1, paths)
		return
	}
	if jsonv.Equal(bv, av) { // semantically: a stored document may be spaced and ordered otherwise
		return
	}
	*paths = append(*paths, prefix+name)
}

type namedValue struct {
	name  string
	value json.RawMessage
}

func isObject(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && v[0] == '{'
}
