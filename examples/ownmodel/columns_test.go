package main

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
)

// What Entra provisions lands in the product's own columns; what has no
// column is kept in scim_extra; and a change the product makes to a
// column is what SCIM reads back.
func TestAccountColumns(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			s := newTestService(t, db.open, 0)
			id := s.createUser(t, entraUser("jdoe@contoso.com", true))

			type row struct {
				UserName, UserNameKey, ExternalID, DisplayName, GivenName, FamilyName, Email string
				Active                                                                       bool
				Extra                                                                        map[string]any
			}
			var got row
			var extra string
			err := s.db.QueryRow(s.d.rebind(`SELECT user_name, user_name_key, external_id, display_name, given_name, family_name, email, active, scim_extra FROM accounts WHERE id = ?`), id).
				Scan(&got.UserName, &got.UserNameKey, &got.ExternalID, &got.DisplayName, &got.GivenName, &got.FamilyName, &got.Email, &got.Active, &extra)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(extra), &got.Extra); err != nil {
				t.Fatalf("scim_extra %q: %v", extra, err)
			}
			want := row{
				UserName: "jdoe@contoso.com", UserNameKey: "JDOE@CONTOSO.COM", ExternalID: "ext-jdoe@contoso.com",
				DisplayName: "Jane Doe", GivenName: "Jane", FamilyName: "Doe", Email: "jdoe@contoso.com", Active: true,
				Extra: map[string]any{
					"emails":       []any{map[string]any{"primary": true, "type": "work", "value": "jdoe@contoso.com"}},
					"name":         map[string]any{"formatted": "Jane Doe"},
					"phoneNumbers": []any{map[string]any{"type": "work", "value": "55555555555"}},
					enterpriseURN:  map[string]any{"employeeNumber": "701984", "department": "Tour Operations"},
				},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("accounts row (-want +got):\n%s", diff)
			}

			// The product renames the person in its own column; Entra
			// reads the new name, and everything else as it wrote it.
			if _, err := s.db.Exec(s.d.rebind(`UPDATE accounts SET given_name = ?, revision = revision + 1 WHERE id = ?`), "Janet", id); err != nil {
				t.Fatal(err)
			}
			code, body := s.do(t, "GET", "/scim/v2/Users/"+id, "")
			if code != http.StatusOK {
				t.Fatalf("GET: %d %s", code, body)
			}
			var u map[string]any
			if err := json.Unmarshal([]byte(body), &u); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]any{"formatted": "Jane Doe", "givenName": "Janet", "familyName": "Doe"}, u["name"]); diff != "" {
				t.Errorf("GET name (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]any{map[string]any{"type": "work", "value": "55555555555"}}, u["phoneNumbers"]); diff != "" {
				t.Errorf("GET phoneNumbers (-want +got):\n%s", diff)
			}
		})
	}
}

// Entra's manager PATCH lands in manager_id, and its removal clears it.
func TestManagerColumn(t *testing.T) {
	s := newTestService(t, openSQLite, 0)
	id := s.createUser(t, entraUser("jdoe@contoso.com", true))
	boss := s.createUser(t, entraUser("boss@contoso.com", true))
	managerID := func() sql.NullString {
		t.Helper()
		var m sql.NullString
		if err := s.db.QueryRow(`SELECT manager_id FROM accounts WHERE id = ?`, id).Scan(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	patch := func(op, value string) {
		t.Helper()
		code, body := s.do(t, "PATCH", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"`+op+`","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"`+value+`"}]}`)
		if code != http.StatusOK && code != http.StatusNoContent {
			t.Fatalf("PATCH manager: %d %s", code, body)
		}
	}
	patch("Add", boss)
	if got := managerID(); got != (sql.NullString{String: boss, Valid: true}) {
		t.Errorf("manager_id after Add = %v, want %q", got, boss)
	}
	patch("replace", "")
	if got := managerID(); got.Valid {
		t.Errorf("manager_id after removal = %q, want NULL", got.String)
	}
}

// A column takes a value only if it can give it back unchanged: a value
// of another type, a null, a NUL or a lone surrogate stays in scim_extra,
// and the resource reads back equal to what was written.
func TestAccountRoundTrip(t *testing.T) {
	for name, attrs := range map[string]string{
		"entra":                `{"userName":"a","name":{"givenName":"A","familyName":"B","formatted":"A B"},"active":true,"externalId":"x","displayName":"A B","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m","displayName":"Boss"},"department":"D"}}`,
		"only columns":         `{"userName":"a","name":{"givenName":"A"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m"}}}`,
		"wrong types":          `{"userName":"a","active":"False","name":"A B","displayName":7,"externalId":null,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"m"}}`,
		"empty objects":        `{"userName":"a","name":{},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{}}`,
		"NUL":                  `{"userName":"a","displayName":"x\u0000y"}`,
		"lone surrogate":       `{"userName":"a","displayName":"\ud800"}`,
		"escaped replacement":  `{"userName":"a","displayName":"\ufffd"}`,
		"html and line breaks": `{"userName":"<a>&\u2028","displayName":"line\nbreak"}`,
	} {
		t.Run(name, func(t *testing.T) {
			checkRoundTrip(t, []byte(attrs))
		})
	}
}

func checkRoundTrip(t *testing.T, attrs []byte) {
	t.Helper()
	var a account
	if err := a.setFromSCIM(&store.Resource{Type: store.User, Attributes: attrs}); err != nil {
		t.Fatalf("setFromSCIM(%s): %v", attrs, err)
	}
	if strings.ContainsRune(a.UserName, 0) || strings.ContainsRune(a.DisplayName.String, 0) {
		t.Errorf("a column holds a NUL, which PostgreSQL refuses: %+v", a)
	}
	r, err := a.resource(nil)
	if err != nil {
		t.Fatalf("resource: %v (extra %s)", err, a.Extra)
	}
	var want, got any
	if err := json.Unmarshal(attrs, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(r.Attributes, &got); err != nil {
		t.Fatalf("attributes read back are not JSON: %v\n%s", err, r.Attributes)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attributes read back (-written +read):\n%s\nwritten %s\nread    %s", diff, attrs, r.Attributes)
	}
}

// FuzzAccountRoundTrip: whatever attributes a client gets past the
// Handler, splitting them into columns and back gives them unchanged, and
// never panics.
func FuzzAccountRoundTrip(f *testing.F) {
	f.Add([]byte(`{"userName":"jdoe@contoso.com","name":{"givenName":"Jane","familyName":"Doe"},"active":false}`))
	f.Add([]byte(`{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m"}}}`))
	f.Add([]byte(`{"userName":"a","name":[1,2],"active":null}`))
	f.Add([]byte(`{"userName":"\ud800\u0000"}`))
	f.Add([]byte(`{"userName":"a","emails":[{"value":"x","primary":true},{"value":7}]}`))
	f.Fuzz(func(t *testing.T, attrs []byte) {
		var o map[string]json.RawMessage
		if json.Unmarshal(attrs, &o) != nil || o == nil {
			var a account
			if err := a.setFromSCIM(&store.Resource{Type: store.User, Attributes: attrs}); err == nil && json.Unmarshal(attrs, new(any)) != nil {
				t.Fatalf("setFromSCIM accepted %q, which is not JSON", attrs)
			}
			return
		}
		var a account
		if err := a.setFromSCIM(&store.Resource{Type: store.User, Attributes: attrs}); errors.Is(err, errNoUserName) {
			return // the Handler requires a userName; this store one it can hold
		}
		checkRoundTrip(t, attrs)
	})
}
