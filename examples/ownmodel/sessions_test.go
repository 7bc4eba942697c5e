package main

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The product's own login reads the accounts SCIM provisioned: a user
// logs in by any case of its userName, an unknown one cannot, and one
// Entra disabled cannot log in again (whether or not hooks ran).
func TestLogin(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			s := newTestService(t, db.open, 0)
			ann := s.createUser(t, entraUser("Ann@Contoso.com", true))
			if code, body := s.login(t, "ann@CONTOSO.com"); code != http.StatusCreated {
				t.Fatalf("login: %d %s", code, body)
			}
			if code, _ := s.login(t, "nobody@contoso.com"); code != http.StatusNotFound {
				t.Errorf("login of an unknown user: %d, want 404", code)
			}
			if code, _ := s.login(t, ""); code != http.StatusBadRequest {
				t.Errorf("login without a user: %d, want 400", code)
			}
			if diff := cmp.Diff([]string{ann}, s.sessionsOf(t)); diff != "" {
				t.Errorf("sessions (-want +got):\n%s", diff)
			}
			if code, body := s.do(t, "PATCH", "/scim/v2/Users/"+ann, entraDisable); code != http.StatusOK && code != http.StatusNoContent {
				t.Fatalf("PATCH active False: %d %s", code, body)
			}
			if code, _ := s.login(t, "ann@contoso.com"); code != http.StatusForbidden {
				t.Errorf("login after Entra disabled the user: %d, want 403", code)
			}
		})
	}
}
