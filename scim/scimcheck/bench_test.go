package scimcheck_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scimkit/scimkit/auth/authtest"
	"github.com/scimkit/scimkit/scim/scimcheck"
)

// The floor: one Test Connection request to the same server, the least a
// check can cost. BenchmarkRunReadOnly makes about a dozen requests.
func BenchmarkFloorTestConnection(b *testing.B) {
	srv := httptest.NewServer(newQuickstart(b))
	defer srv.Close()
	client := srv.Client()
	url := srv.URL + "/scim/v2/Users?filter=userName+eq+%22f0e1d2c3-0000-4000-a000-000000000000%22"
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatal(resp.Status)
		}
	}
}

func BenchmarkRunReadOnly(b *testing.B) {
	srv := httptest.NewServer(newQuickstart(b))
	defer srv.Close()
	cfg := scimcheck.Config{URL: srv.URL + "/scim/v2", Token: token, HTTPClient: srv.Client()}
	b.ReportAllocs()
	for b.Loop() {
		rep, err := scimcheck.Run(context.Background(), cfg)
		if err != nil || rep.Failed() {
			b.Fatal(err, failures(rep))
		}
	}
}

func BenchmarkReplayEntra(b *testing.B) {
	srv := httptest.NewServer(newQuickstart(b))
	defer srv.Close()
	cfg := scimcheck.Config{URL: srv.URL + "/scim/v2", Token: token, HTTPClient: srv.Client()}
	b.ReportAllocs()
	for b.Loop() {
		rep, err := scimcheck.Replay(context.Background(), cfg, scimcheck.Entra)
		if err != nil || rep.Failed() {
			b.Fatal(err, failures(rep))
		}
	}
}

func BenchmarkDecodeToken(b *testing.B) {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	tok := iss.Token(authtest.NewTenantID())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := scimcheck.DecodeToken(tok); err != nil {
			b.Fatal(err)
		}
	}
}
