package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
)

func call(h http.Handler, method, path, body string) (int, map[string]any) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer t")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var m map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &m)
	return rec.Code, m
}

// Two replicas of a service, each with its own Handler and connection
// pool, on one PostgreSQL database.
func TestReplicasOnOnePostgres(t *testing.T) {
	dsn := freshSchema(t)
	ctx := context.Background()
	var hs [2]http.Handler
	for i := range hs {
		st, err := postgres.Open(ctx, dsn, sqlstore.Config{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		hs[i] = handlerOver(t, st)
	}

	t.Run("64 concurrent creates of one userName", func(t *testing.T) {
		codes := make([]int, 64)
		scimTypes := make([]any, 64)
		var wg sync.WaitGroup
		for i := range 64 {
			wg.Go(func() {
				name := "Race@Example.com"
				if i%2 == 1 {
					name = "race@EXAMPLE.com"
				}
				codes[i], scimTypes[i] = func() (int, any) {
					c, body := call(hs[i%2], http.MethodPost, "/Users", `{"userName":"`+name+`"}`)
					return c, body["scimType"]
				}()
			})
		}
		wg.Wait()
		created := 0
		for i, c := range codes {
			switch {
			case c == http.StatusCreated:
				created++
			case c == http.StatusConflict && scimTypes[i] == "uniqueness":
			default:
				t.Errorf("request %d: %d %v", i, c, scimTypes[i])
			}
		}
		if created != 1 {
			t.Errorf("%d creates succeeded, want exactly 1", created)
		}
	})

	t.Run("100 concurrent member adds across replicas", func(t *testing.T) {
		code, g := call(hs[0], http.MethodPost, "/Groups", `{"displayName":"Replicated"}`)
		if code != http.StatusCreated {
			t.Fatalf("group: %d %v", code, g)
		}
		gid := g["id"].(string)
		ids := make([]string, 100)
		for i := range ids {
			code, u := call(hs[i%2], http.MethodPost, "/Users", fmt.Sprintf(`{"userName":"member%d@example.com"}`, i))
			if code != http.StatusCreated {
				t.Fatalf("user %d: %d %v", i, code, u)
			}
			ids[i] = u["id"].(string)
		}
		var wg sync.WaitGroup
		errs := make(chan string, 100)
		for i, id := range ids {
			wg.Go(func() {
				code, body := call(hs[i%2], http.MethodPatch, "/Groups/"+gid,
					`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"value":"`+id+`"}]}]}`)
				if code != http.StatusNoContent {
					errs <- fmt.Sprintf("add %d: %d %v", i, code, body)
				}
			})
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		_, got := call(hs[1], http.MethodGet, "/Groups/"+gid, "")
		members, _ := got["members"].([]any)
		if len(members) != 100 {
			t.Errorf("the group has %d members, want 100", len(members))
		}
	})
}

// Two replicas starting at once on an empty database both come up.
func TestConcurrentMigrations(t *testing.T) {
	dsn := freshSchema(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			st, err := postgres.Open(context.Background(), dsn, sqlstore.Config{})
			if err == nil {
				st.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	// And once more, on a migrated database: nothing to do, no error.
	st, err := postgres.Open(context.Background(), dsn, sqlstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.DB().QueryRow(`SELECT COUNT(*) FROM scimkit_schema_version`).Scan(&n); err != nil || n != len(sqlstore.RawMigrations(sqlstore.Postgres())) {
		t.Errorf("schema versions recorded: %d, %v; want %d", n, err, len(sqlstore.RawMigrations(sqlstore.Postgres())))
	}
	st.Close()
}
