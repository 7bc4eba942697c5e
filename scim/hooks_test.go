package scim_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/internal/teststore"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// hookLog records what Hooks see, and refuses the writes refuse says.
type hookLog struct {
	mu     sync.Mutex
	before []scim.Change
	after  []scim.Change
	refuse func(c *scim.Change) error
}

func (l *hookLog) BeforeWrite(_ context.Context, c *scim.Change) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.before = append(l.before, *c)
	if l.refuse != nil {
		return l.refuse(c)
	}
	return nil
}

func (l *hookLog) AfterWrite(_ context.Context, c *scim.Change) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.after = append(l.after, *c)
}

func (l *hookLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.before, l.after = nil, nil
}

// kinds returns the kinds of the events of the last AfterWrite, or nil
// when there was none.
func (l *hookLog) lastKinds() []store.EventKind {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.after) == 0 {
		return nil
	}
	var ks []store.EventKind
	for _, e := range l.after[len(l.after)-1].Events {
		ks = append(ks, e.Kind)
	}
	return ks
}

func (l *hookLog) afterCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.after)
}

// hooked returns a Handler over a fresh store of kind, with hooks l.
func hooked(t *testing.T, kind teststore.Kind, l *hookLog) (*scim.Handler, store.Store) {
	st := kind.New(t)
	return newHandler(t, func(c *scim.Config) { c.Store = st; c.Hooks = l }), st
}

const (
	// Entra's disable, in its default format and in aadOptscim062020's.
	entraDisable    = `{"schemas":["` + patchURN + `"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`
	entraDisable062 = `{"schemas":["` + patchURN + `"],"Operations":[{"op":"replace","value":{"active":false}}]}`
	entraEnable     = `{"schemas":["` + patchURN + `"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}`
)

func TestHooksSeeTheCommittedChange(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			l := &hookLog{}
			h, st := hooked(t, kind, l)
			r := do(t, h, http.MethodPost, "/Users", userBody("ada@example.com"), "X-Request-ID", "req-create-1")
			wantStatus(t, r, http.StatusCreated, "POST /Users")
			id := str(r.body, "id")
			if got := r.header.Get("X-Request-Id"); got != "req-create-1" {
				t.Errorf("X-Request-Id answered %q, want the client's req-create-1", got)
			}
			if len(l.before) != 1 || len(l.after) != 1 {
				t.Fatalf("one POST: %d BeforeWrite and %d AfterWrite calls, want 1 and 1", len(l.before), len(l.after))
			}
			b, a := l.before[0], l.after[0]
			if b.Op != scim.OpCreate || b.ID != "" || b.Before != nil || b.After == nil || b.After.UniqueValue("userName") != "ada@example.com" {
				t.Errorf("BeforeWrite of a create: op %q id %q before %v after %+v", b.Op, b.ID, b.Before, b.After)
			}
			stored, err := st.Get(store.WithTenant(context.Background(), "t"), store.User, id)
			if err != nil {
				t.Fatal(err)
			}
			if a.ID != id || a.After == nil || a.After.Version != stored.Version {
				t.Errorf("AfterWrite of a create: id %q (want %s), version %q (stored %q)", a.ID, id, a.After.Version, stored.Version)
			}
			want := []store.Event{{Kind: store.Created, Tenant: "t", Type: store.User, ResourceID: id, Version: stored.Version, RequestID: "req-create-1",
				Principal: auth.Principal{Tenant: "t", Subject: a.Principal.Subject, Method: "static-token"}}}
			if diff := cmp.Diff(want, a.Events, eventShape); diff != "" {
				t.Errorf("AfterWrite events of a create (-want +got):\n%s", diff)
			}
			if a.RequestID != "req-create-1" || a.Principal.Tenant != "t" || a.Principal.Method != "static-token" {
				t.Errorf("AfterWrite: request id %q principal %+v", a.RequestID, a.Principal)
			}

			// PATCH: before and after as the store had them.
			l.reset()
			r = do(t, h, http.MethodPatch, "/Users/"+id, `{"schemas":["`+patchURN+`"],"Operations":[{"op":"replace","path":"displayName","value":"Ada L."}]}`)
			wantStatus(t, r, http.StatusOK, "PATCH displayName")
			stored, _ = st.Get(store.WithTenant(context.Background(), "t"), store.User, id)
			a = l.after[0]
			if a.Op != scim.OpPatch || a.Before == nil || a.After == nil || a.After.Version != stored.Version || a.Before.Version == stored.Version {
				t.Fatalf("AfterWrite of a PATCH: %+v", a)
			}
			want = []store.Event{{Kind: store.Updated, Tenant: "t", Type: store.User, ResourceID: id, Version: stored.Version, Paths: []string{"displayName"}}}
			if diff := cmp.Diff(want, a.Events, eventShape, ignoreWho); diff != "" {
				t.Errorf("AfterWrite events of a PATCH (-want +got):\n%s", diff)
			}

			// PUT and DELETE.
			l.reset()
			r = do(t, h, http.MethodPut, "/Users/"+id, `{"schemas":["`+userURN+`"],"userName":"ada@example.com","title":"Countess"}`)
			wantStatus(t, r, http.StatusOK, "PUT")
			if got := l.lastKinds(); !slices.Equal(got, []store.EventKind{store.Updated}) || l.after[0].Op != scim.OpReplace {
				t.Errorf("PUT: events %v, op %q", got, l.after[0].Op)
			}
			if got := l.after[0].Events[0].Paths; !slices.Equal(got, []string{"displayName", "title"}) {
				t.Errorf("PUT dropping displayName and adding title: paths %v", got)
			}
			l.reset()
			wantStatus(t, do(t, h, http.MethodDelete, "/Users/"+id, ""), http.StatusNoContent, "DELETE")
			if len(l.before) != 1 || l.before[0].Before == nil || l.before[0].Before.ID != id || l.after[0].Op != scim.OpDelete {
				t.Errorf("DELETE: BeforeWrite %+v", l.before)
			}
			if got := l.lastKinds(); !slices.Equal(got, []store.EventKind{store.Deleted}) {
				t.Errorf("DELETE: events %v", got)
			}
		})
	}
}

