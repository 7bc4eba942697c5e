package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
)

func slogText(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// ridHandler is a service's own slog.Handler: it adds the request id it
// finds in the context to every line, as "rid".
type ridHandler struct{ slog.Handler }

func (h ridHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := store.RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("rid", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h ridHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return ridHandler{h.Handler.WithAttrs(as)}
}

func (h ridHandler) WithGroup(name string) slog.Handler { return ridHandler{h.Handler.WithGroup(name)} }

// jsonLines decodes the lines of a JSON log.
func jsonLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range bytes.Lines(b) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// TestLogCarriesRequestID: with a service's JSON slog handler that adds
// the request id from the context, every line scimkit writes for a
// request carries that request's id (201, 409, Entra's PATCH, 401, a
// panic), there is exactly one line per request, and the error body's
// detail names the same id.
func TestLogCarriesRequestID(t *testing.T) {
	var logs syncBuffer
	cs := &countingStore{Store: memory.New()}
	h := newHandler(t, func(c *scim.Config) {
		c.Store = cs
		c.Logger = slog.New(ridHandler{slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})})
	})
	uid := createUser(t, h, userBody("ada@contoso.com"))
	tests := []struct {
		name               string
		method, path, body string
		headers            []string
		panicking          bool
		level              string
		status             int
	}{
		{"201", "POST", "/Users", userBody("bob@contoso.com"), nil, false, "INFO", 201},
		{"409", "POST", "/Users", userBody("ada@contoso.com"), nil, false, "WARN", 409},
		{"Entra PATCH", "PATCH", "/Users/" + uid, entraDisable, nil, false, "INFO", 200},
		{"401", "GET", "/Users", "", []string{"Authorization", "Bearer wrong"}, false, "WARN", 401},
		{"panic", "GET", "/Users?filter=" + urlq(`userName eq "x"`), "", nil, true, "ERROR", 500},
		{"client's id", "GET", "/Users/nope", "", []string{"X-Request-ID", "entra-7f3c"}, false, "WARN", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs.panicList.Store(tt.panicking)
			defer cs.panicList.Store(false)
			logs.mu.Lock()
			logs.b.Reset()
			logs.mu.Unlock()
			r := do(t, h, tt.method, tt.path, tt.body, tt.headers...)
			wantStatus(t, r, tt.status, tt.name)
			rid := r.header.Get("X-Request-Id")
			lines := jsonLines(t, []byte(logs.String()))
			if len(lines) != 1 {
				t.Fatalf("%d log lines for one request, want 1:\n%s", len(lines), logs.String())
			}
			l := lines[0]
			if l["rid"] != rid || l["request_id"] != rid {
				t.Errorf("line rid %v, request_id %v; response X-Request-Id %q", l["rid"], l["request_id"], rid)
			}
			if l["level"] != tt.level {
				t.Errorf("level %v, want %s", l["level"], tt.level)
			}
			if l["status"] != float64(tt.status) {
				t.Errorf("status %v, want %d", l["status"], tt.status)
			}
			if tt.status >= 400 && !strings.Contains(str(r.body, "detail"), rid) {
				t.Errorf("detail %q lacks the request id %s", str(r.body, "detail"), rid)
			}
			switch tt.name {
			case "Entra PATCH":
				if l["operation"] != "disable" || l["rewrites"] == nil || !strings.Contains(l["rewritten"].(string), "→") {
					t.Errorf("PATCH line lacks the operation or rewrites: %v", l)
				}
			case "401":
				if !strings.Contains(l["reason"].(string), "not one of the configured tokens") || l["entra_code"] != "Unauthorized" {
					t.Errorf("401 line lacks the reason or code: %v", l)
				}
			case "panic":
				if l["panic"] != "panic: store exploded" || !strings.Contains(l["stack"].(string), "countingStore") {
					t.Errorf("panic line lacks the panic or stack: %v", l)
				}
			case "409":
				if l["entra_code"] != "EntryConflict" || l["scim_type"] != "uniqueness" || !strings.Contains(l["detail"].(string), "already exists") {
					t.Errorf("409 line lacks code, scim_type or detail: %v", l)
				}
			case "client's id":
				if rid != "entra-7f3c" {
					t.Errorf("X-Request-Id %q, want the client's", rid)
				}
			}
		})
	}
}

// TestAccessLogSuccessLevel: successes can be logged at DEBUG, failures
// keep their level.
func TestAccessLogSuccessLevel(t *testing.T) {
	var logs syncBuffer
	l := slog.New(slog.NewJSONHandler(&logs, nil)) // INFO and up
	h := newHandler(t, func(c *scim.Config) { c.Observer = scim.NewAccessLog(l, slog.LevelDebug) })
	createUser(t, h, userBody("ada@contoso.com"))
	if logs.String() != "" {
		t.Errorf("a 201 logged at DEBUG reached an INFO logger: %s", logs.String())
	}
	do(t, h, "POST", "/Users", userBody("ada@contoso.com"))
	lines := jsonLines(t, []byte(logs.String()))
	if len(lines) != 1 || lines[0]["level"] != "WARN" || lines[0]["msg"] != "scim: request refused" {
		t.Errorf("409: %s", logs.String())
	}
}

