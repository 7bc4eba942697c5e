package entramix_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/internal/entramix"
	"github.com/scimkit/scimkit/internal/teststore"
)

// postgresFloor serves the PostgreSQL floor in a fresh schema.
func postgresFloor(t testing.TB) (base, dsn string) {
	t.Helper()
	dsn = teststore.FreshSchema(t)
	h, err := entramix.PostgresFloor(context.Background(), newPool(t, dsn), token)
	if err != nil {
		t.Fatal(err)
	}
	srv, base := entramix.Serve(h)
	t.Cleanup(srv.Close)
	return base, dsn
}

func do(t *testing.T, method, url, body string, want int) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	return send(t, req, want)
}

func TestPostgresFloorRoutes(t *testing.T) {
	base, dsn := postgresFloor(t)
	filter := base + "/Users?filter=userName+eq+%22ada%40contoso.com%22"

	if got := do(t, "GET", filter, "", http.StatusOK); !strings.Contains(got, `"totalResults":0,`) || !strings.Contains(got, `"Resources":[]`) {
		t.Errorf("filter miss: %s", got)
	}
	created := do(t, "POST", base+"/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@contoso.com","active":true,
		"name":{"givenName":"Ada","familyName":"Lovelace"},"emails":[{"type":"work","primary":true,"value":"ada@contoso.com"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Maths","employeeNumber":"1"}}`, http.StatusCreated)
	var user struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(created), &user); err != nil || user.ID == "" {
		t.Fatalf("create: %s (%v)", created, err)
	}
	do(t, "POST", base+"/Users", `{"userName":"ada@contoso.com"}`, http.StatusConflict)
	do(t, "POST", base+"/Users", `{"displayName":"no userName"}`, http.StatusBadRequest)

	var list struct {
		TotalResults int
		Resources    []struct{ ID string }
	}
	if err := json.Unmarshal([]byte(do(t, "GET", filter, "", http.StatusOK)), &list); err != nil {
		t.Fatal(err)
	}
	if list.TotalResults != 1 || len(list.Resources) != 1 || list.Resources[0].ID != user.ID {
		t.Errorf("filter hit: %+v, want %s", list, user.ID)
	}
	do(t, "GET", base+"/Users?filter=displayName+eq+%22x%22", "", http.StatusBadRequest)

	patched := do(t, "PATCH", base+"/Users/"+user.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
		{"op":"Replace","path":"displayName","value":"Ada L."},
		{"op":"Replace","path":"active","value":"False"},
		{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Engines"}]}`, http.StatusOK)
	got := do(t, "GET", base+"/Users/"+user.ID, "", http.StatusOK)
	if got != patched {
		t.Errorf("GET after PATCH:\n%s\nPATCH answered:\n%s", got, patched)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(got), &doc); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]any{
		"id":          user.ID,
		"userName":    "ada@contoso.com",
		"displayName": "Ada L.",
		"active":      false,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"department": "Engines"},
	} {
		if diff := cmp.Diff(want, doc[key]); diff != "" {
			t.Errorf("%s after PATCH (-want +got):\n%s", key, diff)
		}
	}
	do(t, "GET", base+"/Users/nobody", "", http.StatusNotFound)
	do(t, "PATCH", base+"/Users/nobody", `{"Operations":[{"op":"Replace","path":"title","value":"x"}]}`, http.StatusNotFound)

	group := do(t, "POST", base+"/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Sales"}`, http.StatusCreated)
	var g struct{ ID string }
	if err := json.Unmarshal([]byte(group), &g); err != nil || g.ID == "" {
		t.Fatalf("group: %s (%v)", group, err)
	}
	add := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"` + user.ID + `"}]}]}`
	do(t, "PATCH", base+"/Groups/"+g.ID, add, http.StatusNoContent)
	do(t, "PATCH", base+"/Groups/"+g.ID, add, http.StatusNoContent) // idempotent

	var members int
	if err := newPool(t, dsn).QueryRow(t.Context(), `SELECT count(*) FROM floor_members WHERE group_id = $1 AND member_id = $2`, g.ID, user.ID).Scan(&members); err != nil {
		t.Fatal(err)
	}
	if members != 1 {
		t.Errorf("%d membership rows, want 1", members)
	}

	req, err := http.NewRequestWithContext(t.Context(), "GET", filter, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer wrong")
	send(t, req, http.StatusUnauthorized)
}

func TestMixPostgresFloor(t *testing.T) {
	base, _ := postgresFloor(t)
	wantCounts(t, run(t, base, 50), 50)
}

func TestMixScimkitPostgres(t *testing.T) {
	h, logs := scimkitHandler(t, openSQLStore(t, teststore.FreshSchema(t)))
	srv, base := entramix.Serve(h)
	defer srv.Close()
	wantCounts(t, run(t, base, 50), 50)
	if logs.Len() > 0 {
		t.Error(logs)
	}
}
