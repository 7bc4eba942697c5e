package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/authtest"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/scimcheck"
	"github.com/scimkit/scimkit/store/memory"
)

const token = "cmd-t0ken"

// binary is the command, built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "scimcheck-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "scimcheck")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// newQuickstart is what examples/quickstart serves, with a memory store.
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

// serveTLS serves h over TLS and returns the Tenant URL and a -ca file
// trusting its certificate.
func serveTLS(t testing.TB, h http.Handler) (string, string) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL + "/scim/v2", ca
}

// names lists the userNames and group displayNames h holds.
func names(t testing.TB, h http.Handler) []string {
	t.Helper()
	var out []string
	for _, s := range []struct{ path, attr string }{{"/Users", "userName"}, {"/Groups", "displayName"}} {
		req := httptest.NewRequest(http.MethodGet, "/scim/v2"+s.path+"?count=1000", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var lr struct{ Resources []map[string]any }
		if err := json.Unmarshal(rec.Body.Bytes(), &lr); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %v", s.path, rec.Code, err)
		}
		for _, r := range lr.Resources {
			out = append(out, fmt.Sprint(r[s.attr]))
		}
	}
	return out
}

func exitCode(t testing.TB, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	ee, ok := err.(*exec.ExitError)
	if !ok {
		t.Fatalf("running the command: %v", err)
	}
	return ee.ExitCode()
}

// The built command passes the quickstart read-only and with -write,
// leaving nothing behind.
func TestBuiltCommandAgainstQuickstart(t *testing.T) {
	h := newQuickstart(t)
	u, ca := serveTLS(t, h)

	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binary, "-url", u, "-token", token, "-ca", ca)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if code := exitCode(t, cmd.Run()); code != 0 {
		t.Fatalf("read-only: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"PASS  tls ", "PASS  test connection ", "PASS  schema discoverability ", "PASS  401 without a token ", "7 passed, 0 failed, 0 warnings, 0 skipped"} {
		if !strings.Contains(out, want) {
			t.Errorf("read-only output lacks %q:\n%s", want, out)
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr (not a terminal: no progress line): %q", stderr.String())
	}

	stdout.Reset()
	cmd = exec.Command(binary, "-url", u, "-token", token, "-ca", ca, "-write", "-json")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if code := exitCode(t, cmd.Run()); code != 0 {
		t.Fatalf("-write: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	var rep scimcheck.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("-json output: %v\n%s", err, stdout.String())
	}
	if !rep.Write || rep.Count(scimcheck.Pass) != len(rep.Results) || len(rep.Results) < 70 {
		t.Errorf("-write: %d of %d passed", rep.Count(scimcheck.Pass), len(rep.Results))
	}
	if strings.Contains(stdout.String(), token) {
		t.Error("the JSON report holds the token")
	}
	if left := names(t, h); len(left) != 0 {
		t.Errorf("left on the server: %v", left)
	}
}

// A broken endpoint makes the command exit 1 and explain the failure.
func TestBuiltCommandExplainsFailure(t *testing.T) {
	h := newQuickstart(t)
	broken := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("filter") != "" {
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"user not found"}`))
			return
		}
		h.ServeHTTP(w, r)
	})
	u, ca := serveTLS(t, broken)
	var stdout bytes.Buffer
	cmd := exec.Command(binary, "-url", u, "-token", token, "-ca", ca)
	cmd.Stdout = &stdout
	if code := exitCode(t, cmd.Run()); code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, stdout.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"FAIL  test connection",
		"Entra logs: CredentialValidationUnavailable, then SystemForCrossDomainIdentityManagementServiceIncompatible (repeated, the job is quarantined)",
		"fix:        answer a filter that matches nothing with 200",
		"request:    GET /Users?filter=userName+eq+%22",
		`response:   404 {"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"user not found"}`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// SIGINT in the middle of -write stops the run, deletes what it created
// and exits 1.
func TestBuiltCommandInterrupted(t *testing.T) {
	h := newQuickstart(t)
	arrived, sent := make(chan struct{}), make(chan struct{})
	var once sync.Once
	hold := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Users") {
			once.Do(func() {
				close(arrived)
				<-sent // the interrupt arrives while the create is in flight
			})
		}
		h.ServeHTTP(w, r)
	})
	u, ca := serveTLS(t, hold)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binary, "-url", u, "-token", token, "-ca", ca, "-write")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the first create never arrived")
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	// Let the signal land before the answer (signal delivery has no
	// acknowledgement; half a second is ample even on a loaded machine).
	time.Sleep(500 * time.Millisecond)
	close(sent)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the command did not exit after SIGINT")
	}
	if code := exitCode(t, err); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	out := stdout.String()
	if !strings.Contains(out, "interrupted") || !strings.Contains(out, "PASS  cleanup") || strings.Contains(out, "okta:") {
		t.Errorf("output:\n%s%s", out, stderr.String())
	}
	if left := names(t, h); len(left) != 0 {
		t.Errorf("left on the server after SIGINT: %v", left)
	}
	if !strings.Contains(stderr.String(), "interrupted: deleting what this run created") {
		t.Errorf("stderr: %q", stderr.String())
	}
	if !regexp.MustCompile(`PASS  cleanup +deleted [1-9][0-9]* objects? `).MatchString(out) {
		t.Errorf("the user created while the signal arrived was not deleted by the cleanup:\n%s", out)
	}
	t.Logf("output:\n%s", out)
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-url", "https://x/scim", "extra"},
		{"-url", "ftp://x"},
		{"-url", "https://x", "-mapping", filepath.Join(t.TempDir(), "missing")},
		{"-url", "https://x", "-ca", "main.go"},
		{"-nosuchflag"},
		{"token"},
		{"token", "a", "b"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &out, &errb, false); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
		if errb.Len() == 0 {
			t.Errorf("%q: no message on stderr", args)
		}
	}
	bad := filepath.Join(t.TempDir(), "mapping.txt")
	if err := os.WriteFile(bad, []byte("\n# nothing\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	if code := run(context.Background(), []string{"-url", "https://x", "-mapping", bad}, nil, &bytes.Buffer{}, &errb, false); code != exitUsage || !strings.Contains(errb.String(), "no attribute") {
		t.Errorf("empty mapping: exit %d, %q", code, errb.String())
	}
}

