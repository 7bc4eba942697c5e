package scimcheck_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimkit/scimkit/internal/entracode"
	"github.com/scimkit/scimkit/scim/scimcheck"
)

// The quickstart passes every check, read-only and with -write, over TLS
// with a trusted certificate, and -write leaves nothing behind.
func TestQuickstartPassesEverything(t *testing.T) {
	for _, write := range []bool{false, true} {
		t.Run(map[bool]string{false: "read-only", true: "write"}[write], func(t *testing.T) {
			h := newQuickstart(t)
			u, pool := serveTLS(t, h)
			rep, err := scimcheck.Run(context.Background(), scimcheck.Config{URL: u, Token: token, RootCAs: pool, Write: write})
			if err != nil {
				t.Fatal(err)
			}
			if n := rep.Count(scimcheck.Pass); n != len(rep.Results) || rep.Failed() {
				t.Fatalf("%d of %d checks passed:%s", n, len(rep.Results), failures(rep))
			}
			wantChecks := []string{"tls", "reachability", "test connection", "discovery", "schema discoverability", "401 without a token", "excludedAttributes=members"}
			for _, c := range wantChecks {
				result(t, rep, "", c)
			}
			if write {
				for _, c := range []string{"entra", "entra(aadOptscim062020)", "okta"} {
					result(t, rep, c, "delete group")
				}
				result(t, rep, "entra", "set manager (bare id)")
				result(t, rep, "entra", "change manager")
				result(t, rep, "entra", "disable user")
				result(t, rep, "", "cleanup")
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			if names := listNames(t, srv.URL+"/scim/v2", srv.Client()); len(names) != 0 {
				t.Errorf("left on the server: %v", names)
			}
		})
	}
}

// Each broken endpoint fails the check that finds it, with Entra's code.
func TestBrokenEndpoints(t *testing.T) {
	cases := []struct {
		name          string
		write         bool
		attrs         []scimcheck.Attribute
		broken        func(t *testing.T, h http.Handler) http.Handler
		client, check string
		code          string
		quarantine    bool
		inMessage     string
	}{
		{
			name: "filter 404 on no match",
			broken: func(t *testing.T, h http.Handler) http.Handler {
				return rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
					if r.URL.Query().Get("filter") != "" && strings.Contains(rec.Body.String(), `"totalResults":0`) {
						rec.Code = http.StatusNotFound
						rec.Body.Reset()
						rec.Body.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"no such user"}`)
					}
				})
			},
			check: "test connection", code: entracode.ServiceIncompatible, quarantine: true, inMessage: "answered 404",
		},
		{
			name:  "manager returned as a string",
			write: true,
			broken: func(t *testing.T, h http.Handler) http.Handler {
				return rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
					editJSON(t, rec, func(m map[string]any) {
						if ext, ok := m["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any); ok {
							if mgr, ok := ext["manager"].(map[string]any); ok {
								ext["manager"] = mgr["value"]
							}
						}
					})
				})
			},
			client: "entra", check: "set manager (bare id)", code: entracode.ServiceIncompatible, inMessage: "want an object",
		},
		{
			name:  "members despite excludedAttributes",
			write: true,
			broken: func(t *testing.T, h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					q := r.URL.Query()
					q.Del("excludedAttributes")
					r.URL.RawQuery = q.Encode()
					h.ServeHTTP(w, r)
				})
			},
			client: "entra", check: "read group without members", code: entracode.MultipleEntries, inMessage: "returned members",
		},
		{
			name:  `PATCH "Add" refused`,
			write: true,
			broken: func(t *testing.T, h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodPatch {
						var body struct{ Operations []struct{ Op string } }
						data := new(strings.Builder)
						_, _ = ioCopy(data, r)
						_ = json.Unmarshal([]byte(data.String()), &body)
						for _, op := range body.Operations {
							if op.Op == "Add" {
								w.Header().Set("Content-Type", "application/scim+json")
								w.WriteHeader(http.StatusBadRequest)
								_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidSyntax","detail":"unknown op Add"}`))
								return
							}
						}
						r.Body = ioNopCloser(data.String())
					}
					h.ServeHTTP(w, r)
				})
			},
			client: "entra", check: "add to empty address", code: entracode.ServiceIncompatible, inMessage: "status 400",
		},
		{
			name: "mapped attribute missing from /Schemas",
			broken: func(t *testing.T, h http.Handler) http.Handler {
				return rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
					if !strings.HasSuffix(r.URL.Path, "/Schemas") {
						return
					}
					editJSON(t, rec, func(m map[string]any) {
						for _, s := range m["Resources"].([]any) {
							sm := s.(map[string]any)
							var keep []any
							for _, a := range sm["attributes"].([]any) {
								if a.(map[string]any)["name"] != "title" {
									keep = append(keep, a)
								}
							}
							sm["attributes"] = keep
						}
					})
				})
			},
			check: "schema discoverability", code: entracode.SchemaAttributeNotFound, inMessage: "User title",
		},
		{
			name:  "custom extension attribute named with -attr not in /Schemas",
			attrs: []scimcheck.Attribute{{Resource: "User", Name: "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:tag"}},
			broken: func(t *testing.T, h http.Handler) http.Handler {
				return h
			},
			check: "schema discoverability", code: entracode.SchemaAttributeNotFound, inMessage: "CustomExtensionName:2.0:User:tag",
		},
		{
			name: "401 without WWW-Authenticate",
			broken: func(t *testing.T, h http.Handler) http.Handler {
				return rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
					rec.Header().Del("WWW-Authenticate")
				})
			},
			check: "401 without a token", code: entracode.Unauthorized, quarantine: true, inMessage: "no WWW-Authenticate",
		},
		{
			name:  "match finds more than one",
			write: true,
			broken: func(t *testing.T, h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					q := r.URL.Query()
					if f := q.Get("filter"); strings.Contains(f, "userName eq") && strings.Contains(f, "@") {
						q.Del("filter") // ignores every match on a userName (not Test Connection's GUID)
						r.URL.RawQuery = q.Encode()
					}
					h.ServeHTTP(w, r)
				})
			},
			client: "entra", check: "match disabled user", code: entracode.DuplicateTargets, inMessage: "(totalResults 3)",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newQuickstart(t)
			u, pool := serveTLS(t, tc.broken(t, h))
			rep, err := scimcheck.Run(context.Background(), scimcheck.Config{
				URL: u, Token: token, RootCAs: pool, Write: tc.write, Attributes: tc.attrs,
				Clients: []scimcheck.Client{scimcheck.Entra},
			})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Failed() {
				t.Fatal("the report did not fail")
			}
			r := result(t, rep, tc.client, tc.check)
			if r.Status != scimcheck.Fail || !strings.Contains(r.EntraCode, tc.code) || r.Fix == "" || !strings.Contains(r.Message, tc.inMessage) {
				t.Errorf("%s: %s %q, Entra code %q, fix %q; want FAIL with %s and %q in the message", tc.check, r.Status, r.Message, r.EntraCode, r.Fix, tc.code, tc.inMessage)
			}
			if r.Quarantine != tc.quarantine {
				t.Errorf("quarantine = %v, want %v", r.Quarantine, tc.quarantine)
			}
			if len(r.Exchanges) == 0 && tc.check != "schema discoverability" {
				t.Error("the failure carries no exchange")
			}
			if tc.write {
				if rest := result(t, rep, tc.client, "rest of the cycle"); rest.Status != scimcheck.Skip {
					t.Errorf("rest of the cycle: %s, want SKIP", rest.Status)
				}
				srv := httptest.NewServer(h)
				defer srv.Close()
				if names := listNames(t, srv.URL+"/scim/v2", srv.Client()); len(names) != 0 {
					t.Errorf("a failed cycle left %v on the server", names)
				}
			}
		})
	}
}

