package scimcheck_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth/authtest"
	"github.com/scimkit/scimkit/internal/entracode"
	"github.com/scimkit/scimkit/scim/scimcheck"
)

// firstFail returns the first failed result whose message contains frag.
func firstFail(rep *scimcheck.Report, frag string) (scimcheck.Result, bool) {
	for _, r := range rep.Results {
		if r.Status == scimcheck.Fail && strings.Contains(r.Message, frag) {
			return r, true
		}
	}
	return scimcheck.Result{}, false
}

func runAgainst(t *testing.T, h http.Handler, cfg scimcheck.Config) *scimcheck.Report {
	t.Helper()
	u, pool := serveTLS(t, h)
	cfg.URL, cfg.Token, cfg.RootCAs = u, token, pool
	rep, err := scimcheck.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// Answers a write cycle must refuse: each fails a step with the message,
// Entra code and quarantine flag Entra would log.
func TestCycleAnswerChecks(t *testing.T) {
	cases := []struct {
		name       string
		client     scimcheck.Client
		broken     func(h http.Handler) http.Handler
		inMessage  string
		code       string
		quarantine bool
		inFix      string
	}{
		{
			name: "200 GET as text/plain",
			broken: func(h http.Handler) http.Handler {
				return rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
					if r.Method == http.MethodGet && rec.Code == http.StatusOK && strings.Contains(r.URL.Path, "/Users/") {
						rec.Header().Set("Content-Type", "text/plain")
					}
				})
			},
			inMessage: `Content-Type "text/plain"`, code: entracode.ServiceIncompatible,
		},
		{
			name: "201 POST that is not JSON",
			broken: func(h http.Handler) http.Handler {
				return rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
					if r.Method == http.MethodPost && rec.Code == http.StatusCreated {
						rec.Body.Reset()
						rec.Body.WriteString("created")
					}
				})
			},
			inMessage: "the 201 answer is not a JSON object", code: entracode.ServiceIncompatible,
		},
		{
			name: "PATCH fails with 500",
			broken: func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodPatch {
						w.Header().Set("Content-Type", "application/scim+json")
						w.WriteHeader(http.StatusInternalServerError)
						_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500"}`))
						return
					}
					h.ServeHTTP(w, r)
				})
			},
			inMessage: "500", code: entracode.InternalServerError, quarantine: true,
		},
		{
			name: "connection dropped on PATCH",
			broken: func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodPatch {
						conn, _, err := w.(http.Hijacker).Hijack()
						if err == nil {
							conn.Close()
						}
						return
					}
					h.ServeHTTP(w, r)
				})
			},
			inMessage: "no answer", code: entracode.ProtocolError,
		},
		{
			name: "match finds nothing",
			broken: func(h http.Handler) http.Handler {
				return rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
					if f := r.URL.Query().Get("filter"); strings.Contains(f, "userName eq") && strings.Contains(f, "@") {
						rec.Body.Reset()
						rec.Body.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)
					}
				})
			},
			inMessage: "(totalResults 0)", code: entracode.ServiceIncompatible,
		},
		{
			name: "match finds one, totalResults says one, but the wrong user",
			broken: func(h http.Handler) http.Handler {
				return rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
					if f := r.URL.Query().Get("filter"); strings.Contains(f, "userName eq") && strings.Contains(f, "@") {
						rec.Body.Reset()
						rec.Body.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":1,"itemsPerPage":1,"Resources":[{"id":"someone-else","userName":"x"}]}`)
					}
				})
			},
			inMessage: "(totalResults 1)", code: entracode.ServiceIncompatible,
		},
		{
			name:   "import page without the user",
			client: scimcheck.Okta,
			broken: func(h http.Handler) http.Handler {
				return rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
					if q := r.URL.Query(); r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/Users") && q.Get("filter") == "" && q.Get("count") == "100" {
						rec.Body.Reset()
						rec.Body.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)
					}
				})
			},
			inMessage: "the import page does not list the user", code: "", inFix: "RFC 7644",
		},
		{
			// 100 users in all: the first page of 100 must hold the user.
			name:   "import page of exactly 100 without the user",
			client: scimcheck.Okta,
			broken: func(h http.Handler) http.Handler {
				return rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
					if q := r.URL.Query(); r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/Users") && q.Get("filter") == "" && q.Get("count") == "100" {
						rec.Body.Reset()
						rec.Body.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":100,"startIndex":1,"itemsPerPage":1,"Resources":[{"id":"someone-else"}]}`)
					}
				})
			},
			inMessage: "the import page does not list the user", code: "", inFix: "RFC 7644",
		},
		{
			name:   "deactivation silently ignored",
			client: scimcheck.Okta,
			broken: func(h http.Handler) http.Handler {
				return rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
					if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/Users/") {
						editJSON(t, rec, func(m map[string]any) { m["active"] = true })
					}
				})
			},
			inMessage: "after deactivation", code: "", inFix: "did not apply the change",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			client := tc.client
			if client == "" {
				client = scimcheck.Entra
			}
			rep := runAgainst(t, tc.broken(newQuickstart(t)), scimcheck.Config{Write: true, Clients: []scimcheck.Client{client}})
			r, ok := firstFail(rep, tc.inMessage)
			if !ok {
				t.Fatalf("no failure with %q in its message:%s", tc.inMessage, failures(rep))
			}
			if r.Client != string(client) || r.EntraCode != tc.code || r.Quarantine != tc.quarantine || r.Fix == "" || !strings.Contains(r.Fix, tc.inFix) {
				t.Errorf("%s: %s: %q [%q] quarantine %v fix %q; want client %s, code %q, quarantine %v, %q in the fix",
					r.Client, r.Check, r.Message, r.EntraCode, r.Quarantine, r.Fix, client, tc.code, tc.quarantine, tc.inFix)
			}
		})
	}
}

