package memory_test

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/internal/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
	"github.com/scimkit/scimkit/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return memory.New() })
}

func user(userName, externalID string) *store.Resource {
	a := map[string]any{"userName": userName}
	if externalID != "" {
		a["externalId"] = externalID
	}
	raw, _ := json.Marshal(a)
	return &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: userName}}, Display: userName, ExternalID: externalID, Attributes: raw}
}

func compile(t *testing.T, expr string) *store.Filter {
	t.Helper()
	ast, err := filter.Parse(expr)
	if err != nil {
		t.Fatal(err)
	}
	f, err := store.CompileFilter(ast, schema.NewRegistry().ResourceType(store.User))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The default order is creation order (store.Query's documentation),
// whether a filter is answered by an index or by a scan.
func TestDefaultOrderIsCreationOrder(t *testing.T) {
	s := memory.New()
	ctx := store.WithTenant(t.Context(), "t")
	var created []string
	for _, u := range []*store.Resource{user("u1", "x"), user("u2", "shared"), user("u3", "shared"), user("u4", "shared")} {
		r, err := s.Create(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		created = append(created, r.ID)
	}
	// u1 takes the externalId the others have, after them.
	if _, err := s.Update(ctx, store.User, created[0], "", func(r *store.Resource) error {
		*r = *user("u1", "shared")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, expr := range []string{
		`externalId eq "shared"`,                 // the externalId index alone
		`externalId eq "shared" and userName pr`, // index, then Match
		`externalId sw "sha"`,                    // a scan
		`userName pr`,
	} {
		p, err := s.List(ctx, store.User, store.Query{Filter: compile(t, expr), Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range p.Resources {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, created) {
			t.Errorf("filter %s: order %v, want creation order %v", expr, names(p.Resources), []string{"u1", "u2", "u3", "u4"})
		}
	}
}

func names(rs []*store.Resource) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.UniqueValue("userName"))
	}
	return out
}

// Config.Clock: every timestamp the store writes comes from the clock, in UTC.
func TestClock(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2024, 2, 29, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func() time.Time { mu.Lock(); defer mu.Unlock(); now = now.Add(time.Hour); return now }
	s := memory.NewWithConfig(memory.Config{Clock: clock})
	ctx := store.WithTenant(t.Context(), "t")

	check := func(what string, got, want time.Time) {
		t.Helper()
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%s = %v, want %v in UTC", what, got, want.UTC())
		}
	}
	u, err := s.Create(ctx, user("u", ""))
	if err != nil {
		t.Fatal(err)
	}
	check("Created", u.Created, now)
	check("LastModified", u.LastModified, now)
	raw, _ := json.Marshal(map[string]any{"displayName": "g"})
	g, err := s.Create(ctx, &store.Resource{Type: store.Group, Unique: []store.Unique{{Attribute: "displayName", Value: "g"}}, Display: "g", Attributes: raw, Members: []store.Member{{Value: u.ID}}})
	if err != nil {
		t.Fatal(err)
	}

	t1 := advance()
	u, err = s.Update(ctx, store.User, u.ID, "", func(*store.Resource) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	check("Update: LastModified", u.LastModified, t1)

	t2 := advance()
	if _, err := s.PatchMembers(ctx, g.ID, "", nil, []string{"not-a-member"}); err != nil {
		t.Fatal(err)
	}
	if g, err = s.Get(ctx, store.Group, g.ID); err != nil {
		t.Fatal(err)
	}
	check("PatchMembers: LastModified", g.LastModified, t2)

	t3 := advance()
	if err := s.Delete(ctx, store.User, u.ID, ""); err != nil {
		t.Fatal(err)
	}
	if g, err = s.Get(ctx, store.Group, g.ID); err != nil {
		t.Fatal(err)
	}
	check("group LastModified after its member was deleted", g.LastModified, t3)
	check("group Created", g.Created, time.Date(2024, 2, 29, 11, 0, 0, 0, time.UTC))
}
