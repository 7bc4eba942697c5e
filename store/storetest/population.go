package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/store"
)

// population is a small fixed set of users and groups the Filter, Paging
// and Sorting groups read.
type population struct {
	*env
	byKey  map[string]*store.Resource // "alice" … (users), "admins" … (groups)
	keyOf  map[string]string          // id → key
	users  []string                   // keys in creation order
	groups []string
}

// The users: key and attributes.
var popUsers = []struct {
	key   string
	attrs attrs
}{
	{"alice", attrs{
		"userName": "alice", "externalId": "EXT-1", "displayName": "Alice Smith",
		"name":  attrs{"givenName": "Alice", "familyName": "Smith"},
		"title": "Engineer", "active": true,
		"emails": []any{
			attrs{"type": "work", "value": "alice@example.com", "primary": true},
			attrs{"type": "home", "value": "alice@home.example.org"},
		},
		enterpriseURN: attrs{"employeeNumber": "1001", "department": "Sales"},
	}},
	{"bob", attrs{
		"userName": "Bob", "externalId": "ext-1", "displayName": "Bob Jones",
		"name":  attrs{"familyName": "Jones"},
		"title": "engineer", "active": false,
		"emails":      []any{attrs{"type": "home", "value": "bob@example.com"}},
		enterpriseURN: attrs{"employeeNumber": "1002", "department": "R&D"},
	}},
	{"carol", attrs{
		"userName": "carol", "externalId": "ext-3",
		"title": "Manager", "active": true,
		"emails":      []any{attrs{"type": "work", "value": "carol@example.org"}},
		enterpriseURN: attrs{"employeeNumber": "2001", "manager": attrs{"value": "mgr-42"}},
	}},
	{"dave", attrs{"userName": "DAVE", "active": true}},
	{"eve", attrs{
		"userName": "eve", "externalId": "shared", "nickName": "evie", "title": "Engineer",
		"emails": []any{attrs{"type": "work", "value": "Eve@Example.COM"}},
	}},
	{"frank", attrs{
		"userName": "Frank@Contoso.com", "externalId": "shared", "displayName": "Frank", "active": false,
		"emails": []any{
			attrs{"type": "other", "value": "f@example.com"},
			attrs{"type": "work", "value": "frank@contoso.com", "primary": true},
		},
		enterpriseURN: attrs{"employeeNumber": "30"},
	}},
	{"nikolas", attrs{"userName": "Νικόλας", "displayName": "Νικόλας Π.", "active": true}},
	{"barbara", attrs{
		"userName": "Test_User_00aa00aa@contoso.com", "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
		"displayName": "Barbara Jensen", "active": true,
		"name":        attrs{"givenName": "Barbara", "familyName": "Jensen", "formatted": "Ms. Barbara J Jensen III"},
		"emails":      []any{attrs{"type": "work", "value": "Test_User_00aa00aa@contoso.com", "primary": true}},
		enterpriseURN: attrs{"employeeNumber": "701984", "department": "Tour Operations"},
	}},
}

// The groups: key, attributes and member keys.
var popGroups = []struct {
	key     string
	attrs   attrs
	members []string
}{
	{"admins", attrs{"displayName": "Admins", "externalId": "g-1"}, []string{"alice", "bob"}},
	{"engineers", attrs{"displayName": "Engineers"}, []string{"carol", "admins", "eve"}},
	{"empty", attrs{"displayName": "Empty Group"}, nil},
	{"sales", attrs{"displayName": "sales team", "externalId": "G-1"}, []string{"frank"}},
}

// populate creates the population in a fresh store. eve is updated after
// everything else is created, so her lastModified is the latest.
func (s *suite) populate(t *testing.T) *population {
	t.Helper()
	p := &population{env: s.env(t), byKey: map[string]*store.Resource{}, keyOf: map[string]string{}}
	add := func(key string, r *store.Resource) {
		p.byKey[key] = r
		p.keyOf[r.ID] = key
	}
	for _, u := range popUsers {
		add(u.key, p.create(t, newUser(u.attrs)))
		p.users = append(p.users, u.key)
	}
	for _, g := range popGroups {
		r := newResource(store.Group, g.attrs)
		for _, m := range g.members {
			r.Members = append(r.Members, store.Member{Value: p.byKey[m].ID})
		}
		add(g.key, p.create(t, r))
		p.groups = append(p.groups, g.key)
	}
	time.Sleep(2 * time.Millisecond)
	p.update(t, store.User, p.byKey["eve"].ID, func(r *store.Resource) error {
		return modify(r, func(a attrs) { a["nickName"] = "Evie" })
	})
	// Read everything back: memberships changed users after they were
	// created.
	for key, r := range p.byKey {
		p.byKey[key] = p.get(t, r.Type, r.ID)
	}
	return p
}

// expand replaces {id:key}, {ID:key} (the id upper-cased), {created:key}
// and {modified:key} in a filter.
func (p *population) expand(f string) string {
	var args []string
	for key, r := range p.byKey {
		args = append(args,
			"{id:"+key+"}", r.ID,
			"{ID:"+key+"}", strings.ToUpper(r.ID),
			"{created:"+key+"}", r.Created.UTC().Format(time.RFC3339Nano),
			"{modified:"+key+"}", r.LastModified.UTC().Format(time.RFC3339Nano))
	}
	return strings.NewReplacer(args...).Replace(f)
}

// keys turns ids into population keys ("?id" for strangers).
func (p *population) keys(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		if k, ok := p.keyOf[id]; ok {
			out[i] = k
		} else {
			out[i] = "?" + id
		}
	}
	return out
}

// of returns the keys of typ.
func (p *population) of(typ string) []string {
	if typ == store.Group {
		return p.groups
	}
	return p.users
}