// A list whose Resources is not an array fails the read-only checks.
func TestResourcesNotAnArray(t *testing.T) {
	rep := runAgainst(t, rewrite(newQuickstart(t), func(r *http.Request, rec *httptest.ResponseRecorder) {
		if r.URL.Query().Get("filter") != "" {
			editJSON(t, rec, func(m map[string]any) { m["Resources"] = map[string]any{} })
		}
	}), scimcheck.Config{})
	if _, ok := firstFail(rep, "Resources must be an array"); !ok {
		t.Errorf("no failure says Resources must be an array:%s", failures(rep))
	}
}

// The read-only checks' messages state what they checked.
func TestReadOnlyMessages(t *testing.T) {
	rep := runAgainst(t, newQuickstart(t), scimcheck.Config{})
	if r := result(t, rep, "", "excludedAttributes=members"); r.Status != scimcheck.Pass || !strings.Contains(r.Message, "totalResults 0 (no group exists") {
		t.Errorf("excludedAttributes=members with no group: %s %q", r.Status, r.Message)
	}
	want := fmt.Sprintf("all %d mapped attributes are in /Schemas", len(scimcheck.DefaultAttributes()))
	if r := result(t, rep, "", "schema discoverability"); r.Message != want {
		t.Errorf("schema discoverability: %q, want %q", r.Message, want)
	}
	// The token never appears in an exchange; the unauthenticated probe
	// carries no Authorization header at all.
	for _, r := range rep.Results {
		for _, ex := range r.Exchanges {
			got := ex.RequestHeader.Get("Authorization")
			switch {
			case r.Check == "401 without a token" && got != "":
				t.Errorf("%s: sent Authorization %q", r.Check, got)
			case r.Check != "401 without a token" && got != "Bearer <redacted>":
				t.Errorf("%s: %s %s: Authorization %q, want it redacted", r.Check, ex.Method, ex.URL, got)
			}
		}
	}
}

