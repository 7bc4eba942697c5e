package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// The hook, called as the Handler calls it, with a Change made by hand.

func TestAfterWriteRevokesSessions(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			s := newTestService(t, db.open, 0)
			ann := s.createUser(t, entraUser("ann@contoso.com", true))
			bob := s.createUser(t, entraUser("bob@contoso.com", true))
			team := s.createGroup(t, "Staff", ann)
			for _, u := range []string{"ann@contoso.com", "ann@contoso.com", "bob@contoso.com"} {
				if code, body := s.login(t, u); code != http.StatusCreated {
					t.Fatalf("login %s: %d %s", u, code, body)
				}
			}
			logs := new(logBuffer)
			h := &accessHooks{DB: s.db, Dialect: s.d, Logger: logs.logger()}
			ctx := store.WithTenant(context.Background(), tenant)
			change := func(evs ...store.Event) *scim.Change {
				return &scim.Change{Op: scim.OpPatch, Type: store.User, Events: evs, RequestID: "req-1"}
			}

			// Neither an update, nor a reactivation, nor a member leaving
			// a team ends a session.
			h.AfterWrite(ctx, change(
				store.Event{Kind: store.Updated, Type: store.User, ResourceID: ann, Tenant: tenant, Paths: []string{"displayName"}},
				store.Event{Kind: store.Reactivated, Type: store.User, ResourceID: ann, Tenant: tenant},
				store.Event{Kind: store.MemberRemoved, Type: store.Group, ResourceID: team, Tenant: tenant, Member: &store.Member{Value: ann, Type: store.User}},
			))
			if diff := cmp.Diff(sorted(ann, ann, bob), s.sessionsOf(t)); diff != "" {
				t.Fatalf("sessions after events that revoke nothing (-want +got):\n%s", diff)
			}
			// Another tenant's deactivation of the same id ends nothing here.
			h.AfterWrite(ctx, change(store.Event{Kind: store.Deactivated, Type: store.User, ResourceID: ann, Tenant: "other"}))
			if got := s.sessionsOf(t); len(got) != 3 {
				t.Fatalf("sessions after another tenant's deactivation: %v, want 3", got)
			}

			h.AfterWrite(ctx, change(store.Event{Kind: store.Deactivated, Type: store.User, ResourceID: ann, Tenant: tenant}))
			if diff := cmp.Diff([]string{bob}, s.sessionsOf(t)); diff != "" {
				t.Errorf("sessions after ann's deactivation (-want +got):\n%s", diff)
			}
			if log := logs.String(); !strings.Contains(log, "sessions revoked") || !strings.Contains(log, "user="+ann) ||
				!strings.Contains(log, "sessions=2") || !strings.Contains(log, "request_id=req-1") {
				t.Errorf("log = %q, want one line saying ann's 2 sessions were revoked in req-1", log)
			}

			h.AfterWrite(ctx, &scim.Change{Op: scim.OpDelete, Type: store.User, ID: bob,
				Events: []store.Event{{Kind: store.Deleted, Type: store.User, ResourceID: bob, Tenant: tenant}}})
			if got := s.sessionsOf(t); len(got) != 0 {
				t.Errorf("sessions after bob's deletion: %v, want none", got)
			}
		})
	}
}

// Through the Handler: what Entra does, and what the product sees.

const entraDisable = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`

func TestEntraDisableEndsSessions(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			s := newTestService(t, db.open, 0)
			ann := s.createUser(t, entraUser("ann@contoso.com", true))
			bob := s.createUser(t, entraUser("bob@contoso.com", true))
			for _, u := range []string{"ann@contoso.com", "bob@contoso.com", "ann@contoso.com"} {
				if code, body := s.login(t, u); code != http.StatusCreated {
					t.Fatalf("login %s: %d %s", u, code, body)
				}
			}
			if code, body := s.do(t, "PATCH", "/scim/v2/Users/"+ann, entraDisable); code != http.StatusOK && code != http.StatusNoContent {
				t.Fatalf("PATCH active False: %d %s", code, body)
			}
			if diff := cmp.Diff([]string{bob}, s.sessionsOf(t)); diff != "" {
				t.Errorf("sessions after Entra disabled ann (-want +got):\n%s", diff)
			}
			if !strings.Contains(s.logs.String(), "sessions revoked") {
				t.Errorf("log = %q, want a line saying ann's sessions were revoked", s.logs.String())
			}
			if code, body := s.do(t, "DELETE", "/scim/v2/Users/"+bob, ""); code != http.StatusNoContent {
				t.Fatalf("DELETE bob: %d %s", code, body)
			}
			if got := s.sessionsOf(t); len(got) != 0 {
				t.Errorf("sessions after Entra deleted bob: %v, want none", got)
			}
		})
	}
}

func TestUnstorableUserNameIs400(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			s := newTestService(t, db.open, 0)
			code, body := s.do(t, "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a\u0000b"}`)
			if code != http.StatusBadRequest || !strings.Contains(body, "invalidValue") {
				t.Fatalf("POST a userName with NUL: %d %s, want 400 invalidValue", code, body)
			}
		})
	}
}
