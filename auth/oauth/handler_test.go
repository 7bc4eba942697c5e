package oauth_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/oauth"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memory"
)

func newHandler(t testing.TB, a auth.Authenticator) http.Handler {
	t.Helper()
	h, err := scim.NewHandler(scim.Config{Store: memory.New(), Auth: a, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func serve(h http.Handler, r *http.Request) (int, map[string]any) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	var body map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	return rec.Code, body
}

// TestIssuedTokenAtHandler: a token from the endpoint provisions through
// the SCIM Handler, in its client's tenant only.
func TestIssuedTokenAtHandler(t *testing.T) {
	f := newFixture(t)
	h := newHandler(t, f.srv.Authenticator())
	tokA, tokB := f.token(t, "a", secretA), f.token(t, "b", secretB)

	code, body := serve(h, bearer(http.MethodPost, "/Users", tokA, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com","active":true}`))
	if code != http.StatusCreated {
		t.Fatalf("POST /Users with an issued token: %d %v", code, body)
	}
	id, _ := body["id"].(string)
	if code, _ := serve(h, bearer(http.MethodGet, "/Users/"+id, tokA, "")); code != http.StatusOK {
		t.Errorf("GET own user: %d, want 200", code)
	}
	// Another tenant's client does not see it.
	if code, _ := serve(h, bearer(http.MethodGet, "/Users/"+id, tokB, "")); code != http.StatusNotFound {
		t.Errorf("GET of tenant-a's user with tenant-b's token: %d, want 404", code)
	}
	if code, body := serve(h, bearer(http.MethodGet, "/Users", tokB, "")); code != http.StatusOK || body["totalResults"] != float64(0) {
		t.Errorf("tenant-b's list: %d totalResults %v, want 200 and 0", code, body["totalResults"])
	}
	p, err := f.srv.Authenticator().Validate(context.Background(), tokA)
	if err != nil || p != (auth.Principal{Tenant: "tenant-a", Subject: "a", Method: oauth.MethodClientCredentials}) {
		t.Errorf("principal %+v, %v", p, err)
	}
}

// tamper changes one claim of token without re-signing it.
func tamper(t *testing.T, token, claim string, value any) string {
	parts := strings.Split(token, ".")
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	c[claim] = value
	b, _ = json.Marshal(c)
	parts[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}

// TestIssuedTokenAttacks: every forged, expired or foreign token is
// refused by the Handler with 401, and the Authenticator says why.
func TestIssuedTokenAttacks(t *testing.T) {
	f := newFixture(t)
	h := newHandler(t, f.srv.Authenticator())
	good := f.token(t, "a", secretA)

	// The same service after a key rotation that removed k1 entirely.
	k2 := oauth.Key{ID: "k2", Secret: bytes.Repeat([]byte{2}, 32)}
	rotated := newFixture(t, func(c *oauth.Config) { c.SigningKey = k2 })
	// Another service with a key of the same id: another secret, or even
	// the same secret but its own issuer.
	otherKey := newFixture(t, func(c *oauth.Config) { c.SigningKey = oauth.Key{ID: "k1", Secret: bytes.Repeat([]byte{9}, 32)} })
	otherIss := newFixture(t, func(c *oauth.Config) { c.Issuer = issuerURL2 })

	// Issued 2 hours before the fixture's clock, by the same service:
	// past its 1-hour lifetime.
	expiredSrc := newFixture(t, func(c *oauth.Config) { c.Clients = f.clients })
	expiredSrc.clock.Add(-2 * time.Hour)
	expired := expiredSrc.token(t, "a", secretA)

	parts := strings.Split(good, ".")
	for _, c := range []struct {
		name  string
		token string
		want  error
	}{
		{"tampered tenant", tamper(t, good, "tenant", "tenant-b"), auth.ErrBadSignature},
		{"tampered expiry", tamper(t, good, "exp", start.Add(100*time.Hour).Unix()), auth.ErrBadSignature},
		{"signature of another token", parts[0] + "." + parts[1] + "." + strings.Split(f.token(t, "b", secretB), ".")[2], auth.ErrBadSignature},
		{"truncated signature", good[:len(good)-4], auth.ErrBadSignature},
		{"alg none", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt","kid":"k1"}`)) + "." + parts[1] + ".", auth.ErrUnsupportedAlgorithm},
		{"expired", expired, auth.ErrTokenExpired},
		{"signed by a retired key", rotated.token(t, "a", secretA), auth.ErrUnknownSigningKey},
		{"another service, same key id", otherKey.token(t, "a", secretA), auth.ErrBadSignature},
		{"another service, same key, other issuer", otherIss.token(t, "a", secretA), auth.ErrWrongIssuer},
		{"not a JWT", "opaque-token", auth.ErrMalformedToken},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.srv.Authenticator().Validate(context.Background(), c.token)
			if !errors.Is(err, c.want) {
				t.Errorf("err = %v, want %v", err, c.want)
			}
			if code, _ := serve(h, bearer(http.MethodGet, "/Users", c.token, "")); code != http.StatusUnauthorized {
				t.Errorf("Handler: %d, want 401", code)
			}
		})
	}

	// A retired key still configured as a verifying key is accepted.
	overlap := newFixture(t, func(c *oauth.Config) { c.SigningKey = k2; c.VerifyingKeys = []oauth.Key{f.key}; c.Clients = f.clients })
	if _, err := overlap.srv.Authenticator().Validate(context.Background(), good); err != nil {
		t.Errorf("token of a verifying key: %v", err)
	}
	// A token seen before expires too.
	if code, _ := serve(h, bearer(http.MethodGet, "/Users", good, "")); code != http.StatusOK {
		t.Fatalf("good token: %d", code)
	}
	f.clock.Add(time.Hour)
	if _, err := f.srv.Authenticator().Validate(context.Background(), good); !errors.Is(err, auth.ErrTokenExpired) {
		t.Errorf("cached token at its exp: err = %v, want ErrTokenExpired", err)
	}
}

// TestDisableRevokes: disabling a client refuses its tokens already
// issued at once, even cached ones, and enabling it again accepts them.
func TestDisableRevokes(t *testing.T) {
	f := newFixture(t)
	a := f.srv.Authenticator()
	tok := f.token(t, "a", secretA)
	if _, err := a.Validate(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	if err := f.clients.SetDisabled("a", true); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Validate(context.Background(), tok); !errors.Is(err, oauth.ErrClientRevoked) {
		t.Errorf("token of a disabled client: err = %v, want ErrClientRevoked", err)
	}
	if rep := f.do(tokenRequest(form("grant_type", "client_credentials"), "a", secretA)); rep.status != 401 {
		t.Errorf("disabled client gets a token: %d", rep.status)
	}
	_ = f.clients.SetDisabled("a", false)
	if _, err := a.Validate(context.Background(), tok); err != nil {
		t.Errorf("token of a re-enabled client: %v", err)
	}
	// Expiry of the secret ends its tokens too.
	f.clock.Add(2*365*24*time.Hour + time.Hour)
	if _, err := a.Validate(context.Background(), f.token(t, "a", secretA2)); err != nil {
		t.Errorf("token of the unexpired secret: %v", err)
	}
}