// A 5xx to the group list quarantines, as Entra does.
func TestExcludedMembers5xxQuarantines(t *testing.T) {
	rep := runAgainst(t, rewrite(newQuickstart(t), func(r *http.Request, rec *httptest.ResponseRecorder) {
		// The group list (not the filter probe, which is Test Connection's
		// and quarantines whatever the status).
		if q := r.URL.Query(); q.Get("excludedAttributes") != "" && q.Get("filter") == "" {
			rec.Code = http.StatusServiceUnavailable
		}
	}), scimcheck.Config{})
	if r := result(t, rep, "", "excludedAttributes=members"); r.Status != scimcheck.Fail || !r.Quarantine {
		t.Errorf("excludedAttributes=members: %s %q quarantine %v, want FAIL, quarantined", r.Status, r.Message, r.Quarantine)
	}
}

var deletedRE = regexp.MustCompile(`^deleted (\d+) (objects?) left`)

// Cleanup deletes what the run created even when the endpoint answers no
// sw filter (so only ids it tracked are known), counts what it deleted,
// and names the prefix.
func TestCleanupReports(t *testing.T) {
	noSW := func(r *http.Request, rec *httptest.ResponseRecorder) {
		if strings.Contains(r.URL.Query().Get("filter"), " sw ") {
			rec.Code = http.StatusBadRequest
			rec.Body.Reset()
			rec.Body.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter"}`)
		}
	}
	cases := []struct {
		name   string
		prefix string
		edit   func(r *http.Request, rec *httptest.ResponseRecorder)
		how    string
		// minDeletes: how many objects cleanup deletes at least (with
		// sw filters, those the cycles left behind).
		minDeletes int
	}{
		{"no sw filter", "", noSW, "checked one by one", 1},
		{"no sw filter, POST answers 200", "", func(r *http.Request, rec *httptest.ResponseRecorder) {
			noSW(r, rec)
			if r.Method == http.MethodPost && rec.Code == http.StatusCreated {
				rec.Code = http.StatusOK
			}
		}, "checked one by one", 1},
		{"DELETE answers 200", "zz-check-", func(r *http.Request, rec *httptest.ResponseRecorder) {
			if r.Method == http.MethodDelete && rec.Code == http.StatusNoContent {
				rec.Code = http.StatusOK
				rec.Body.Reset()
			}
		}, "checked by listing", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newQuickstart(t)
			rep := runAgainst(t, rewrite(h, tc.edit), scimcheck.Config{Write: true, NamePrefix: tc.prefix,
				Clients: []scimcheck.Client{scimcheck.Entra, scimcheck.Okta}})
			r := result(t, rep, "", "cleanup")
			if r.Status != scimcheck.Pass || !strings.Contains(r.Message, tc.how) {
				t.Errorf("cleanup: %s %q, want PASS %q", r.Status, r.Message, tc.how)
			}
			prefix := tc.prefix
			if prefix == "" {
				prefix = "scimcheck-"
			}
			if !strings.Contains(r.Message, `"`+prefix) {
				t.Errorf("cleanup: %q does not name the prefix %q", r.Message, prefix)
			}
			deletes := 0
			for _, ex := range r.Exchanges {
				if ex.Method == http.MethodDelete && (ex.Status == http.StatusNoContent || ex.Status == http.StatusOK) {
					deletes++
				}
			}
			m := deletedRE.FindStringSubmatch(r.Message)
			if m == nil {
				t.Fatalf("cleanup: %q", r.Message)
			}
			n, _ := strconv.Atoi(m[1])
			if n != deletes || deletes < tc.minDeletes || (m[2] == "object") != (n == 1) {
				t.Errorf("cleanup: %q; it sent %d successful DELETEs", r.Message, deletes)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			if names := listNames(t, srv.URL+"/scim/v2", srv.Client()); len(names) != 0 {
				t.Errorf("left on the server: %v", names)
			}
			for _, res := range rep.Results {
				for _, ex := range res.Exchanges {
					if ex.Method == http.MethodPost && !strings.Contains(ex.RequestBody, `"`+prefix) {
						t.Errorf("%s: POST %s names nothing with the prefix %q: %.200s", res.Check, ex.URL, prefix, ex.RequestBody)
					}
				}
			}
		})
	}
}

