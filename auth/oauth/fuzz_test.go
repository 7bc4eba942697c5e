package oauth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/auth/authtest"
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

// FuzzClientAssertion: any client assertion gets invalid_client or
// invalid_request, never a panic, and a token only for an assertion the
// fake Entra signed (the fuzzer cannot forge RS256).
func FuzzClientAssertion(f *testing.F) {
	fx := newFedFixture(f)
	valid := fx.iss.TokenV2(fx.tenant)
	minted := map[string]bool{valid: true}
	head, rest, _ := strings.Cut(valid, ".")
	payload, _, _ := strings.Cut(rest, ".")
	for _, s := range []string{
		valid, valid[:len(valid)-3], head + "." + payload + ".", "a.b.c", "..", "",
		fx.iss.Token(fx.tenant),
		fx.iss.MintV2(fx.tenant, nil, authtest.Header("alg", "none")),
		fx.iss.MintV2(fx.tenant, nil, authtest.ForgedSignature()),
		strings.Repeat("A", 17<<10),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, assertion string) {
		rep := fx.assert("wif", assertion)
		switch rep.status {
		case http.StatusOK:
			if !minted[assertion] {
				t.Fatalf("a token for an assertion Entra did not sign: %q", assertion)
			}
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusTooManyRequests:
			if _, ok := rep.body["access_token"]; ok {
				t.Fatalf("an error with a token: %s", rep.raw)
			}
		default:
			t.Fatalf("status %d: %s", rep.status, rep.raw)
		}
	})
}
