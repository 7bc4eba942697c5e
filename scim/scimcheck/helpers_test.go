package scimcheck_test

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/scimcheck"
	"github.com/scimkit/scimkit/store/memory"
)

const token = "check-t0ken"

// newQuickstart builds what examples/quickstart serves: a memory store
// behind a static token, mounted at /scim/v2.
func newQuickstart(t testing.TB) http.Handler {
	t.Helper()
	h, err := scim.NewHandler(scim.Config{
		Store:  memory.New(),
		Auth:   auth.StaticTokens(auth.Token{Secret: token, Tenant: "default", Name: "quickstart"}),
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	return mux
}

// serveTLS serves h over TLS with httptest's certificate and returns the
// Tenant URL and a pool trusting the certificate.
func serveTLS(t testing.TB, h http.Handler) (string, *x509.CertPool) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv.URL + "/scim/v2", pool
}

// rewrite serves h into a recorder, lets edit change the answer, and
// sends it on: a broken endpoint that breaks one thing of a real one.
func rewrite(h http.Handler, edit func(r *http.Request, rec *httptest.ResponseRecorder)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		edit(r, rec)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// editJSON decodes the recorded body, lets f change it and encodes it back.
func editJSON(t testing.TB, rec *httptest.ResponseRecorder, f func(map[string]any)) {
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		return
	}
	f(m)
	data, err := json.Marshal(m)
	if err != nil {
		t.Errorf("encoding: %v", err)
		return
	}
	rec.Body.Reset()
	rec.Body.Write(data)
}

// listNames returns the userNames and group displayNames on the server.
func listNames(t testing.TB, base string, client *http.Client) []string {
	t.Helper()
	var names []string
	for _, s := range []struct{ path, attr string }{{"/Users", "userName"}, {"/Groups", "displayName"}} {
		req, _ := http.NewRequest(http.MethodGet, base+s.path+"?count=1000", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var lr struct {
			Resources []map[string]any
		}
		err = json.NewDecoder(resp.Body).Decode(&lr)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v", s.path, resp.StatusCode, err)
		}
		for _, r := range lr.Resources {
			names = append(names, fmt.Sprint(r[s.attr]))
		}
	}
	return names
}

// result returns the result of check (client "" for a read-only one).
func result(t testing.TB, rep *scimcheck.Report, client, check string) scimcheck.Result {
	t.Helper()
	for _, r := range rep.Results {
		if r.Client == client && r.Check == check {
			return r
		}
	}
	var got []string
	for _, r := range rep.Results {
		got = append(got, string(r.Status)+" "+r.Client+": "+r.Check)
	}
	t.Fatalf("no result for %s: %s; got:\n%s", client, check, strings.Join(got, "\n"))
	return scimcheck.Result{}
}

// failures lists the results that did not pass, for a test message.
func failures(rep *scimcheck.Report) string {
	var b strings.Builder
	for _, r := range rep.Results {
		if r.Status != scimcheck.Pass {
			fmt.Fprintf(&b, "\n%s %s: %s: %s [%s] fix: %s", r.Status, r.Client, r.Check, r.Message, r.EntraCode, r.Fix)
			if n := len(r.Exchanges); n > 0 {
				ex := r.Exchanges[n-1]
				fmt.Fprintf(&b, "\n\t%s %s → %d %.300s", ex.Method, ex.URL, ex.Status, ex.ResponseBody)
			}
		}
	}
	return b.String()
}

func ioCopy(dst *strings.Builder, r *http.Request) (int64, error) { return io.Copy(dst, r.Body) }

func ioNopCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }
