package oauth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzTokenEndpoint: any body and content type get an RFC 6749 JSON
// answer, never a panic, and a token only with the right secret.
func FuzzTokenEndpoint(f *testing.F) {
	fx := newFixture(f)
	f.Add("application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=a&client_secret="+secretA)
	f.Add("application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=a&client_secret=wrong")
	f.Add("application/x-www-form-urlencoded", "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b.c")
	f.Add("application/json", `{"grant_type":"client_credentials"}`)
	f.Add("application/x-www-form-urlencoded; charset=utf-8", "grant_type=%zz")
	f.Add("multipart/form-data; boundary=x", "--x\r\n")
	f.Fuzz(func(t *testing.T, ctype, body string) {
		r := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(body))
		r.Header.Set("Content-Type", ctype)
		rep := fx.do(r)
		switch rep.status {
		case http.StatusOK:
			if !strings.Contains(body, secretA) && !strings.Contains(body, secretA2) && !strings.Contains(body, secretB) {
				t.Fatalf("a token without a right secret: %q", body)
			}
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusTooManyRequests:
			if code, _ := rep.body["error"].(string); code == "" {
				t.Fatalf("%d without an error code: %s", rep.status, rep.raw)
			}
		default:
			t.Fatalf("status %d: %s", rep.status, rep.raw)
		}
		if rep.header.Get("Cache-Control") != "no-store" {
			t.Fatal("no Cache-Control: no-store")
		}
	})
}
