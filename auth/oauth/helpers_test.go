package oauth_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth/authtest"
	"github.com/scimkit/scimkit/auth/oauth"
)

// start is the fake time every test begins at.
var start = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)

func newClock() *authtest.Clock { return authtest.NewClock(start) }

// testCost is the PBKDF2 iteration count of the tests' secrets: a real
// hash, cheaper than DefaultIterations so that tests stay fast.
const testCost = oauth.MinIterations

func hash(t testing.TB, secret string) string {
	t.Helper()
	h, err := oauth.HashSecretCost(secret, testCost)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Secrets of the fixture's clients.
const (
	secretA    = "secret-of-client-a-0123456789"
	secretA2   = "new-secret-of-client-a-987654"
	secretB    = "secret-of-client-b-0123456789"
	secretOld  = "expired-secret-of-c-012345678"
	secretOff  = "secret-of-disabled-client-0123"
	issuerURL  = "https://scim.example.com"
	issuerURL2 = "https://other-service.example.com"
)

// fixture is a token endpoint with clients a (tenant-a, two secrets), b
// (tenant-b), c (tenant-c, an expired secret) and off (disabled).
type fixture struct {
	clock   *authtest.Clock
	clients *oauth.Clients
	key     oauth.Key
	srv     *oauth.Server
	log     *syncBuffer
	cfg     oauth.Config
	hashes  map[string]string // secret → its hash in clients
}

func newFixture(t testing.TB, edit ...func(*oauth.Config)) *fixture {
	t.Helper()
	clock := newClock()
	hashes := map[string]string{}
	hash := func(t testing.TB, secret string) string {
		hashes[secret] = hash(t, secret)
		return hashes[secret]
	}
	clients, err := oauth.NewClients(
		oauth.Client{ID: "a", Tenant: "tenant-a", Secrets: []oauth.Secret{
			{Hash: hash(t, secretA), Expires: start.AddDate(2, 0, 0)},
			{Hash: hash(t, secretA2), Expires: start.AddDate(3, 0, 0)},
		}},
		oauth.Client{ID: "b", Tenant: "tenant-b", Secrets: []oauth.Secret{{Hash: hash(t, secretB)}}},
		oauth.Client{ID: "c", Tenant: "tenant-c", Secrets: []oauth.Secret{{Hash: hash(t, secretOld), Expires: start.Add(-time.Hour)}}},
		oauth.Client{ID: "off", Tenant: "tenant-off", Disabled: true, Secrets: []oauth.Secret{{Hash: hash(t, secretOff)}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{clock: clock, clients: clients, key: oauth.Key{ID: "k1", Secret: bytes.Repeat([]byte{1}, 32)}, log: &syncBuffer{}, hashes: hashes}
	f.cfg = oauth.Config{
		Clients:    clients,
		Issuer:     issuerURL,
		SigningKey: f.key,
		Clock:      clock.Now,
		Logger:     slog.New(slog.NewTextHandler(f.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, e := range edit {
		e(&f.cfg)
	}
	f.srv, err = oauth.NewServer(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// reply is a token endpoint response.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// tokenRequest builds a POST of form, with HTTP Basic credentials when
// user is not empty.
func tokenRequest(form url.Values, user, pass string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(user)+":"+url.QueryEscape(pass))))
	}
	return r
}

func (f *fixture) do(r *http.Request) reply {
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, r)
	rep := reply{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	_ = json.Unmarshal(rec.Body.Bytes(), &rep.body)
	return rep
}

// token gets a token with client_secret_post, failing the test otherwise.
func (f *fixture) token(t testing.TB, id, secret string) string {
	t.Helper()
	rep := f.do(tokenRequest(url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}, "", ""))
	tok, _ := rep.body["access_token"].(string)
	if rep.status != http.StatusOK || tok == "" {
		t.Fatalf("token for %s: %d %s", id, rep.status, rep.raw)
	}
	return tok
}

func bearer(method, path, token, body string) *http.Request {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		r.Header.Set("Content-Type", "application/scim+json")
	}
	return r
}
