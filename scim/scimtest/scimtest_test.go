package scimtest_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/scimtest"
	"github.com/scimkit/scimkit/store/memory"
)

func newHandler(t *testing.T) http.Handler {
	t.Helper()
	h, err := scim.NewHandler(scim.Config{
		Store: memory.New(),
		Auth:  auth.StaticTokens(auth.Token{Secret: "t0ken", Tenant: "acme"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	return mux
}

func TestReplaysAgainstMemoryStore(t *testing.T) {
	opts := scimtest.Options{Token: "t0ken", Prefix: "/scim/v2"}
	t.Run("Entra", func(t *testing.T) { scimtest.Entra(t, newHandler(t), opts) })
	t.Run("EntraFlagged", func(t *testing.T) { scimtest.EntraFlagged(t, newHandler(t), opts) })
	t.Run("Okta", func(t *testing.T) { scimtest.Okta(t, newHandler(t), opts) })
	t.Run("SameHandler", func(t *testing.T) {
		h := newHandler(t)
		scimtest.Entra(t, h, opts)
		scimtest.EntraFlagged(t, h, opts)
		scimtest.Okta(t, h, opts)
	})
}

// A broken endpoint must fail the replay: one that answers 404 to a filter
// with no match, as Entra's quarantine reports describe.
func TestReplayFailsOnBrokenEndpoint(t *testing.T) {
	h := newHandler(t)
	broken := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("filter") != "" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		h.ServeHTTP(w, r)
	})
	ft := &fakeT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { _ = recover() }()
		scimtest.Entra(ft, broken, scimtest.Options{Token: "t0ken", Prefix: "/scim/v2"})
	}()
	<-done
	if !ft.failed {
		t.Fatal("Entra replay passed against an endpoint that answers 404 to filters")
	}
}

// fakeT records a failure instead of failing the real test.
type fakeT struct {
	testing.TB
	failed bool
	msg    string   // the Fatalf message
	logs   []string // the Logf lines
}

func (f *fakeT) Helper()                      {}
func (f *fakeT) Logf(format string, a ...any) { f.logs = append(f.logs, fmt.Sprintf(format, a...)) }
func (f *fakeT) Fatalf(format string, a ...any) {
	f.failed, f.msg = true, fmt.Sprintf(format, a...)
	panic("fatal")
}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
