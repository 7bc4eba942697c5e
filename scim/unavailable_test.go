package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

// faultyStore is a memory store whose methods fail with fault(op) when it
// returns an error.
type faultyStore struct {
	store.Store
	fault func(op string) error
}

func (s *faultyStore) Create(ctx context.Context, r *store.Resource) (*store.Resource, error) {
	if err := s.fault("Create"); err != nil {
		return nil, err
	}
	return s.Store.Create(ctx, r)
}

func (s *faultyStore) Get(ctx context.Context, typ, id string) (*store.Resource, error) {
	if err := s.fault("Get"); err != nil {
		return nil, err
	}
	return s.Store.Get(ctx, typ, id)
}

func (s *faultyStore) Update(ctx context.Context, typ, id, ifMatch string, fn func(*store.Resource) error) (*store.Resource, error) {
	if err := s.fault("Update"); err != nil {
		return nil, err
	}
	return s.Store.Update(ctx, typ, id, ifMatch, fn)
}

func (s *faultyStore) Delete(ctx context.Context, typ, id, ifMatch string) error {
	if err := s.fault("Delete"); err != nil {
		return err
	}
	return s.Store.Delete(ctx, typ, id, ifMatch)
}

func (s *faultyStore) List(ctx context.Context, typ string, q store.Query) (*store.Page, error) {
	if err := s.fault("List"); err != nil {
		return nil, err
	}
	return s.Store.List(ctx, typ, q)
}

// driverText stands for what a driver says: it must reach the log and
// never the client.
const driverText = `FATAL: terminating connection due to administrator command (SQLSTATE 57P01) host=db.internal user=scim_owner`

// checkUnavailable checks a 503 answer: Retry-After, and a SCIM error
// body without scimType that says to retry and quotes no driver text.
func checkUnavailable(t *testing.T, r result, retryAfter string) {
	t.Helper()
	checkError(t, r, http.StatusServiceUnavailable, "", "database is unavailable", "retry later")
	if got := r.header.Get("Retry-After"); got != retryAfter {
		t.Errorf("Retry-After = %q, want %q", got, retryAfter)
	}
	if _, ok := r.body["scimType"]; ok {
		t.Errorf("a 503 has scimType: %s", r.raw)
	}
	if strings.Contains(r.raw, "SQLSTATE") || strings.Contains(r.raw, "scim_owner") {
		t.Errorf("the 503 leaks the driver's words: %s", r.raw)
	}
}

