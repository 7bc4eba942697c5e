package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/internal/teststore"
)

// database is one test database: the product's tables, empty.
type database struct {
	name string
	open func(t testing.TB) (*sql.DB, dialect)
}

// databases are SQLite, in a file of the test's temporary directory, and
// PostgreSQL, in a fresh schema (skipped without SCIMKIT_POSTGRES_DSN,
// failed without it under SCIMKIT_REQUIRE_POSTGRES=1).
var databases = []database{
	{"sqlite", openSQLite},
	{"postgres", openPostgres},
}

func openSQLite(t testing.TB) (*sql.DB, dialect) {
	t.Helper()
	return mustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "ownmodel.db"))
}

func openPostgres(t testing.TB) (*sql.DB, dialect) {
	t.Helper()
	db, d := mustOpen(t, teststore.FreshSchema(t))
	// Parallel test packages share the server's max_connections.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	return db, d
}

func mustOpen(t testing.TB, spec string) (*sql.DB, dialect) {
	t.Helper()
	db, d, err := openDB(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, d
}

// service is the whole service over one test database.
type service struct {
	db   *sql.DB
	d    dialect
	h    http.Handler
	logs *logBuffer
}

func newTestService(t testing.TB, open func(testing.TB) (*sql.DB, dialect), seats int) *service {
	t.Helper()
	db, d := open(t)
	logs := new(logBuffer)
	h, err := newService(db, d, config{Token: "t", Seats: seats, Logger: logs.logger()})
	if err != nil {
		t.Fatal(err)
	}
	return &service{db: db, d: d, h: h, logs: logs}
}

// logBuffer keeps what a logger writes, for tests to read.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// do sends one request to the service, with the SCIM token, and returns
// the status and the body.
func (s *service) do(t testing.TB, method, path, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer t")
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// createUser provisions a user as Entra does and returns its id.
func (s *service) createUser(t testing.TB, body string) string {
	t.Helper()
	code, resp := s.do(t, "POST", "/scim/v2/Users", body)
	if code != http.StatusCreated {
		t.Fatalf("POST /Users: %d %s", code, resp)
	}
	var u struct{ ID string }
	if err := json.Unmarshal([]byte(resp), &u); err != nil || u.ID == "" {
		t.Fatalf("POST /Users: no id in %s", resp)
	}
	return u.ID
}

// login opens a session for userName through the product's own route.
func (s *service) login(t testing.TB, userName string) (int, string) {
	t.Helper()
	return s.do(t, "POST", "/login?user="+url.QueryEscape(userName), "")
}

// sessionsOf returns the ids of the accounts that have open sessions, one
// per session, from the product's /sessions route.
func (s *service) sessionsOf(t testing.TB) []string {
	t.Helper()
	code, body := s.do(t, "GET", "/sessions", "")
	if code != http.StatusOK {
		t.Fatalf("GET /sessions: %d %s", code, body)
	}
	var list []session
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("GET /sessions: %v in %s", err, body)
	}
	ids := []string{}
	for _, s := range list {
		ids = append(ids, s.Account)
	}
	slices.Sort(ids)
	return ids
}

// entraUser is a POST /Users body as Entra sends it.
func entraUser(userName string, active bool) string {
	return fmt.Sprintf(`{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "ext-%[1]s", "userName": %[1]q, "active": %[2]t, "displayName": "Jane Doe",
		"emails": [{"primary": true, "type": "work", "value": "jdoe@contoso.com"}],
		"name": {"formatted": "Jane Doe", "familyName": "Doe", "givenName": "Jane"},
		"phoneNumbers": [{"type": "work", "value": "55555555555"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "department": "Tour Operations"}
	}`, userName, active)
}

// createGroup provisions a group with members and returns its id.
func (s *service) createGroup(t testing.TB, name string, members ...string) string {
	t.Helper()
	var ms []map[string]string
	for _, m := range members {
		ms = append(ms, map[string]string{"value": m})
	}
	body, _ := json.Marshal(map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": name, "members": ms})
	code, resp := s.do(t, "POST", "/scim/v2/Groups", string(body))
	if code != http.StatusCreated {
		t.Fatalf("POST /Groups: %d %s", code, resp)
	}
	var g struct{ ID string }
	if err := json.Unmarshal([]byte(resp), &g); err != nil || g.ID == "" {
		t.Fatalf("POST /Groups: no id in %s", resp)
	}
	return g.ID
}

func sorted(ss ...string) []string {
	slices.Sort(ss)
	return ss
}
