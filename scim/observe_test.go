package scim_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// eventLog collects the Events of a Handler.
type eventLog struct {
	mu  sync.Mutex
	evs []scim.Event
	ctx []context.Context
}

func (l *eventLog) ObserveRequest(ctx context.Context, e *scim.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := *e
	ev.Rewrites = append(ev.Rewrites[:0:0], e.Rewrites...)
	l.evs = append(l.evs, ev)
	l.ctx = append(l.ctx, ctx)
}

// last returns the last event and the number recorded.
func (l *eventLog) last(t *testing.T) scim.Event {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.evs) == 0 {
		t.Fatal("no event")
	}
	return l.evs[len(l.evs)-1]
}

func (l *eventLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.evs)
}

// TestEventPerAnswer sends one request of each class of answer Entra
// meets through the real Handler and checks that its one Event names the
// operation, status, scimType and provisioning-log code Entra's admin
// would see.
func TestEventPerAnswer(t *testing.T) {
	obs := &eventLog{}
	cs := &countingStore{Store: memory.New()}
	h := newHandler(t, func(c *scim.Config) { c.Observer = obs; c.Store = cs })
	uid := createUser(t, h, `{"schemas":["`+userURN+`"],"userName":"ada@contoso.com","emails":[{"value":"shared@contoso.com","type":"work"}]}`)
	createUser(t, h, `{"schemas":["`+userURN+`"],"userName":"bob@contoso.com","emails":[{"value":"shared@contoso.com","type":"work"}]}`)
	gid := createGroup(t, h, `{"schemas":["`+groupURN+`"],"displayName":"Staff"}`)

	type want struct {
		Operation  scim.Operation
		Status     int
		ScimType   scim.ScimType
		EntraCode  string
		Route      string
		Quarantine bool
	}
	tests := []struct {
		name               string
		method, path, body string
		headers            []string
		panicking          bool
		want               want
	}{
		{name: "test connection", method: "GET", path: "/Users?filter=" + urlq(`userName eq "7f3c2a51-0e7b-4c77-9c1d-2f2a9d0c9a1e"`),
			want: want{scim.OperationTestConnection, 200, "", "", "/Users", false}},
		{name: "200 match-miss", method: "GET", path: "/Users?filter=" + urlq(`userName eq "nobody@contoso.com"`),
			want: want{scim.OperationMatch, 200, "", "", "/Users", false}},
		{name: "200 match of two", method: "GET", path: "/Users?filter=" + urlq(`emails[type eq "work"].value eq "shared@contoso.com"`),
			want: want{scim.OperationMatch, 200, "", "DuplicateTargetEntries", "/Users", false}},
		{name: "201 create", method: "POST", path: "/Users", body: userBody("grace@contoso.com"),
			want: want{scim.OperationCreate, 201, "", "", "/Users", false}},
		{name: "409 uniqueness", method: "POST", path: "/Users", body: userBody("ada@contoso.com"),
			want: want{scim.OperationCreate, 409, scim.Uniqueness, "EntryConflict", "/Users", false}},
		{name: "400 invalidFilter", method: "GET", path: "/Users?filter=" + urlq(`userName eq "a" and`),
			want: want{scim.OperationList, 400, scim.InvalidFilter, "SystemForCrossDomainIdentityManagementServiceIncompatible", "/Users", false}},
		{name: "400 invalidValue on a PATCH", method: "PATCH", path: "/Users/" + uid, body: patchBody(`{"op":"replace","path":"name.familyName","value":{"nested":1}}`),
			want: want{scim.OperationUpdate, 400, scim.InvalidValue, "SystemForCrossDomainIdentityManagementBadRequest", "/Users/{id}", false}},
		{name: "disable", method: "PATCH", path: "/Users/" + uid, body: entraDisable,
			want: want{scim.OperationDisable, 200, "", "", "/Users/{id}", false}},
		{name: "404 on a linked object", method: "PATCH", path: "/Users/2819c223-7f76-453a-919d-413861904646", body: entraDisable,
			want: want{scim.OperationDisable, 404, "", "InvalidAnchor", "/Users/{id}", false}},
		{name: "member add", method: "PATCH", path: "/Groups/" + gid, body: patchBody(`{"op":"Add","path":"members","value":[{"value":"` + uid + `"}]}`),
			want: want{scim.OperationMemberAdd, 204, "", "", "/Groups/{id}", false}},
		{name: "group rename", method: "PATCH", path: "/Groups/" + gid, body: patchBody(`{"op":"Replace","path":"displayName","value":"Crew"}`),
			want: want{scim.OperationGroupRename, 204, "", "", "/Groups/{id}", false}},
		{name: "discovery", method: "GET", path: "/ServiceProviderConfig",
			want: want{scim.OperationDiscovery, 200, "", "", "/ServiceProviderConfig", false}},
		{name: "401", method: "GET", path: "/Users?filter=" + urlq(`userName eq "7f3c2a51-0e7b-4c77-9c1d-2f2a9d0c9a1e"`), headers: []string{"Authorization", "Bearer wrong"},
			want: want{scim.OperationTestConnection, 401, "", "Unauthorized", "/Users", true}},
		{name: "500 from a panicking store", method: "GET", path: "/Users?filter=" + urlq(`userName eq "ada@contoso.com"`), panicking: true,
			want: want{scim.OperationMatch, 500, "", "InternalServerError", "/Users", true}},
		{name: "delete", method: "DELETE", path: "/Groups/" + gid,
			want: want{scim.OperationDelete, 204, "", "", "/Groups/{id}", false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs.panicList.Store(tt.panicking)
			defer cs.panicList.Store(false)
			before := obs.count()
			r := do(t, h, tt.method, tt.path, tt.body, tt.headers...)
			if n := obs.count() - before; n != 1 {
				t.Fatalf("%d events for one request, want 1", n)
			}
			e := obs.last(t)
			got := want{e.Operation, e.Status, e.ScimType, e.EntraCode, e.Route, e.QuarantineRisk}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("event (-want +got):\n%s\nresponse: %s", diff, r)
			}
			if e.Status != r.status {
				t.Errorf("event status %d, response %d", e.Status, r.status)
			}
			if rid := r.header.Get("X-Request-Id"); e.RequestID != rid || rid == "" {
				t.Errorf("event request id %q, response header %q", e.RequestID, rid)
			}
			if e.RequestBytes != int64(len(tt.body)) {
				t.Errorf("RequestBytes = %d, want %d", e.RequestBytes, len(tt.body))
			}
			if e.ResponseBytes != int64(len(r.raw)) {
				t.Errorf("ResponseBytes = %d, want %d", e.ResponseBytes, len(r.raw))
			}
			if r.status >= 400 {
				if d := str(r.body, "detail"); e.Detail == "" || !strings.HasPrefix(d, e.Detail) || !strings.HasSuffix(d, "(request id "+e.RequestID+")") {
					t.Errorf("body detail %q, event detail %q: want the event's detail and the request id", d, e.Detail)
				}
				if e.Err == nil {
					t.Error("a failed request's event has no Err")
				}
			}
			switch {
			case tt.want.Status == 401:
				if e.Tenant != "" || !errors.Is(e.Err, auth.ErrInvalidToken) {
					t.Errorf("401 event: tenant %q, err %v; want no tenant and auth.ErrInvalidToken", e.Tenant, e.Err)
				}
			case tt.panicking:
				var pe *scim.PanicError
				if !errors.As(e.Err, &pe) || pe.Value != "store exploded" || !strings.Contains(string(pe.Stack), "countingStore") {
					t.Errorf("panic event Err = %v, want a *PanicError with the value and stack", e.Err)
				}
			default:
				if e.Tenant != "t" || e.AuthMethod == "" || (e.ResourceType == "") != (e.Operation == scim.OperationDiscovery) {
					t.Errorf("event tenant %q, auth method %q, resource type %q", e.Tenant, e.AuthMethod, e.ResourceType)
				}
			}
			if strings.HasSuffix(e.Route, "{id}") && !strings.HasSuffix(tt.path, "/"+e.ResourceID) {
				t.Errorf("ResourceID %q is not the id of %s", e.ResourceID, tt.path)
			}
		})
	}
}