// A group listed with members despite excludedAttributes=members fails
// the read-only check as well.
func TestExcludedMembersReadOnly(t *testing.T) {
	h := newQuickstart(t)
	srv := httptest.NewServer(h)
	defer srv.Close()
	post := func(path, body string) string {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/scim/v2"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var created struct{ ID string }
		if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST %s: %d %v", path, resp.StatusCode, err)
		}
		return created.ID
	}
	uid := post("/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@example.com"}`)
	post("/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Sales","members":[{"value":"`+uid+`"}]}`)
	for _, broken := range []bool{false, true} {
		var hh http.Handler = h
		if broken {
			hh = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				q.Del("excludedAttributes")
				r.URL.RawQuery = q.Encode()
				h.ServeHTTP(w, r)
			})
		}
		u, pool := serveTLS(t, hh)
		rep, err := scimcheck.Run(context.Background(), scimcheck.Config{URL: u, Token: token, RootCAs: pool})
		if err != nil {
			t.Fatal(err)
		}
		r := result(t, rep, "", "excludedAttributes=members")
		want := scimcheck.Pass
		if broken {
			want = scimcheck.Fail
		}
		if r.Status != want || broken && r.EntraCode != entracode.MultipleEntries {
			t.Errorf("broken=%v: %s %s [%s], want %s", broken, r.Status, r.Message, r.EntraCode, want)
		}
	}
}

