package scim_test

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
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/internal/teststore"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
)

const patchURN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// TestPostgresConnectionsKilled kills the store's PostgreSQL connections
// (pg_terminate_backend) while eight clients create users, PATCH them,
// read them and add them to groups. Every answer must be a success or a
// 503 with Retry-After and a SCIM error body, never a 500; every write
// that was acknowledged must be there afterwards; and once the killing
// stops, the store has reconnected and requests succeed again.
func TestPostgresConnectionsKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills database connections for 3 s")
	}
	ctx := context.Background()
	app := "scimkit_kill_" + strings.ReplaceAll(store.NewID(), "-", "")[:12]
	dsn := withQuery(t, teststore.FreshSchema(t), "application_name", app)
	st, err := postgres.Open(ctx, dsn, sqlstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	admin, err := sql.Open("pgx", teststore.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	admin.SetMaxOpenConns(1)
	t.Cleanup(func() { admin.Close() })

	var logs syncBuffer
	h := newHandler(t, func(c *scim.Config) {
		c.Store = st
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		c.RetryAfter = 7 * time.Second
	})
	srv := httptest.NewServer(h) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	c := &killClient{t: t, base: srv.URL, http: &http.Client{Timeout: 5 * time.Second}, statuses: map[int]int{}}

	// The killer terminates every connection of this test's store (and of
	// no other test: they are told apart by application_name).
	const load = 3 * time.Second
	stop := make(chan struct{})
	var killed, kills int
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			rows, err := admin.QueryContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1`, app)
			if err != nil {
				t.Errorf("killer: %v", err)
				return
			}
			for rows.Next() {
				killed++
			}
			rows.Close()
			kills++
		}
	}()

	deadline := time.Now().Add(load)
	var wg sync.WaitGroup
	clients := make([]*killLoad, 8)
	for i := range clients {
		cl := &killLoad{users: map[string]*userWrites{}, members: map[string]bool{}}
		clients[i] = cl
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.run(i, cl, deadline)
		}()
	}
	wg.Wait()
	close(stop)
	<-killerDone
	t.Logf("killer: %d rounds, %d connections terminated", kills, killed)
	c.mu.Lock()
	t.Logf("answers under load: %v", c.statuses)
	unavailable := c.statuses[http.StatusServiceUnavailable]
	c.mu.Unlock()
	if killed == 0 {
		t.Fatal("the killer terminated no connection: the test tested nothing")
	}
	if unavailable == 0 {
		t.Error("no 503 under load: the kills were not felt")
	}

	// A connection killed while idle is noticed when it is next used:
	// stdlib pings a connection idle for more than a second before handing
	// it out, and database/sql discards it and dials again. So a second
	// after the killing stops, every request succeeds.
	time.Sleep(1100 * time.Millisecond)
	c.strict = true
	for _, cl := range clients {
		for id, u := range cl.users {
			r := c.do(http.MethodGet, "/Users/"+id, "")
			if r.status != http.StatusOK {
				t.Errorf("GET /Users/%s, created with 201: %d %s", id, r.status, r.raw)
				continue
			}
			got := str(r.body, "displayName")
			if !slices.Contains(u.mayBe, got) {
				t.Errorf("user %s: displayName %q, want one of %q (the last acknowledged PATCH, or one after it that got 503)", id, got, u.mayBe)
			}
		}
		if cl.group == "" {
			continue
		}
		r := c.do(http.MethodGet, "/Groups/"+cl.group, "")
		if r.status != http.StatusOK {
			t.Errorf("GET /Groups/%s: %d %s", cl.group, r.status, r.raw)
			continue
		}
		have := map[string]bool{}
		for _, m := range list(r.body, "members") {
			have[str(m, "value")] = true
		}
		for id := range cl.members {
			if !have[id] {
				t.Errorf("group %s: member %s was added with 204 and is missing", cl.group, id)
			}
		}
	}
	r := c.do(http.MethodPost, "/Users", userBody("after-the-kills@example.com"))
	if r.status != http.StatusCreated {
		t.Errorf("POST /Users after the kills: %d %s", r.status, r.raw)
	}
	if !strings.Contains(logs.String(), "level=ERROR") {
		t.Error("no ERROR line was logged for the 503s")
	}
}

// killClient sends the test's requests and checks every answer.
type killClient struct {
	t      *testing.T
	base   string
	http   *http.Client
	strict bool // every request must succeed: the killing has stopped

	mu       sync.Mutex
	statuses map[int]int
}

// killLoad is what one client wrote and had acknowledged.
type killLoad struct {
	users   map[string]*userWrites
	group   string
	members map[string]bool // added with 204
}

// userWrites says which displayNames a user may have at the end: the one
// of the last PATCH answered 200 (or its initial value) and those of
// later PATCHes answered 503, which may or may not have been applied.
type userWrites struct {
	mayBe []string
}

func (c *killClient) run(n int, cl *killLoad, deadline time.Time) {
	for i := 0; time.Now().Before(deadline); i++ {
		if cl.group == "" {
			r := c.do(http.MethodPost, "/Groups", fmt.Sprintf(`{"schemas":[%q],"displayName":"kill group %d"}`, groupURN, n))
			if r.status == http.StatusCreated {
				cl.group = str(r.body, "id")
			}
			continue
		}
		r := c.do(http.MethodPost, "/Users", fmt.Sprintf(`{"schemas":[%q],"userName":"kill-%d-%d@example.com","displayName":"v0"}`, userURN, n, i))
		if r.status != http.StatusCreated {
			continue
		}
		id := str(r.body, "id")
		u := &userWrites{mayBe: []string{"v0"}}
		cl.users[id] = u
		for v := 1; v <= 2; v++ {
			name := "v" + strconv.Itoa(v)
			r = c.do(http.MethodPatch, "/Users/"+id, fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"replace","path":"displayName","value":%q}]}`, patchURN, name))
			switch r.status {
			case http.StatusOK:
				u.mayBe = []string{name}
			default:
				u.mayBe = append(u.mayBe, name)
			}
		}
		c.do(http.MethodGet, "/Users/"+id, "")
		r = c.do(http.MethodPatch, "/Groups/"+cl.group, fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"add","path":"members","value":[{"value":%q}]}]}`, patchURN, id))
		if r.status == http.StatusNoContent {
			cl.members[id] = true
		}
	}
}

// do sends one request and checks that its answer is a success or a 503
// with Retry-After and a SCIM error body (only a success once strict).
func (c *killClient) do(method, path, body string) result {
	t := c.t
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return result{}
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return result{}
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Errorf("%s %s: reading the answer: %v", method, path, err)
	}
	res := result{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(bytes.TrimSpace(raw)) > 0 {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&res.body); err != nil {
			t.Errorf("%s %s: %d with a body that is not JSON: %q", method, path, res.status, raw)
		}
	}
	c.mu.Lock()
	c.statuses[res.status]++
	c.mu.Unlock()
	switch {
	case res.status < 300:
	case res.status == http.StatusServiceUnavailable && !c.strict:
		if got := res.header.Get("Retry-After"); got != "7" {
			t.Errorf("%s %s: 503 with Retry-After %q, want \"7\"", method, path, got)
		}
		if got := list(res.body, "schemas"); len(got) != 1 || got[0] != errorURN || str(res.body, "status") != "503" {
			t.Errorf("%s %s: 503 without a SCIM error body: %s", method, path, res.raw)
		}
	default:
		t.Errorf("%s %s: %s", method, path, res)
	}
	return res
}

// withQuery returns dsn with the query parameter key set to value.
func withQuery(t testing.TB, dsn, key, value string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