// eventShape compares events without their random ids and times.
var eventShape = cmp.FilterPath(func(p cmp.Path) bool {
	switch p.Last().String() {
	case ".ID", ".Time", ".Before", ".After", ".Seq":
		return true
	}
	return false
}, cmp.Ignore())

// ignoreWho ignores the principal and the request id too.
var ignoreWho = cmp.FilterPath(func(p cmp.Path) bool {
	switch p.Last().String() {
	case ".Principal", ".RequestID", ".Tenant":
		return true
	}
	return false
}, cmp.Ignore())

func TestBeforeWriteRefusalStoresNothing(t *testing.T) {
	seatsFull := &scim.Error{Status: http.StatusForbidden, Detail: "seat limit reached"}
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			l := &hookLog{}
			h, _ := hooked(t, kind, l)
			uid := createUser(t, h, userBody("kept@example.com"))
			gid := createGroup(t, h, `{"schemas":["`+groupURN+`"],"displayName":"Staff"}`)
			l.reset()

			l.refuse = func(c *scim.Change) error { return seatsFull }
			checkError(t, do(t, h, http.MethodPost, "/Users", userBody("refused@example.com")), http.StatusForbidden, "", "seat limit")
			if r := do(t, h, http.MethodGet, "/Users?filter="+urlq(`userName eq "refused@example.com"`), ""); num(r.body, "totalResults") != 0 {
				t.Errorf("a refused POST was stored: %s", r)
			}
			checkError(t, do(t, h, http.MethodPatch, "/Users/"+uid, entraDisable), http.StatusForbidden, "")
			if r := do(t, h, http.MethodGet, "/Users/"+uid, ""); get(r.body, "active") == false {
				t.Errorf("a refused disable was stored: active is %v", get(r.body, "active"))
			}
			checkError(t, do(t, h, http.MethodPut, "/Users/"+uid, `{"schemas":["`+userURN+`"],"userName":"renamed@example.com"}`), http.StatusForbidden, "")
			checkError(t, do(t, h, http.MethodDelete, "/Users/"+uid, ""), http.StatusForbidden, "")
			if r := do(t, h, http.MethodGet, "/Users/"+uid, ""); r.status != http.StatusOK || str(r.body, "userName") != "kept@example.com" {
				t.Errorf("a refused PUT or DELETE was stored: %s", r)
			}
			// A member add: through store.MemberPatcher where the store has it.
			add := `{"schemas":["` + patchURN + `"],"Operations":[{"op":"Add","path":"members","value":[{"value":"` + uid + `"}]}]}`
			checkError(t, do(t, h, http.MethodPatch, "/Groups/"+gid, add), http.StatusForbidden, "")
			if r := do(t, h, http.MethodGet, "/Groups/"+gid, ""); len(list(r.body, "members")) != 0 {
				t.Errorf("a refused member add was stored: %s", r)
			}
			if n := len(l.before); n == 0 {
				t.Error("the member add reached no BeforeWrite")
			} else if evs := l.before[n-1].Events; len(evs) != 1 || evs[0].Kind != store.MemberAdded || evs[0].Member == nil || evs[0].Member.Value != uid {
				t.Errorf("BeforeWrite of a member add saw events %+v, want one member.added of %s", evs, uid)
			}
			if after := l.afterCount(); after != 0 {
				t.Errorf("refused writes reached AfterWrite %d times", after)
			}

			// One operation of a Bulk refused: the others are stored.
			l.refuse = func(c *scim.Change) error {
				if c.After != nil && c.After.UniqueValue("userName") == "no@example.com" {
					return &scim.Error{Status: http.StatusConflict, Detail: "business rule"}
				}
				return nil
			}
			bulk := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
				{"method":"POST","path":"/Users","bulkId":"a","data":` + userBody("yes@example.com") + `},
				{"method":"POST","path":"/Users","bulkId":"b","data":` + userBody("no@example.com") + `}]}`
			r := do(t, h, http.MethodPost, "/Bulk", bulk)
			wantStatus(t, r, http.StatusOK, "Bulk")
			if s0, s1 := str(r.body, "Operations.0.status"), str(r.body, "Operations.1.status"); s0 != "201" || s1 != "409" {
				t.Errorf("Bulk statuses %s and %s, want 201 and 409", s0, s1)
			}
			for name, want := range map[string]int{"yes@example.com": 1, "no@example.com": 0} {
				if r := do(t, h, http.MethodGet, "/Users?filter="+urlq(`userName eq "`+name+`"`), ""); num(r.body, "totalResults") != want {
					t.Errorf("after the Bulk, %s is stored %d times, want %d", name, num(r.body, "totalResults"), want)
				}
			}

			// An error that is no SCIM error: 500, nothing stored.
			l.refuse = func(*scim.Change) error { return errors.New("seat service down") }
			wantStatus(t, do(t, h, http.MethodPost, "/Users", userBody("broken@example.com")), http.StatusInternalServerError, "POST with a failing hook")
			if r := do(t, h, http.MethodGet, "/Users?filter="+urlq(`userName eq "broken@example.com"`), ""); num(r.body, "totalResults") != 0 {
				t.Errorf("a POST whose hook failed was stored")
			}
		})
	}
}

// whoStore records the principal and request id of each Create.
type whoStore struct {
	store.Store
	mu   sync.Mutex
	seen []string
}

func (s *whoStore) Create(ctx context.Context, r *store.Resource) (*store.Resource, error) {
	p, ok := auth.PrincipalFrom(ctx)
	s.mu.Lock()
	s.seen = append(s.seen, fmt.Sprintf("%v %s/%s %s", ok, p.Tenant, p.Method, store.RequestID(ctx)))
	s.mu.Unlock()
	return s.Store.Create(ctx, r)
}

func TestPrincipalAndRequestIDReachTheStore(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			ws := &whoStore{Store: kind.New(t)}
			h := newHandler(t, func(c *scim.Config) { c.Store = ws })
			wantStatus(t, do(t, h, http.MethodPost, "/Users", userBody("a@example.com"), "X-Request-ID", "abc-123"), http.StatusCreated, "POST")
			r := do(t, h, http.MethodPost, "/Users", userBody("b@example.com"), "X-Request-ID", "bad id with spaces")
			generated := r.header.Get("X-Request-Id")
			if generated == "" || generated == "bad id with spaces" {
				t.Errorf("an invalid X-Request-ID must be replaced by a new id; answered %q", generated)
			}
			want := []string{"true t/static-token abc-123", "true t/static-token " + generated}
			if diff := cmp.Diff(want, ws.seen); diff != "" {
				t.Errorf("what the Store saw (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEventsOfEntraSequences(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			l := &hookLog{}
			h, _ := hooked(t, kind, l)
			uid := createUser(t, h, userBody("u@example.com"))
			for _, tc := range []struct {
				name, body string
				want       []store.EventKind
			}{
				{"disable, default format", entraDisable, []store.EventKind{store.Deactivated}},
				{"disable again", entraDisable, nil},
				{"enable", entraEnable, []store.EventKind{store.Reactivated}},
				{"disable, aadOptscim062020", entraDisable062, []store.EventKind{store.Deactivated}},
				{"enable again", entraEnable, []store.EventKind{store.Reactivated}},
				{"same displayName twice", `{"schemas":["` + patchURN + `"],"Operations":[{"op":"replace","path":"displayName","value":"U"}]}`, []store.EventKind{store.Updated}},
				{"same displayName again", `{"schemas":["` + patchURN + `"],"Operations":[{"op":"replace","path":"displayName","value":"U"}]}`, nil},
			} {
				l.reset()
				wantStatus(t, do(t, h, http.MethodPatch, "/Users/"+uid, tc.body), http.StatusOK, tc.name)
				if got := l.lastKinds(); !slices.Equal(got, tc.want) {
					t.Errorf("%s: events %v, want %v", tc.name, got, tc.want)
				}
				if tc.want != nil && tc.want[0] != store.Updated && !slices.Equal(l.after[0].Events[0].Paths, []string{"active"}) {
					t.Errorf("%s: paths %v, want [active]", tc.name, l.after[0].Events[0].Paths)
				}
			}

			// Members, through store.MemberPatcher where the store has it:
			// only what changed is an event.
			var gids []string
			for i := range 3 {
				gids = append(gids, createGroup(t, h, fmt.Sprintf(`{"schemas":[%q],"displayName":"G%d"}`, groupURN, i)))
			}
			add := `{"schemas":["` + patchURN + `"],"Operations":[{"op":"Add","path":"members","value":[{"value":"` + uid + `"}]}]}`
			for _, gid := range gids {
				l.reset()
				wantStatus(t, do(t, h, http.MethodPatch, "/Groups/"+gid, add), http.StatusNoContent, "member add")
				if got := l.lastKinds(); !slices.Equal(got, []store.EventKind{store.MemberAdded}) {
					t.Fatalf("member add: events %v", got)
				}
				if e := l.after[0].Events[0]; e.ResourceID != gid || e.Member == nil || e.Member.Value != uid || e.Version == "" {
					t.Errorf("member add event: %+v", e)
				}
			}
			l.reset()
			wantStatus(t, do(t, h, http.MethodPatch, "/Groups/"+gids[0], add), http.StatusNoContent, "member re-add")
			if got := l.lastKinds(); len(got) != 0 {
				t.Errorf("adding a member already there: events %v, want none", got)
			}

			// Deleting a user in three groups: the delete and three member
			// removals.
			l.reset()
			wantStatus(t, do(t, h, http.MethodDelete, "/Users/"+uid, ""), http.StatusNoContent, "DELETE")
			want := []store.EventKind{store.Deleted, store.MemberRemoved, store.MemberRemoved, store.MemberRemoved}
			if got := l.lastKinds(); !slices.Equal(got, want) {
				t.Fatalf("deleting a user in three groups: events %v, want %v", got, want)
			}
			var left []string
			for _, e := range l.after[0].Events[1:] {
				if e.Member == nil || e.Member.Value != uid {
					t.Errorf("member removed event names %+v, want the deleted user %s", e.Member, uid)
				}
				left = append(left, e.ResourceID)
			}
			slices.Sort(left)
			slices.Sort(gids)
			if !slices.Equal(left, gids) {
				t.Errorf("the user left groups %v, want %v", left, gids)
			}
		})
	}
}

func TestMultiHooks(t *testing.T) {
	var calls []string
	mk := func(name string, refuse bool) scim.Hooks {
		return scim.HookFuncs{
			Before: func(context.Context, *scim.Change) error {
				calls = append(calls, name+" before")
				if refuse {
					return &scim.Error{Status: http.StatusForbidden, Detail: name + " says no"}
				}
				return nil
			},
			After: func(context.Context, *scim.Change) { calls = append(calls, name+" after") },
		}
	}
	h := newHandler(t, func(c *scim.Config) { c.Hooks = scim.MultiHooks(mk("a", false), nil, mk("b", false)) })
	createUser(t, h, userBody("x@example.com"))
	if want := []string{"a before", "b before", "a after", "b after"}; !slices.Equal(calls, want) {
		t.Errorf("calls %v, want %v", calls, want)
	}
	calls = nil
	h = newHandler(t, func(c *scim.Config) { c.Hooks = scim.MultiHooks(mk("a", true), mk("b", false)) })
	checkError(t, do(t, h, http.MethodPost, "/Users", userBody("y@example.com")), http.StatusForbidden, "", "a says no")
	if want := []string{"a before"}; !slices.Equal(calls, want) {
		t.Errorf("a refusing first: calls %v, want %v", calls, want)
	}
}

func TestRequestIDFromTheClientIsBounded(t *testing.T) {
	h := newHandler(t)
	for _, tc := range []struct {
		sent string
		kept bool
	}{
		{"abc-123_X.Y:z", true},
		{strings.Repeat("a", 128), true},
		{strings.Repeat("a", 1280), false},
		{"naïve", false},
		{"a\x7fb", false},
		{`"quoted"`, true},
	} {
		r := do(t, h, http.MethodGet, "/Users/nope", "", "X-Request-ID", tc.sent)
		got := r.header.Get("X-Request-Id")
		if kept := got == tc.sent; kept != tc.kept || got == "" {
			t.Errorf("X-Request-ID %.20q…: answered %.20q…, kept %v, want kept %v", tc.sent, got, kept, tc.kept)
		}
		// The error body names the id the response header gives, JSON-escaped.
		if d := str(r.body, "detail"); !strings.HasSuffix(d, "(request id "+got+")") {
			t.Errorf("detail %q does not end with the request id %q", d, got)
		}
	}
}

// TestHooksNeverSeeAPassword: a password sent on every write path (POST,
// PUT, PATCH, Bulk) reaches neither the hooks nor the events.
func TestHooksNeverSeeAPassword(t *testing.T) {
	const secret = "Sup3r-S3cret-pa55"
	l := &hookLog{}
	h := newHandler(t, func(c *scim.Config) { c.Hooks = l })
	uid := createUser(t, h, `{"schemas":["`+userURN+`"],"userName":"p@example.com","password":"`+secret+`"}`)
	wantStatus(t, do(t, h, http.MethodPut, "/Users/"+uid, `{"schemas":["`+userURN+`"],"userName":"p@example.com","password":"`+secret+`","title":"x"}`), http.StatusOK, "PUT")
	wantStatus(t, do(t, h, http.MethodPatch, "/Users/"+uid, `{"schemas":["`+patchURN+`"],"Operations":[{"op":"replace","path":"password","value":"`+secret+`"},{"op":"replace","path":"title","value":"y"}]}`), http.StatusOK, "PATCH")
	wantStatus(t, do(t, h, http.MethodPatch, "/Users/"+uid, `{"schemas":["`+patchURN+`"],"Operations":[{"op":"replace","value":{"password":"`+secret+`","title":"z"}}]}`), http.StatusOK, "PATCH without path")
	wantStatus(t, do(t, h, http.MethodPost, "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":{"schemas":["`+userURN+`"],"userName":"q@example.com","password":"`+secret+`"}}]}`), http.StatusOK, "Bulk")
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.before) != 5 || len(l.after) != 5 {
		t.Fatalf("%d BeforeWrite and %d AfterWrite calls, want 5 and 5", len(l.before), len(l.after))
	}
	for _, c := range append(slices.Clone(l.before), l.after...) {
		if strings.Contains(fmt.Sprintf("%+v %s %s", c, attrsOf(c.Before), attrsOf(c.After)), secret) {
			t.Errorf("a %s hook saw the password: %+v", c.Op, c)
		}
		for _, e := range c.Events {
			if strings.Contains(string(e.Before)+string(e.After), secret) {
				t.Errorf("a %s event holds the password", e.Kind)
			}
		}
	}
}