// Schema discoverability reports the path it looked for, value filters
// dropped, in the schema the name's URN gives.
func TestSchemaPaths(t *testing.T) {
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	const custom = "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User"
	rep := runAgainst(t, newQuickstart(t), scimcheck.Config{Attributes: []scimcheck.Attribute{
		{Resource: "User", Name: `emails[type eq "work"].nosuch`},
		{Resource: "User", Name: ent + ":nosuch"},
		{Resource: "User", Name: custom + ":tag"},
		{Resource: "User", Name: `phoneNumbers].nosuch`}, // an unbalanced ] drops nothing
	}})
	r := result(t, rep, "", "schema discoverability")
	for _, want := range []string{
		`(emails.nosuch in urn:ietf:params:scim:schemas:core:2.0:User)`,
		"(nosuch in " + ent + ")",
		"(tag in " + custom + ")",
		"(phonenumbers.nosuch in urn:ietf:params:scim:schemas:core:2.0:User)",
		"4 of ",
	} {
		if !strings.Contains(r.Message, want) {
			t.Errorf("schema discoverability: %q, want %q in it", r.Message, want)
		}
	}
}

func TestParseMappingLineNumber(t *testing.T) {
	_, err := scimcheck.ParseMapping([]byte("userName\nUser a\x00b\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2:") {
		t.Errorf("ParseMapping: %v, want an error on line 2", err)
	}
}

// A certificate expiring within 30 days warns with the days left.
func TestTLSExpiryDays(t *testing.T) {
	ca := newCA(t)
	now := time.Now()
	u := serveWithCert(t, newQuickstart(t), ca.leaf(t, now.Add(-time.Hour), now.Add(10*24*time.Hour+12*time.Hour)))
	rep, err := scimcheck.Run(context.Background(), scimcheck.Config{URL: u, Token: token, RootCAs: ca.pool()})
	if err != nil {
		t.Fatal(err)
	}
	r := result(t, rep, "", "tls")
	for _, want := range []string{"expires in 10 days", "(10 days)", "certificate for 127.0.0.1 issued by"} {
		if r.Status != scimcheck.Warn || !strings.Contains(r.Message, want) {
			t.Errorf("tls: %s %q, want WARN with %q", r.Status, r.Message, want)
		}
	}
}

func TestDecodeTokenBounds(t *testing.T) {
	// Exactly the maximum size is not refused for its size.
	seg := strings.Repeat("A", (16<<10-2)/3)
	raw := seg + "." + seg + "." + seg
	raw += strings.Repeat("A", 16<<10-len(raw))
	if len(raw) != 16<<10 {
		t.Fatalf("len %d", len(raw))
	}
	if _, err := scimcheck.DecodeToken(raw); err != nil && strings.Contains(err.Error(), "more than") {
		t.Errorf("a token of exactly 16 KiB: %v", err)
	}
	if _, err := scimcheck.DecodeToken(raw + "A"); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("a token over 16 KiB: %v", err)
	}
}

func TestExplainTokenEdges(t *testing.T) {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	tenant := authtest.NewTenantID()
	cfg := scimcheck.TokenConfig{Tenants: []string{tenant}, AuthorityHost: iss.URL(), HTTPClient: iss.Client()}
	explain := func(raw string) map[string]scimcheck.Result {
		rep, err := scimcheck.ExplainToken(context.Background(), raw, cfg)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]scimcheck.Result{}
		for _, r := range rep.Results {
			got[r.Check] = r
		}
		return got
	}
	if r := explain("Bearer " + iss.Token(tenant))["entra.New"]; r.Status != scimcheck.Pass {
		t.Errorf(`"Bearer <token>": entra.New %s %q, want PASS`, r.Status, r.Message)
	}
	// exp at the ends of the range read as dates: 0 is 1970, 1e11 is 5138.
	if r := explain(iss.Mint(tenant, authtest.Claims{"exp": 0}))["exp"]; !strings.Contains(r.Message, "1970-01-01") {
		t.Errorf("exp 0: %s %q, want it expired in 1970", r.Status, r.Message)
	}
	if r := explain(iss.Mint(tenant, authtest.Claims{"exp": 1e11}))["exp"]; r.Status != scimcheck.Pass || !strings.Contains(r.Message, "5138") {
		t.Errorf("exp 1e11: %s %q, want it valid until 5138", r.Status, r.Message)
	}
}