// TestAccessLogLineFields: each line carries what its request has, and
// nothing it has not: the tenant and subject of an authenticated request
// only, the resource type of a resource route only, the results of a
// list only, the rewrites of a rewritten PATCH only, the detail of a
// refusal, the source of a 401 summary only once some were held back.
func TestAccessLogLineFields(t *testing.T) {
	var logs syncBuffer
	h := newHandler(t, func(c *scim.Config) { c.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
	uid := createUser(t, h, userBody("ada@contoso.com"))
	for _, c := range []struct {
		name, method, path, body string
		token                    bool
		has                      map[string]any // field: value ("" any value)
		hasNot                   []string
	}{
		{"match", "GET", "/Users?filter=" + urlq(`userName eq "ada@contoso.com"`), "", true,
			map[string]any{"tenant": "t", "subject": "", "resource": "User", "results": 1.0, "status": 200.0},
			[]string{"rewrites", "detail", "remote"}},
		{"get", "GET", "/Users/" + uid, "", true,
			map[string]any{"tenant": "t", "resource": "User"}, []string{"results", "rewrites", "detail"}},
		{"discovery", "GET", "/ServiceProviderConfig", "", true,
			map[string]any{"tenant": "t"}, []string{"resource", "results"}},
		{"Entra's PATCH", "PATCH", "/Users/" + uid, entraDisable, true,
			map[string]any{"rewrites": 2.0, "rewritten": ""}, []string{"detail", "results"}},
		{"a plain PATCH", "PATCH", "/Users/" + uid, `{"schemas":["` + patchURN + `"],"Operations":[{"op":"replace","path":"title","value":"x"}]}`, true,
			nil, []string{"rewrites", "rewritten"}},
		{"conflict", "POST", "/Users", userBody("ada@contoso.com"), true,
			map[string]any{"status": 409.0, "detail": "", "scim_type": "uniqueness", "entra_code": ""}, []string{"remote", "panic"}},
		{"401", "GET", "/Users", "", false,
			map[string]any{"status": 401.0, "remote": "", "reason": ""}, []string{"tenant", "subject", "source", "held_back", "results"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			logs.mu.Lock()
			logs.b.Reset()
			logs.mu.Unlock()
			var headers []string
			if !c.token {
				headers = []string{"Authorization", "Bearer wrong"}
			}
			r := do(t, h, c.method, c.path, c.body, headers...)
			lines := jsonLines(t, []byte(logs.String()))
			if len(lines) != 1 {
				t.Fatalf("%d lines for one request (%d), want 1: %s", len(lines), r.status, logs.String())
			}
			line := lines[0]
			for k, want := range c.has {
				got, ok := line[k]
				if !ok || want != "" && got != want {
					t.Errorf("%s = %v (present %v), want %v\nline: %v", k, got, ok, want, line)
				}
			}
			for _, k := range c.hasNot {
				if v, ok := line[k]; ok {
					t.Errorf("%s = %v, want no such field\nline: %v", k, v, line)
				}
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	for _, c := range []struct {
		e    scim.Error
		want string
	}{
		{scim.Error{Status: 404, Detail: "resource not found"}, "scim: 404: resource not found"},
		{scim.Error{Status: 400, ScimType: scim.InvalidFilter, Detail: "filter: bad"}, "scim: 400 invalidFilter: filter: bad"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
}

// TestUnknownMembersDetail: a group write naming members that do not
// exist says which, the first ten, each cut to 64 bytes, and how many
// more.
func TestUnknownMembersDetail(t *testing.T) {
	h := newHandler(t)
	gid := createGroup(t, h, `{"schemas":["`+groupURN+`"],"displayName":"Staff"}`)
	ids := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("missing-%02d", i))
		}
		return out
	}
	add := func(ids []string) result {
		var vs []string
		for _, id := range ids {
			vs = append(vs, `{"value":"`+id+`"}`)
		}
		return do(t, h, "PATCH", "/Groups/"+gid, `{"schemas":["`+patchURN+`"],"Operations":[{"op":"add","path":"members","value":[`+strings.Join(vs, ",")+`]}]}`)
	}
	quoted := func(ids []string) string {
		var q []string
		for _, id := range ids {
			q = append(q, strconv.Quote(id))
		}
		return "members: no user or group with id " + strings.Join(q, ", ")
	}
	long := strings.Repeat("x", 70)
	for _, c := range []struct {
		name string
		ids  []string
		want string
	}{
		{"one", ids(1), quoted(ids(1))},
		{"ten", ids(10), quoted(ids(10))},
		{"eleven", ids(11), quoted(ids(10)) + " and 1 more"},
		{"a long id", []string{long}, quoted([]string{long[:64] + "…"})},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := add(c.ids)
			checkError(t, r, 400, "invalidValue")
			if d := str(r.body, "detail"); !strings.HasPrefix(d, c.want+" (request id") {
				t.Errorf("detail %q\nwant %q (request id …)", d, c.want)
			}
		})
	}
}
