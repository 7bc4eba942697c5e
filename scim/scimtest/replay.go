package scimtest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim/scimcheck"
)

// Options configure a replay.
type Options struct {
	// Token is sent as "Authorization: Bearer <Token>". Empty: no header.
	Token string
	// Prefix is prepended to every path, e.g. "/scim/v2" when h is a mux
	// that mounts the endpoint there. Empty: h serves /Users directly.
	Prefix string
}

// Entra replays Microsoft Entra ID provisioning in its default format:
// Test Connection, user match/create/update/disable/re-enable, the manager
// reference pass (set, change, remove), groups with members added and
// removed, and deletes.
func Entra(t testing.TB, h http.Handler, o Options) {
	t.Helper()
	replay(t, h, o, scimcheck.Entra)
}

// EntraFlagged replays Entra with the aadOptscim062020 flag: lower-case
// ops, real booleans, path-less replaces with dotted and URN keys, and
// members removed by a value filter.
func EntraFlagged(t testing.TB, h http.Handler, o Options) {
	t.Helper()
	replay(t, h, o, scimcheck.EntraFlagged)
}

// Okta replays Okta's SCIM 2.0 client: the paging test connection, match,
// create (with password and an empty groups array), profile updates by
// PUT, deactivation by a path-less PATCH, imports paging through /Users,
// and group push (create, rename with id in the value, member add,
// remove and full replace, delete).
func Okta(t testing.TB, h http.Handler, o Options) {
	t.Helper()
	replay(t, h, o, scimcheck.Okta)
}

// replay runs client's cycle from package scimcheck (the one source of
// what each client sends) straight into h, logs each step and fails t at
// the first failed step, after what the cycle created was deleted.
func replay(t testing.TB, h http.Handler, o Options, client scimcheck.Client) {
	t.Helper()
	cfg := scimcheck.Config{
		URL:        "http://example.com" + o.Prefix,
		Token:      o.Token,
		HTTPClient: &http.Client{Transport: handlerTransport{h}},
		NamePrefix: "scimtest-",
		Progress: func(r scimcheck.Result) {
			if r.Status == "" {
				return
			}
			for _, ex := range r.Exchanges {
				t.Logf("scimtest: %s: %-40s %s %s → %d", client, r.Check, ex.Method, ex.URL, ex.Status)
			}
		},
	}
	rep, err := scimcheck.Replay(context.Background(), cfg, client)
	if err != nil {
		t.Fatalf("scimtest: %s: %v", client, err)
		return
	}
	for _, r := range rep.Results {
		if r.Status == scimcheck.Fail {
			t.Fatalf("scimtest: %s: %s", client, describe(r))
			return
		}
	}
}

// describe is a failed step as a test failure message.
func describe(r scimcheck.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", r.Check, r.Message)
	if r.EntraCode != "" {
		fmt.Fprintf(&b, " (Entra logs %s", r.EntraCode)
		if r.Quarantine {
			b.WriteString(" and quarantines the job")
		}
		b.WriteString(")")
	}
	if n := len(r.Exchanges); n > 0 {
		ex := r.Exchanges[n-1]
		raw := ex.ResponseBody
		if len(raw) > 600 {
			raw = raw[:600] + "…"
		}
		fmt.Fprintf(&b, "\n\t%s %s\n\tresponse %d: %s", ex.Method, ex.URL, ex.Status, raw)
	}
	if r.Fix != "" {
		fmt.Fprintf(&b, "\n\tfix: %s", r.Fix)
	}
	return b.String()
}

// handlerTransport sends requests straight into an http.Handler.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "192.0.2.1:1234"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, in)
	return rec.Result(), nil
}