// The certificate's name in the TLS message is its DNS names, else its
// first IP address, else its common name.
func TestTLSLeafName(t *testing.T) {
	ca := newCA(t)
	now := time.Now()
	for _, tc := range []struct {
		name string
		ips  []net.IP
		want string
	}{
		{"IP address and common name", []net.IP{net.ParseIP("127.0.0.1")}, "certificate for 127.0.0.1 issued by"},
		{"common name only", nil, ""}, // fails verification; must not crash
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			tmpl := &x509.Certificate{
				SerialNumber: big.NewInt(time.Now().UnixNano()),
				Subject:      pkix.Name{CommonName: "scim.test"},
				IPAddresses:  tc.ips,
				NotBefore:    now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
				KeyUsage:    x509.KeyUsageDigitalSignature,
				ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
			if err != nil {
				t.Fatal(err)
			}
			u := serveWithCert(t, newQuickstart(t), tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key})
			rep, err := scimcheck.Run(context.Background(), scimcheck.Config{URL: u, Token: token, RootCAs: ca.pool()})
			if err != nil {
				t.Fatal(err)
			}
			r := result(t, rep, "", "tls")
			if tc.want == "" {
				if r.Status != scimcheck.Fail {
					t.Errorf("tls: %s %q, want FAIL", r.Status, r.Message)
				}
				return
			}
			if r.Status != scimcheck.Pass || !strings.Contains(r.Message, tc.want) {
				t.Errorf("tls: %s %q, want PASS with %q", r.Status, r.Message, tc.want)
			}
		})
	}
}

// ExplainToken fetches the keys with the client it is given.
func TestExplainTokenUsesItsClient(t *testing.T) {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	tenant := authtest.NewTenantID()
	var used atomic.Int32
	base := iss.Client()
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used.Add(1)
		return base.Transport.RoundTrip(r)
	})}
	if base.Transport == nil {
		client.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
			used.Add(1)
			return http.DefaultTransport.RoundTrip(r)
		})
	}
	cfg := scimcheck.TokenConfig{Tenants: []string{tenant}, AuthorityHost: iss.URL(), HTTPClient: client}
	if _, err := scimcheck.ExplainToken(context.Background(), iss.Token(tenant), cfg); err != nil {
		t.Fatal(err)
	}
	if used.Load() == 0 {
		t.Error("ExplainToken did not use TokenConfig.HTTPClient")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// An attribute named with a schema id /Schemas declares is looked up in
// that schema, even when the id is not a URN (the longest declared id
// that prefixes the name wins).
func TestSchemaPathDeclaredNonURN(t *testing.T) {
	h := rewrite(newQuickstart(t), func(r *http.Request, rec *httptest.ResponseRecorder) {
		if !strings.HasSuffix(r.URL.Path, "/Schemas") {
			return
		}
		editJSON(t, rec, func(m map[string]any) {
			res, _ := m["Resources"].([]any)
			for _, id := range []string{"acme", "acme:User"} {
				res = append(res, map[string]any{"id": id, "attributes": []any{map[string]any{"name": "tag", "type": "string"}}})
			}
			m["Resources"] = res
		})
	})
	rep := runAgainst(t, h, scimcheck.Config{Attributes: []scimcheck.Attribute{{Resource: "User", Name: "acme:User:tag"}}})
	if r := result(t, rep, "", "schema discoverability"); r.Status != scimcheck.Pass {
		t.Errorf("schema discoverability: %s %q, want PASS", r.Status, r.Message)
	}
}