// On a terminal a progress line is drawn and erased on stderr; -v prints
// every exchange with the token redacted.
func TestProgressAndVerbose(t *testing.T) {
	u, ca := serveTLS(t, newQuickstart(t))
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-url", u, "-token", token, "-ca", ca, "-v"}, nil, &out, &errb, true); code != exitOK {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	if !strings.Contains(errb.String(), "[1] tls …") || !strings.Contains(errb.String(), "\r\033[K") {
		t.Errorf("progress: %q", errb.String())
	}
	if s := out.String(); !strings.Contains(s, "> Authorization: Bearer <redacted>") || !strings.Contains(s, "< 200 OK") || strings.Contains(s, token) {
		t.Errorf("-v output:\n%s", s)
	}
}

func TestTokenCommand(t *testing.T) {
	iss := authtest.NewIssuer(authtest.Options{})
	defer iss.Close()
	tenant := authtest.NewTenantID()
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  []string
	}{
		{"valid", []string{iss.Token(tenant), "-tenant", tenant, "-authority-host", iss.URL()}, "", exitOK,
			[]string{`"tid": "` + tenant + `"`, "PASS  iss ", "PASS  kid ", "PASS  entra.New      accepts it"}},
		{"from stdin", []string{"-tenant", tenant, "-authority-host", iss.URL(), "-"}, iss.Token(tenant) + "\n", exitOK,
			[]string{"PASS  entra.New"}},
		{"wrong audience", []string{"-tenant", tenant, "-authority-host", iss.URL(), iss.Mint(tenant, authtest.Claims{"aud": "00000003-0000-0000-c000-000000000000"})}, "", exitFailed,
			[]string{"FAIL  aud ", "gallery application", "FAIL  entra.New"}},
		{"tenant not allowed", []string{"-tenant", authtest.NewTenantID(), "-authority-host", iss.URL(), iss.Token(tenant)}, "", exitFailed,
			[]string{"FAIL  tid ", "add it to entra.Config.Tenants"}},
		{"not a JWT", []string{"-offline", "opaque-secret"}, "", exitFailed, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"token"}, tc.args...), strings.NewReader(tc.stdin), &out, &errb, false)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out.String(), errb.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

// -mapping and -attr name attributes that must be in /Schemas.
func TestMappingFlags(t *testing.T) {
	u, ca := serveTLS(t, newQuickstart(t))
	mapping := filepath.Join(t.TempDir(), "mapping.txt")
	if err := os.WriteFile(mapping, []byte("userName\nurn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter\nGroup displayName\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"-url", u, "-token", token, "-ca", ca, "-mapping", mapping}, nil, &out, io.Discard, false); code != exitOK {
		t.Fatalf("attributes scimkit declares: exit %d\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "all 28 mapped attributes are in /Schemas") {
		t.Errorf("output:\n%s", out.String())
	}
	out.Reset()
	args := []string{"-url", u, "-token", token, "-ca", ca, "-mapping", mapping, "-attr", "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:tag", "-group-attr", "description"}
	if code := run(context.Background(), args, nil, &out, io.Discard, false); code != exitFailed {
		t.Fatalf("undeclared attributes: exit %d\n%s", code, out.String())
	}
	for _, want := range []string{"FAIL  schema discoverability", "2 of 30 mapped attributes are not in /Schemas", "CustomExtensionName:2.0:User:tag", "Group description", "Entra logs: SchemaAttributeNotFound"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