// TestEventRewrites: Entra's PATCH forms are recorded on the request's
// one event, also inside a /Bulk.
func TestEventRewrites(t *testing.T) {
	obs := &eventLog{}
	h := newHandler(t, func(c *scim.Config) { c.Observer = obs })
	uid := createUser(t, h, userBody("ada@contoso.com"))
	r := do(t, h, "PATCH", "/Users/"+uid, entraDisable)
	wantStatus(t, r, 200, "disable")
	e := obs.last(t)
	if len(e.Rewrites) == 0 {
		t.Fatalf("an Entra PATCH (op \"Replace\", value \"False\") has no rewrites on its event")
	}
	if e.Operation != scim.OperationDisable {
		t.Errorf("operation %q, want disable", e.Operation)
	}
	bulk := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"PATCH","path":"/Users/` + uid + `","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}}]}`
	r = do(t, h, "POST", "/Bulk", bulk)
	wantStatus(t, r, 200, "bulk")
	e = obs.last(t)
	if e.Operation != scim.OperationBulk || e.Route != "/Bulk" || len(e.Rewrites) == 0 {
		t.Errorf("bulk event: operation %q, route %q, %d rewrites; want bulk, /Bulk and the PATCH's rewrites", e.Operation, e.Route, len(e.Rewrites))
	}
}