func TestTLS(t *testing.T) {
	ca := newCA(t)
	now := time.Now()
	day := 24 * time.Hour
	cases := []struct {
		name    string
		url     func(h http.Handler) string
		pool    bool
		want    scimcheck.Status
		message string
	}{
		{"self-signed (httptest)", func(h http.Handler) string {
			srv := httptest.NewTLSServer(h)
			t.Cleanup(srv.Close)
			return srv.URL + "/scim/v2"
		}, false, scimcheck.Fail, "self-signed"},
		{"expired", func(h http.Handler) string {
			return serveWithCert(t, h, ca.leaf(t, now.Add(-400*day), now.Add(-2*day)))
		}, true, scimcheck.Fail, "expired on"},
		{"not yet valid", func(h http.Handler) string {
			return serveWithCert(t, h, ca.leaf(t, now.Add(2*day), now.Add(400*day)))
		}, true, scimcheck.Fail, "not valid before"},
		{"untrusted CA", func(h http.Handler) string {
			return serveWithCert(t, h, ca.leaf(t, now.Add(-day), now.Add(400*day)))
		}, false, scimcheck.Fail, "not trusted"},
		{"expires in 10 days", func(h http.Handler) string {
			return serveWithCert(t, h, ca.leaf(t, now.Add(-day), now.Add(10*day)))
		}, true, scimcheck.Warn, "expires in"},
		{"valid", func(h http.Handler) string {
			return serveWithCert(t, h, ca.leaf(t, now.Add(-day), now.Add(400*day)))
		}, true, scimcheck.Pass, "TLS 1.3"},
		{"hostname mismatch", func(h http.Handler) string {
			return strings.Replace(serveWithCert(t, h, ca.leaf(t, now.Add(-day), now.Add(400*day))), "127.0.0.1", "localhost", 1)
		}, true, scimcheck.Fail, "not valid for localhost"},
		{"incomplete chain", func(h http.Handler) string {
			inter := ca.intermediate(t)
			key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			return serveWithCert(t, h, inter.issue(t, now.Add(-day), now.Add(400*day), key, &key.PublicKey, nil, serveAIA(t, inter.cert)))
		}, true, scimcheck.Fail, "chain is incomplete"},
		{"intermediate missing, no AIA", func(h http.Handler) string {
			inter := ca.intermediate(t)
			key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			return serveWithCert(t, h, inter.issue(t, now.Add(-day), now.Add(400*day), key, &key.PublicKey, nil, ""))
		}, true, scimcheck.Fail, "not trusted"},
		{"complete chain", func(h http.Handler) string {
			inter := ca.intermediate(t)
			key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			return serveWithCert(t, h, inter.issue(t, now.Add(-day), now.Add(400*day), key, &key.PublicKey, []*x509.Certificate{inter.cert}, serveAIA(t, inter.cert)))
		}, true, scimcheck.Pass, "issued by scimcheck test intermediate"},
		{"RSA-1024 key", func(h http.Handler) string {
			key, err := rsa.GenerateKey(rand.Reader, 1024)
			if err != nil {
				t.Skip("RSA-1024 keys cannot be generated here:", err)
			}
			return serveWithCert(t, h, ca.issue(t, now.Add(-day), now.Add(400*day), key, &key.PublicKey, nil, ""))
		}, true, scimcheck.Fail, "1024 bits"},
		{"TLS 1.1 only", func(h http.Handler) string {
			return serveWithTLS(t, h, &tls.Config{Certificates: []tls.Certificate{ca.leaf(t, now.Add(-day), now.Add(400*day))},
				MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
		}, true, scimcheck.Fail, "TLS 1.1 only"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := scimcheck.Config{URL: tc.url(newQuickstart(t)), Token: token}
			if tc.pool {
				cfg.RootCAs = ca.pool()
			}
			rep, err := scimcheck.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			r := result(t, rep, "", "tls")
			if r.Status != tc.want || !strings.Contains(r.Message, tc.message) {
				t.Fatalf("tls: %s %q, want %s with %q", r.Status, r.Message, tc.want, tc.message)
			}
			if tc.want == scimcheck.Fail {
				if r.EntraCode != entracode.CredentialValidationUnavailable || r.Fix == "" || !rep.Failed() {
					t.Errorf("Entra code %q, fix %q, failed %v", r.EntraCode, r.Fix, rep.Failed())
				}
				if len(rep.Results) != 1 {
					t.Errorf("%d results after a TLS failure, want only the TLS check (nothing else can connect)", len(rep.Results))
				}
			} else if rep.Failed() {
				t.Errorf("failed:%s", failures(rep))
			}
		})
	}
}

// Cancelling the context mid-cycle stops the run and still deletes
// everything it created.
func TestInterruptedRunCleansUp(t *testing.T) {
	h := newQuickstart(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var posts atomic.Int32
	cut := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if r.Method == http.MethodPost && posts.Add(1) == 4 {
			cancel() // after the fourth create (a user, its duplicate, the manager, a group)
		}
	})
	u, pool := serveTLS(t, cut)
	rep, err := scimcheck.Run(ctx, scimcheck.Config{URL: u, Token: token, RootCAs: pool, Write: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted {
		t.Error("Interrupted not set")
	}
	if r := result(t, rep, "", "cleanup"); r.Status != scimcheck.Pass {
		t.Errorf("cleanup: %s %s", r.Status, r.Message)
	}
	if len(rep.Leftovers) != 0 {
		t.Errorf("leftovers %v", rep.Leftovers)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	if names := listNames(t, srv.URL+"/scim/v2", srv.Client()); len(names) != 0 {
		t.Errorf("left on the server: %v", names)
	}
	if posts.Load() < 4 {
		t.Fatalf("only %d creates: the cut never happened", posts.Load())
	}
}

// An object whose create answer was lost (so its id is unknown) is still
// found by its prefix and deleted.
func TestCleanupSweepsByPrefix(t *testing.T) {
	h := newQuickstart(t)
	var lost atomic.Bool
	loseOne := rewrite(h, func(r *http.Request, rec *httptest.ResponseRecorder) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Groups") && lost.CompareAndSwap(false, true) {
			rec.Code = http.StatusBadGateway
			rec.Body.Reset()
		}
	})
	u, pool := serveTLS(t, loseOne)
	rep, err := scimcheck.Run(context.Background(), scimcheck.Config{URL: u, Token: token, RootCAs: pool, Write: true, Clients: []scimcheck.Client{scimcheck.Okta}})
	if err != nil {
		t.Fatal(err)
	}
	if r := result(t, rep, "okta", "push group"); r.Status != scimcheck.Fail || r.EntraCode != entracode.InternalServerError {
		t.Errorf("push group: %s [%s], want FAIL InternalServerError", r.Status, r.EntraCode)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	if names := listNames(t, srv.URL+"/scim/v2", srv.Client()); len(names) != 0 {
		t.Errorf("left on the server: %v", names)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, u := range []string{"", "ftp://x/scim", "://", "https://"} {
		if _, err := scimcheck.Run(context.Background(), scimcheck.Config{URL: u}); err == nil {
			t.Errorf("URL %q: no error", u)
		}
	}
	if _, err := scimcheck.Replay(context.Background(), scimcheck.Config{URL: "https://x"}, "salesforce"); err == nil {
		t.Error("unknown client: no error")
	}
}

// An endpoint nothing answers on fails reachability with Test
// Connection's code, and no cycle is attempted.
func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(newQuickstart(t))
	u := srv.URL + "/scim/v2"
	srv.Close()
	rep, err := scimcheck.Run(context.Background(), scimcheck.Config{URL: u, Token: token, Write: true})
	if err != nil {
		t.Fatal(err)
	}
	r := result(t, rep, "", "reachability")
	if r.Status != scimcheck.Fail || r.EntraCode != entracode.CredentialValidationUnavailable || !strings.Contains(r.Message, "no answer") {
		t.Errorf("reachability: %s %q [%s]", r.Status, r.Message, r.EntraCode)
	}
	if c := result(t, rep, "", "provisioning cycles"); c.Status != scimcheck.Skip {
		t.Errorf("cycles: %s", c.Status)
	}
	for _, r := range rep.Results {
		if r.Client != "" {
			t.Errorf("a cycle ran against an unreachable endpoint: %s: %s", r.Client, r.Check)
		}
	}
}
