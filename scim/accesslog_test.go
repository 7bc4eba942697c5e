package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
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