// TestNoObserver: NoObserver{} turns the access log off, but failures
// are still logged.
func TestNoObserver(t *testing.T) {
	logs := &syncBuffer{}
	h := newHandler(t, func(c *scim.Config) {
		c.Observer = scim.NoObserver{}
		c.Logger = slogText(logs)
	})
	createUser(t, h, userBody("ada@contoso.com"))
	if logs.String() != "" {
		t.Errorf("a 201 was logged with NoObserver: %s", logs)
	}
	do(t, h, "GET", "/Users", "", "Authorization", "Bearer wrong")
	if !strings.Contains(logs.String(), "rejected") {
		t.Errorf("a 401 was not logged with NoObserver: %s", logs)
	}
}

// TestMultiObserver: every observer sees every event.
func TestMultiObserver(t *testing.T) {
	a, b := &eventLog{}, &eventLog{}
	h := newHandler(t, func(c *scim.Config) { c.Observer = scim.MultiObserver(a, nil, scim.NoObserver{}, b) })
	for i := range 3 {
		createUser(t, h, userBody("u"+strconv.Itoa(i)+"@contoso.com"))
	}
	if a.count() != 3 || b.count() != 3 {
		t.Errorf("events: %d and %d, want 3 each", a.count(), b.count())
	}
}

// TestEventContext: the observer gets the request's context, with its
// request id and principal.
func TestEventContext(t *testing.T) {
	obs := &eventLog{}
	h := newHandler(t, func(c *scim.Config) { c.Observer = obs })
	r := do(t, h, "GET", "/Users", "", "X-Request-ID", "req-42")
	wantStatus(t, r, 200, "list")
	obs.mu.Lock()
	ctx := obs.ctx[len(obs.ctx)-1]
	obs.mu.Unlock()
	if id := store.RequestID(ctx); id != "req-42" {
		t.Errorf("observer context request id %q, want req-42", id)
	}
	if e := obs.last(t); e.Operation != scim.OperationList || e.RequestID != "req-42" {
		t.Errorf("event %+v", e)
	}
}

var _ http.Handler = (*scim.Handler)(nil)
