package scimcheck_test

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memory"
)

const token = "check-t0ken"

// newQuickstart builds what examples/quickstart serves: a memory store
// behind a static token, mounted at /scim/v2.
func newQuickstart(t testing.TB) http.Handler {
	t.Helper()
	h, err := scim.NewHandler(scim.Config{
		Store: memory.New(),
		Auth:  auth.StaticTokens(auth.Token{Secret: token, Tenant: "default", Name: "quickstart"}),
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