func attrsOf(r *store.Resource) string {
	if r == nil {
		return ""
	}
	return string(r.Attributes)
}

// TestHooksMayReadTheStore: a BeforeWrite that reads the Store (a seat
// count, the resource itself) while a PUT or PATCH is being written does
// not deadlock on any store.
func TestHooksMayReadTheStore(t *testing.T) {
	for _, kind := range teststore.All() {
		t.Run(kind.Name, func(t *testing.T) {
			st := kind.New(t)
			var reads int
			h := newHandler(t, func(c *scim.Config) {
				c.Store = st
				c.Hooks = scim.HookFuncs{Before: func(ctx context.Context, ch *scim.Change) error {
					if _, err := st.List(ctx, store.User, store.Query{Count: 10}); err != nil {
						return err
					}
					if ch.ID != "" {
						if _, err := st.Get(ctx, ch.Type, ch.ID); err != nil {
							return err
						}
					}
					reads++
					return nil
				}}
			})
			uid := createUser(t, h, userBody("r@example.com"))
			done := make(chan result, 2)
			go func() {
				done <- do(t, h, http.MethodPatch, "/Users/"+uid, entraDisable)
				done <- do(t, h, http.MethodPut, "/Users/"+uid, `{"schemas":["`+userURN+`"],"userName":"r@example.com","title":"t"}`)
			}()
			for _, what := range []string{"PATCH", "PUT"} {
				select {
				case r := <-done:
					wantStatus(t, r, http.StatusOK, what)
				case <-time.After(20 * time.Second):
					t.Fatalf("%s with a hook that reads the store: no answer in 20 s (deadlock)", what)
				}
			}
			if reads != 3 {
				t.Errorf("the hook read the store %d times, want 3 (POST, PATCH, PUT)", reads)
			}
		})
	}
}
