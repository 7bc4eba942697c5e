package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
)

// RunFeed runs the change-feed conformance suite against a Store that is
// also a store.Feed.
//
// newStore must return a new, empty store with its feed enabled, that
// takes the time from clock (clock.Now) for the events it stamps and the
// leases it grants; it is called once per subtest, with that subtest's t.
// The Wait subtest gives Wait ten seconds to return after a write: a
// store whose Wait polls should poll less often than that (set its poll
// interval to a minute, say) so that the subtest shows it is woken.
//
// RunFeed checks the events of each write made through the Store API
// (created, updated with the changed paths, deactivated, reactivated,
// deleted, member added and removed — only the effective changes, also
// through store.MemberPatcher when the store implements it), that a write
// that changes nothing yields none, what StampEvents fills (principal,
// request id, tenant, time), ordering per tenant, leases (a second claim
// gets nothing while a lease holds, the events again once it expired,
// store.ErrLeaseLost for the late Ack), consumers of different names each
// seeing every event, store.Committed and Wait.
func RunFeed(t *testing.T, newStore func(t *testing.T, clock *Clock) FeedStore) {
	t.Helper()
	if newStore == nil {
		t.Fatal("storetest.RunFeed: newStore is nil")
	}
	f := &feedSuite{newStore: newStore}
	t.Run("feed", func(t *testing.T) {
		t.Run("Create", f.testCreate)
		t.Run("Update", f.testUpdate)
		t.Run("Deactivate", f.testDeactivate)
		t.Run("NoChange", f.testNoChange)
		t.Run("GroupMembers", f.testGroupMembers)
		t.Run("MemberPatcher", f.testMemberPatcher)
		t.Run("DeleteUserInThreeGroups", f.testDeleteUserInGroups)
		t.Run("DeleteNestedGroup", f.testDeleteNestedGroup)
		t.Run("OrderPerTenant", f.testOrder)
		t.Run("Leases", f.testLeases)
		t.Run("Consumers", f.testConsumers)
		t.Run("Committed", f.testCommitted)
		t.Run("Wait", f.testWait)
	})
}

type feedSuite struct {
	newStore func(t *testing.T, clock *Clock) FeedStore
}

func (f *feedSuite) env(t *testing.T) *feedEnv { return newFeedEnv(t, f.newStore) }

func (e *feedEnv) user(t *testing.T, name string, a attrs) *store.Resource {
	t.Helper()
	if a == nil {
		a = attrs{}
	}
	a["userName"] = name
	return mustCreate(t, e.ctx, e.s, newUser(a))
}

func (f *feedSuite) testCreate(t *testing.T) {
	e := f.env(t)
	u := e.user(t, "ann", attrs{"active": true})
	g := mustCreate(t, e.ctx, e.s, newGroup("Sales", u.ID))
	evs := e.next(t)
	want := []brief{
		{Kind: store.Created, Type: store.User, ID: u.ID},
		{Kind: store.Created, Type: store.Group, ID: g.ID},
		{Kind: store.MemberAdded, Type: store.Group, ID: g.ID, Member: u.ID},
	}
	if diff := cmp.Diff(want, briefs(evs)); diff != "" {
		t.Fatalf("events of two creates (-want +got):\n%s", diff)
	}
	e.checkStamps(t, evs, tenantA, "req-1")
	if evs[0].Version != u.Version || evs[1].Version != g.Version {
		t.Errorf("versions %q, %q; want the created resources', %q, %q", evs[0].Version, evs[1].Version, u.Version, g.Version)
	}
	if evs[0].Seq >= evs[1].Seq || evs[1].Seq >= evs[2].Seq {
		t.Errorf("Seqs %d, %d, %d: want increasing", evs[0].Seq, evs[1].Seq, evs[2].Seq)
	}
	if m := evs[2].Member; m.Type != store.User {
		t.Errorf("member added: %+v, want type User", m)
	}
	if len(e.next(t)) != 0 {
		t.Error("acknowledged events were handed out again")
	}
}

func (f *feedSuite) testUpdate(t *testing.T) {
	e := f.env(t)
	u := e.user(t, "ann", attrs{"active": true, "title": "Guide", "name": attrs{"givenName": "Ann", "familyName": "Lee"}})
	e.next(t)
	ctx := e.request(tenantA, "req-2")
	r, err := e.s.Update(ctx, store.User, u.ID, "", setUpdate(attrs{"userName": "ann", "active": true, "nickName": "A", "name": attrs{"givenName": "Anne", "familyName": "Lee"}}))
	if err != nil {
		t.Fatal(err)
	}
	evs := e.next(t)
	want := []brief{{Kind: store.Updated, Type: store.User, ID: u.ID, Paths: []string{"name.givenName", "nickName", "title"}}}
	if diff := cmp.Diff(want, briefs(evs)); diff != "" {
		t.Fatalf("events of a replace (-want +got):\n%s", diff)
	}
	e.checkStamps(t, evs, tenantA, "req-2")
	if evs[0].Version != r.Version {
		t.Errorf("version %q, want the updated resource's %q", evs[0].Version, r.Version)
	}
}