func TestStoreUnavailableIs503(t *testing.T) {
	var logs syncBuffer
	var fail error
	st := &faultyStore{Store: memory.New(), fault: func(op string) error {
		if fail == nil {
			return nil
		}
		return fmt.Errorf("wrapped by the store: %w", &store.UnavailableError{Op: op, Err: errors.New(driverText), OutcomeUnknown: op != "Get" && op != "List"})
	}}
	h := newHandler(t, func(c *scim.Config) {
		c.Store = st
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	id := createUser(t, h, userBody("ada@example.com"))
	fail = store.ErrUnavailable

	tests := []struct {
		method, path, body string
		op                 string
		outcomeUnknown     bool
	}{
		{http.MethodPost, "/Users", userBody("grace@example.com"), "Create", true},
		{http.MethodGet, "/Users/" + id, "", "Get", false},
		{http.MethodGet, "/Users?filter=" + urlq(`userName eq "ada@example.com"`), "", "List", false},
		{http.MethodPut, "/Users/" + id, userBody("ada@example.com"), "Update", true},
		{http.MethodPatch, "/Users/" + id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Ada"}]}`, "Update", true},
		{http.MethodDelete, "/Users/" + id, "", "Delete", true},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.op, func(t *testing.T) {
			logs.mu.Lock()
			logs.b.Reset()
			logs.mu.Unlock()
			r := do(t, h, tt.method, tt.path, tt.body)
			checkUnavailable(t, r, "30")
			line := logs.String()
			for _, want := range []string{
				"level=ERROR",
				`msg="scim: request failed: the database is unavailable`,
				"status=503",
				"op=" + tt.op,
				fmt.Sprintf("outcome_unknown=%t", tt.outcomeUnknown),
				"SQLSTATE 57P01",
			} {
				if !strings.Contains(line, want) {
					t.Errorf("log %q lacks %q", line, want)
				}
			}
			if got := strings.Contains(line, "the write may or may not have been applied"); got != tt.outcomeUnknown {
				t.Errorf("log %q: says the write may or may not have been applied: %t, want %t", line, got, tt.outcomeUnknown)
			}
			if n := strings.Count(line, "\n"); n != 1 {
				t.Errorf("%d log lines, want 1: %q", n, line)
			}
		})
	}
}

// A Store of someone else's may return the bare sentinel, wrapped.
func TestStoreUnavailableSentinel(t *testing.T) {
	var logs syncBuffer
	st := &faultyStore{Store: memory.New(), fault: func(op string) error {
		return fmt.Errorf("accounts table: %w", store.ErrUnavailable)
	}}
	h := newHandler(t, func(c *scim.Config) {
		c.Store = st
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		c.RetryAfter = 1500 * time.Millisecond
	})
	r := do(t, h, http.MethodGet, "/Users", "")
	checkUnavailable(t, r, "2")
	if line := logs.String(); !strings.Contains(line, "level=ERROR") || !strings.Contains(line, "the database is unavailable") || !strings.Contains(line, "accounts table") {
		t.Errorf("log %q", line)
	}
}

// A write whose manager cannot be looked up answers 503 rather than
// storing the manager without its displayName.
func TestStoreUnavailableManagerLookup(t *testing.T) {
	var failGet bool
	st := &faultyStore{Store: memory.New(), fault: func(op string) error {
		if failGet && op == "Get" {
			return &store.UnavailableError{Op: op, Err: errors.New(driverText)}
		}
		return nil
	}}
	h := newHandler(t, func(c *scim.Config) { c.Store = st })
	boss := createUser(t, h, userBody("boss@example.com"))
	id := createUser(t, h, userBody("ada@example.com"))
	failGet = true
	body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":%q}}]}`, boss)
	checkUnavailable(t, do(t, h, http.MethodPatch, "/Users/"+id, body), "30")
	post := fmt.Sprintf(`{"schemas":[%q,%q],"userName":"grace@example.com",%q:{"manager":{"value":%q}}}`, userURN, enterpriseURN, enterpriseURN, boss)
	checkUnavailable(t, do(t, h, http.MethodPost, "/Users", post), "30")
}

// In a Bulk, an operation the store could not serve is reported with
// status 503 and its error (RFC 7644 §3.7.3), and the others run.
func TestStoreUnavailableInBulk(t *testing.T) {
	var logs syncBuffer
	st := &faultyStore{Store: memory.New(), fault: func(op string) error {
		if op == "Create" {
			return &store.UnavailableError{Op: op, Err: errors.New(driverText), OutcomeUnknown: true}
		}
		return nil
	}}
	h := newHandler(t, func(c *scim.Config) {
		c.Store = st
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	r := do(t, h, http.MethodPost, "/Bulk", bulkBody(0,
		`{"method":"POST","path":"/Users","bulkId":"a","data":{"schemas":["`+userURN+`"],"userName":"a@example.com"}}`,
		`{"method":"DELETE","path":"/Users/nobody"}`))
	ops := bulkOps(t, r)
	if len(ops) != 2 {
		t.Fatalf("%d results, want 2: %s", len(ops), r.raw)
	}
	if ops[0]["status"] != "503" || str(ops[0], "response.status") != "503" || !strings.Contains(str(ops[0], "response.detail"), "retry later") {
		t.Errorf("operation 0: %v, want status 503 with a SCIM error response", ops[0])
	}
	if strings.Contains(r.raw, "SQLSTATE") {
		t.Errorf("the BulkResponse leaks the driver's words: %s", r.raw)
	}
	if ops[1]["status"] != "404" {
		t.Errorf("operation 1: %v, want 404", ops[1])
	}
	line := logs.String()
	if !strings.Contains(line, `msg="scim: bulk operation failed: the database is unavailable; the write may or may not have been applied"`) || !strings.Contains(line, "op=Create") {
		t.Errorf("log %q", line)
	}
}

// TestBulkOperationFailureLineCarriesTheRequestID: a 5xx inside a Bulk
// is logged on a line of its own, with the request id of the Bulk's
// access line and response header.
func TestBulkOperationFailureLineCarriesTheRequestID(t *testing.T) {
	var buf bytes.Buffer
	fs := &faultyStore{Store: memory.New(), fault: func(op string) error {
		if op == "Create" {
			return &store.UnavailableError{Op: "create", Err: errors.New("connection refused")}
		}
		return nil
	}}
	h := newHandler(t, func(c *scim.Config) {
		c.Store = fs
		c.Logger = slog.New(slog.NewJSONHandler(&buf, nil))
	})
	r := do(t, h, http.MethodPost, "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":`+userBody("a@example.com")+`}]}`)
	if r.status != http.StatusOK || str(r.body, "Operations.0.status") != "503" {
		t.Fatalf("Bulk over an unavailable store: %s", r)
	}
	rid := r.header.Get("X-Request-Id")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want the operation's failure and the access line:\n%s", len(lines), buf.String())
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil || m["request_id"] != rid {
			t.Errorf("line without request_id %s: %s", rid, l)
		}
	}
}