func (f *feedSuite) testDeactivate(t *testing.T) {
	e := f.env(t)
	u := e.user(t, "ann", attrs{"active": true, "displayName": "Ann"})
	e.next(t)
	set := func(active bool) {
		t.Helper()
		if _, err := e.s.Update(e.ctx, store.User, u.ID, "", func(r *store.Resource) error {
			return modify(r, func(a attrs) { a["active"] = active })
		}); err != nil {
			t.Fatal(err)
		}
	}
	set(false) // what Entra sends when it disables a user
	if diff := cmp.Diff([]brief{{Kind: store.Deactivated, Type: store.User, ID: u.ID, Paths: []string{"active"}}}, briefs(e.next(t))); diff != "" {
		t.Errorf("active true → false (-want +got):\n%s", diff)
	}
	set(false)
	if evs := e.next(t); len(evs) != 0 {
		t.Errorf("active false → false: %v, want no event", briefs(evs))
	}
	set(true)
	if diff := cmp.Diff([]brief{{Kind: store.Reactivated, Type: store.User, ID: u.ID, Paths: []string{"active"}}}, briefs(e.next(t))); diff != "" {
		t.Errorf("active false → true (-want +got):\n%s", diff)
	}
}

func (f *feedSuite) testNoChange(t *testing.T) {
	e := f.env(t)
	u := e.user(t, "ann", attrs{"active": true, "title": "Guide"})
	g := mustCreate(t, e.ctx, e.s, newGroup("Sales", u.ID))
	e.next(t)
	if _, err := e.s.Update(e.ctx, store.User, u.ID, "", func(r *store.Resource) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Update(e.ctx, store.User, u.ID, "", setUpdate(attrs{"title": "Guide", "active": true, "userName": "ann"})); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Update(e.ctx, store.Group, g.ID, "", func(r *store.Resource) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if evs := e.next(t); len(evs) != 0 {
		t.Errorf("writes that change nothing: %v, want no event", briefs(evs))
	}
}

func (f *feedSuite) testGroupMembers(t *testing.T) {
	e := f.env(t)
	a, b, c := e.user(t, "a", nil), e.user(t, "b", nil), e.user(t, "c", nil)
	g := mustCreate(t, e.ctx, e.s, newGroup("Sales", a.ID, b.ID))
	e.next(t)
	// A PUT of the group: b leaves, c joins, the name changes.
	if _, err := e.s.Update(e.ctx, store.Group, g.ID, "", func(r *store.Resource) error {
		setAttrs(r, attrs{"displayName": "Sales EMEA"})
		r.Members = []store.Member{{Value: a.ID}, {Value: c.ID}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []brief{
		{Kind: store.Updated, Type: store.Group, ID: g.ID, Paths: []string{"displayName"}},
		{Kind: store.MemberAdded, Type: store.Group, ID: g.ID, Member: c.ID},
		{Kind: store.MemberRemoved, Type: store.Group, ID: g.ID, Member: b.ID},
	}
	if diff := cmp.Diff(want, briefs(e.next(t))); diff != "" {
		t.Errorf("events of a group's replace (-want +got):\n%s", diff)
	}
}

func (f *feedSuite) testMemberPatcher(t *testing.T) {
	e := f.env(t)
	mp, ok := e.s.(store.MemberPatcher)
	if !ok {
		t.Skip("the store does not implement store.MemberPatcher")
	}
	a, b, c := e.user(t, "a", nil), e.user(t, "b", nil), e.user(t, "c", nil)
	g := mustCreate(t, e.ctx, e.s, newGroup("Sales", a.ID))
	e.next(t)
	patch := func(add []string, remove []string) []brief {
		t.Helper()
		var ms []store.Member
		for _, id := range add {
			ms = append(ms, store.Member{Value: id})
		}
		if _, err := mp.PatchMembers(e.ctx, g.ID, "", ms, remove); err != nil {
			t.Fatal(err)
		}
		return briefs(e.next(t))
	}
	if got := patch([]string{a.ID}, nil); len(got) != 0 {
		t.Errorf("adding a member already there: %v, want no event", got)
	}
	if got := patch(nil, []string{c.ID}); len(got) != 0 {
		t.Errorf("removing a non-member: %v, want no event", got)
	}
	want := []brief{
		{Kind: store.MemberAdded, Type: store.Group, ID: g.ID, Member: b.ID},
		{Kind: store.MemberAdded, Type: store.Group, ID: g.ID, Member: c.ID},
		{Kind: store.MemberRemoved, Type: store.Group, ID: g.ID, Member: a.ID},
	}
	if diff := cmp.Diff(want, patch([]string{a.ID, b.ID, c.ID, b.ID}, []string{a.ID, "no-such-id"})); diff != "" {
		t.Errorf("add a (removed too), b twice, c; remove a and a stranger (-want +got):\n%s", diff)
	}
}

func (f *feedSuite) testDeleteUserInGroups(t *testing.T) {
	e := f.env(t)
	u := e.user(t, "ann", nil)
	other := e.user(t, "bob", nil)
	var gs []string
	for i := range 3 {
		gs = append(gs, mustCreate(t, e.ctx, e.s, newGroup(fmt.Sprintf("G%d", i), u.ID, other.ID)).ID)
	}
	e.next(t)
	ctx := e.request(tenantA, "req-delete")
	if err := e.s.Delete(ctx, store.User, u.ID, ""); err != nil {
		t.Fatal(err)
	}
	evs := e.next(t)
	want := []brief{{Kind: store.Deleted, Type: store.User, ID: u.ID}}
	for _, g := range slices.Sorted(slices.Values(gs)) {
		want = append(want, brief{Kind: store.MemberRemoved, Type: store.Group, ID: g, Member: u.ID})
	}
	got := briefs(evs)
	if len(got) > 1 {
		slices.SortFunc(got[1:], func(a, b brief) int { return strings.Compare(a.ID, b.ID) })
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("deleting a user in three groups (-want +got):\n%s", diff)
	}
	e.checkStamps(t, evs, tenantA, "req-delete")
	e.checkMemberVersions(t, evs)
}

func (f *feedSuite) testDeleteNestedGroup(t *testing.T) {
	// A group that is a member of another leaves it when deleted, as a
	// user does: a consumer that tracks memberships sees the parent lose
	// it. The deleted group's own members need no event each: they leave
	// with the group (Deleted).
	e := f.env(t)
	u := e.user(t, "ann", nil)
	child := mustCreate(t, e.ctx, e.s, newGroup("Child", u.ID))
	parent := mustCreate(t, e.ctx, e.s, newGroup("Parent", child.ID, u.ID))
	e.next(t)
	ctx := e.request(tenantA, "req-delete-group")
	if err := e.s.Delete(ctx, store.Group, child.ID, ""); err != nil {
		t.Fatal(err)
	}
	evs := e.next(t)
	want := []brief{
		{Kind: store.Deleted, Type: store.Group, ID: child.ID},
		{Kind: store.MemberRemoved, Type: store.Group, ID: parent.ID, Member: child.ID},
	}
	if diff := cmp.Diff(want, briefs(evs)); diff != "" {
		t.Errorf("deleting a group that is a member of another (-want +got):\n%s", diff)
	}
	if len(evs) == 2 && (evs[1].Member.Type != store.Group || evs[1].Member.Display != "Child") {
		t.Errorf("the member that left: %+v, want the group, with its displayName", *evs[1].Member)
	}
	e.checkStamps(t, evs, tenantA, "req-delete-group")
	e.checkMemberVersions(t, evs)
}

// checkMemberVersions checks that each member event names the version its
// group has now (the events' writes were the last).
func (e *feedEnv) checkMemberVersions(t *testing.T, evs []store.Event) {
	t.Helper()
	for _, ev := range evs {
		if ev.Kind != store.MemberAdded && ev.Kind != store.MemberRemoved {
			continue
		}
		g, err := e.s.Get(e.ctx, store.Group, ev.ResourceID)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Version != g.Version {
			t.Errorf("%s of group %s: Version %q, want the group's version after it, %q", ev.Kind, ev.ResourceID, ev.Version, g.Version)
		}
	}
}

func (f *feedSuite) testOrder(t *testing.T) {
	e := f.env(t)
	ctxB := e.request(tenantB, "req-b")
	var wantA, wantB []string
	for i := range 7 {
		wantA = append(wantA, e.user(t, fmt.Sprintf("a%d", i), nil).ID)
		wantB = append(wantB, mustCreate(t, ctxB, e.s, newUser(attrs{"userName": fmt.Sprintf("b%d", i)})).ID)
	}
	got := e.drain(t, "suite")
	for tenant, want := range map[string][]string{tenantA: wantA, tenantB: wantB} {
		var ids []string
		var last int64
		for _, ev := range got[tenant] {
			ids = append(ids, ev.ResourceID)
			if ev.Seq <= last {
				t.Errorf("tenant %s: Seq %d after %d", tenant, ev.Seq, last)
			}
			last = ev.Seq
		}
		if diff := cmp.Diff(want, ids); diff != "" {
			t.Errorf("tenant %s: created ids in feed order (-commit order +feed):\n%s", tenant, diff)
		}
	}
}

func (f *feedSuite) testLeases(t *testing.T) {
	e := f.env(t)
	for i := range 5 {
		e.user(t, fmt.Sprintf("u%d", i), nil)
	}
	const lease = 30 * time.Second
	first := e.claim(t, "leases", 3, lease)
	if len(first.Events) != 3 || first.Tenant != tenantA {
		t.Fatalf("first claim: %d events of tenant %q, want 3 of %q", len(first.Events), first.Tenant, tenantA)
	}
	if b := e.claim(t, "leases", 3, lease); len(b.Events) != 0 {
		t.Fatalf("a second claim while the first's lease holds got %d events, want none", len(b.Events))
	}
	e.clock.Advance(lease + time.Second)
	again := e.claim(t, "leases", 3, lease)
	if diff := cmp.Diff(ids3(first.Events), ids3(again.Events)); diff != "" {
		t.Fatalf("after the lease expired: events (-first +again):\n%s", diff)
	}
	if err := e.s.Ack(context.Background(), first); !isLeaseLost(err) {
		t.Fatalf("Ack of the expired batch: %v, want store.ErrLeaseLost", err)
	}
	if err := e.s.Ack(context.Background(), again); err != nil {
		t.Fatalf("Ack of the batch claimed again: %v", err)
	}
	rest := e.claim(t, "leases", 10, lease)
	if len(rest.Events) != 2 || rest.Events[0].Seq <= again.Events[2].Seq {
		t.Fatalf("after the Ack: %d events starting at Seq %v, want the 2 after %d", len(rest.Events), ids3(rest.Events), again.Events[2].Seq)
	}
	if err := e.s.Ack(context.Background(), rest); err != nil {
		t.Fatal(err)
	}
	if b := e.claim(t, "leases", 10, lease); len(b.Events) != 0 {
		t.Errorf("everything acknowledged, yet a claim got %d events", len(b.Events))
	}
}

func ids3(evs []store.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func (f *feedSuite) testConsumers(t *testing.T) {
	e := f.env(t)
	for i := range 4 {
		e.user(t, fmt.Sprintf("u%d", i), nil)
	}
	one, two := e.drain(t, "billing")[tenantA], e.drain(t, "sessions")[tenantA]
	if len(one) != 4 {
		t.Fatalf("consumer billing got %d events, want 4", len(one))
	}
	if diff := cmp.Diff(ids3(one), ids3(two)); diff != "" {
		t.Errorf("two consumer names see different events (-billing +sessions):\n%s", diff)
	}
	e.user(t, "late", nil)
	if got := e.drain(t, "billing")[tenantA]; len(got) != 1 || got[0].Seq <= one[3].Seq {
		t.Errorf("billing after one more write: %v, want the one new event", briefs(got))
	}
}

func (f *feedSuite) testCommitted(t *testing.T) {
	e := f.env(t)
	u := e.user(t, "ann", nil)
	g := mustCreate(t, e.ctx, e.s, newGroup("Sales"))
	e.next(t)
	var seen []store.Event
	ctx := store.WithCommitted(e.ctx, func(evs []store.Event) { seen = append(seen, evs...) })
	if mp, ok := e.s.(store.MemberPatcher); ok {
		if _, err := mp.PatchMembers(ctx, g.ID, "", []store.Member{{Value: u.ID}}, nil); err != nil {
			t.Fatal(err)
		}
	} else if _, err := e.s.Update(ctx, store.Group, g.ID, "", func(r *store.Resource) error {
		r.Members = append(r.Members, store.Member{Value: u.ID})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Update(ctx, store.User, u.ID, "", func(r *store.Resource) error {
		return modify(r, func(a attrs) { a["title"] = "Guide" })
	}); err != nil {
		t.Fatal(err)
	}
	fed := e.next(t)
	if diff := cmp.Diff(briefs(fed), briefs(seen)); diff != "" {
		t.Errorf("store.Committed and the feed disagree (-feed +committed):\n%s", diff)
	}
	if diff := cmp.Diff(ids3(fed), ids3(seen)); diff != "" {
		t.Errorf("store.Committed and the feed gave the events different IDs (-feed +committed):\n%s", diff)
	}
}

func (f *feedSuite) testWait(t *testing.T) {
	e := f.env(t)
	e.next(t) // a Claim: Wait waits for what comes after it
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.s.Wait(ctx) }()
	u := e.user(t, "ann", nil)
	if err := <-done; err != nil {
		t.Fatalf("Wait after a write: %v", err)
	}
	if evs := e.next(t); len(evs) != 1 || evs[0].ResourceID != u.ID {
		t.Errorf("after Wait: %v, want the user's creation", briefs(evs))
	}
	// Wait honours its context.
	short, cancel2 := context.WithCancel(context.Background())
	cancel2()
	e.next(t)
	if err := e.s.Wait(short); err == nil {
		t.Error("Wait with a cancelled context returned nil")
	}
}
