package oauth

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/internal/reject"
)

// Defaults and bounds of Config.
const (
	DefaultLifetime     = time.Hour
	MinLifetime         = time.Hour     // Microsoft's gallery requirement: 60 minutes …
	MaxLifetime         = 6 * time.Hour // … to six hours
	DefaultMaxBodyBytes = 16 << 10

	// AssertionType is the client_assertion_type of RFC 7523.
	AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// AssertionVerifier checks a client assertion (an Entra v2 token, for
// workload identity federation): its signature, issuer and times. An
// *entra.Authenticator built with entra.Config{Version: entra.V2, …} is
// one; this package does not import it, so a service that only uses
// client secrets links no JWT library.
type AssertionVerifier interface {
	VerifyAssertion(ctx context.Context, assertion string) (Assertion, error)
}

// Assertion is what a verified client assertion says; the Server matches
// it against the clients' Federation.
type Assertion struct {
	Tenant   string   // tid: the Entra tenant that issued it
	Subject  string   // sub: the workload identity (Federation.Subject)
	Audience []string // aud (Federation.Audience must be one)
	ID       string   // jti (else Entra's uti): each is accepted once
	Expiry   time.Time
}

// Config configures NewServer. Clients, Issuer and SigningKey are
// required; every other field has a useful zero value.
type Config struct {
	// Clients are the clients allowed to get tokens.
	Clients *Clients

	// Issuer is the iss of the access tokens: this service's URL, e.g.
	// https://scim.example.com. Tokens of another issuer are refused,
	// even when signed with a key of the same id.
	Issuer string

	// Audience is the aud of the access tokens. Empty: Issuer.
	Audience string

	// SigningKey signs new tokens; VerifyingKeys are retired keys whose
	// tokens are still accepted (until they expire, at most MaxLifetime).
	// To rotate: add the new key as a verifying key on every replica,
	// then make it the signing key and the old one a verifying key, then,
	// a lifetime later, remove the old one.
	SigningKey    Key
	VerifyingKeys []Key

	// Lifetime of the access tokens, within [MinLifetime, MaxLifetime].
	// Zero: DefaultLifetime (1 hour).
	Lifetime time.Duration

	// Assertions verifies client assertions (workload identity
	// federation). Nil: client assertions are refused.
	Assertions AssertionVerifier

	// ClockSkew is tolerated on the access tokens' iat. Zero: 5 minutes.
	// Assertions are remembered for replay detection until their exp plus
	// ClockSkew.
	ClockSkew time.Duration

	// MaxBodyBytes bounds a token request's body. Zero:
	// DefaultMaxBodyBytes (16 KiB; an Entra assertion is about 2 KiB).
	MaxBodyBytes int64

	// ClientLimit limits failed authentications per client id (of a
	// client that exists). Zero: Burst 10, then one per 30 seconds.
	// AddrLimit limits them per source address. Zero: Burst 20, then one
	// per 15 seconds. At most MaxTrackedAddrs addresses are tracked
	// (zero: 10,000).
	ClientLimit     RateLimit
	AddrLimit       RateLimit
	MaxTrackedAddrs int

	// ClientAddr returns the source address of a request for the rate
	// limit and the log. Nil: the host of r.RemoteAddr. Behind a proxy,
	// return the address it forwards (only if the proxy sets it).
	ClientAddr func(r *http.Request) string

	// MaxCachedTokens bounds the Authenticator's cache of verified access
	// tokens. Zero: 4,096; negative: no cache.
	MaxCachedTokens int

	// MaxAssertionIDs bounds the ids of unexpired assertions remembered
	// for replay detection. Zero: 10,000.
	MaxAssertionIDs int

	// Clock returns the current time. Nil: time.Now.
	Clock func() time.Time

	// Logger receives failed client authentications (Warn, with the
	// reason) and issued tokens (Info). Nil: slog.Default().
	Logger *slog.Logger
}

// Server is an OAuth 2.0 token endpoint (an http.Handler, mounted
// wherever the service likes, e.g. POST /oauth/token) and the issuer of
// the access tokens its Authenticator accepts. It is safe for concurrent
// use.
type Server struct {
	clients    *Clients
	issuer     string
	audience   string
	signer     *signer
	lifetime   time.Duration
	assertions AssertionVerifier
	skew       time.Duration
	maxBody    int64
	byClient   *limiter
	byAddr     *limiter
	clientAddr func(*http.Request) string
	replay     *replayCache
	clock      func() time.Time
	log        *slog.Logger
	authn      *Authenticator
}

// NewServer checks cfg and returns a Server.
func NewServer(cfg Config) (*Server, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("oauth: Config: "+format, args...)) }
	if cfg.Clients == nil {
		bad("Clients is required")
	}
	if u, err := url.Parse(cfg.Issuer); cfg.Issuer == "" || err != nil || u.Scheme == "" || u.Host == "" {
		bad("Issuer must be this service's URL (e.g. https://scim.example.com), got %q", cfg.Issuer)
	}
	lifetime := cmp.Or(cfg.Lifetime, DefaultLifetime)
	if lifetime < MinLifetime || lifetime > MaxLifetime {
		bad("Lifetime %s is outside Microsoft's window [%s, %s]", lifetime, MinLifetime, MaxLifetime)
	}
	if cfg.ClockSkew < 0 || cfg.MaxBodyBytes < 0 || cfg.MaxTrackedAddrs < 0 || cfg.MaxAssertionIDs < 0 {
		bad("negative ClockSkew, MaxBodyBytes, MaxTrackedAddrs or MaxAssertionIDs")
	}
	sg, err := newSigner(cfg.SigningKey, cfg.VerifyingKeys)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s := &Server{
		clients:    cfg.Clients,
		issuer:     cfg.Issuer,
		audience:   cmp.Or(cfg.Audience, cfg.Issuer),
		signer:     sg,
		lifetime:   lifetime,
		assertions: cfg.Assertions,
		skew:       cmp.Or(cfg.ClockSkew, 5*time.Minute),
		maxBody:    cmp.Or(cfg.MaxBodyBytes, DefaultMaxBodyBytes),
		byClient:   newLimiter(cfg.ClientLimit, 10, 30*time.Second, 100_000),
		byAddr:     newLimiter(cfg.AddrLimit, 20, 15*time.Second, cmp.Or(cfg.MaxTrackedAddrs, 10_000)),
		clientAddr: cfg.ClientAddr,
		replay:     newReplayCache(cmp.Or(cfg.MaxAssertionIDs, 10_000)),
		clock:      cfg.Clock,
		log:        cfg.Logger,
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.clientAddr == nil {
		s.clientAddr = remoteHost
	}
	s.authn = newAuthenticator(s, cfg.MaxCachedTokens)
	return s, nil
}

func remoteHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// tokenResponse is RFC 6749 §5.1's.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// ServeHTTP is the token endpoint: a POST with a form-encoded body,
// grant_type=client_credentials, and the client authenticated by HTTP
// Basic (client_secret_basic), by client_id and client_secret in the body
// (client_secret_post), or by client_assertion_type and client_assertion
// (RFC 7523, an Entra v2 token). It answers RFC 6749 §5.1 and §5.2
// responses with Cache-Control: no-store.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok, expiresIn, err := s.serve(r)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{Code: CodeInvalidRequest, Status: http.StatusBadRequest, Description: err.Error()}
		}
		writeError(w, r, e)
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: expiresIn})
}

// form is a token request's parameters, each at most once.
type form map[string]string

// parseForm parses a form-encoded body. A parameter given twice is an
// error (RFC 6749 §3.2), as is an invalid encoding.
func parseForm(body string) (form, error) {
	f := form{}
	for body != "" {
		var pair string
		pair, body, _ = strings.Cut(body, "&")
		if pair == "" {
			continue
		}
		if strings.Contains(pair, ";") {
			return nil, errors.New("the body has a semicolon outside a value escape: not form encoding")
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("the body is not valid form encoding: %v", err)
		}
		v, err = url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("parameter %s is not valid form encoding", reject.Quote(k))
		}
		if _, dup := f[k]; dup {
			return nil, fmt.Errorf("parameter %s is given more than once", reject.Quote(k))
		}
		f[k] = v
	}
	return f, nil
}

// credentialParams must not be sent in the URL.
var credentialParams = []string{"client_secret", "client_assertion", "client_assertion_type", "access_token"}

func (s *Server) serve(r *http.Request) (string, int64, error) {
	if r.Method != http.MethodPost {
		return "", 0, &Error{Code: CodeInvalidRequest, Description: "the token endpoint accepts POST only", Status: http.StatusMethodNotAllowed}
	}
	if r.URL != nil && r.URL.RawQuery != "" {
		q, _ := url.ParseQuery(r.URL.RawQuery)
		for _, p := range credentialParams {
			if q.Has(p) {
				return "", 0, invalidRequest("credentials in the URL are refused: send " + p + " in the form-encoded body")
			}
		}
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return "", 0, invalidRequest("the body must be application/x-www-form-urlencoded")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.maxBody+1))
	if err != nil {
		return "", 0, invalidRequest("the body could not be read")
	}
	if int64(len(body)) > s.maxBody {
		return "", 0, invalidRequest(fmt.Sprintf("the body is larger than %d bytes", s.maxBody))
	}
	f, err := parseForm(string(body))
	if err != nil {
		return "", 0, invalidRequest(err.Error())
	}
	switch gt, ok := f["grant_type"]; {
	case !ok || gt == "":
		return "", 0, invalidRequest("grant_type is missing")
	case gt != "client_credentials":
		return "", 0, &Error{Code: CodeUnsupportedGrantType, Description: "only grant_type=client_credentials is supported", Status: http.StatusBadRequest}
	}

	basicID, basicSecret, basic, err := basicAuth(r)
	if err != nil {
		return "", 0, &Error{Code: CodeInvalidClient, Description: err.Error(), Status: http.StatusUnauthorized, Err: ErrWrongSecret}
	}
	_, post := f["client_secret"]
	_, at := f["client_assertion_type"]
	_, as := f["client_assertion"]
	assertion := at || as
	n := 0
	for _, b := range []bool{basic, post, assertion} {
		if b {
			n++
		}
	}
	switch {
	case n > 1:
		return "", 0, invalidRequest("more than one client authentication method (HTTP Basic, client_secret, client_assertion)")
	case n == 0:
		return "", 0, &Error{Code: CodeInvalidClient, Description: "no client authentication: use HTTP Basic, client_id and client_secret, or a client assertion", Status: http.StatusUnauthorized}
	}

	now := s.clock()
	addr := s.clientAddr(r)
	akey := addrKey(addr)
	if ok, wait := s.byAddr.allowed(akey, now); !ok {
		return "", 0, s.throttled(r, "address", addr, f["client_id"], wait)
	}

	var (
		c      *client
		method string
		cred   string
		tenant string
		aerr   error
		who    = f["client_id"]
	)
	switch {
	case basic || post:
		id, secret := basicID, basicSecret
		method = "client_secret_basic"
		if post {
			id, secret, method = f["client_id"], f["client_secret"], "client_secret_post"
		} else if cid, ok := f["client_id"]; ok && cid != id {
			return "", 0, invalidRequest("client_id in the body differs from the HTTP Basic user")
		}
		if id == "" {
			return "", 0, invalidRequest("client_id is missing")
		}
		who = id
		if known := s.clients.lookup(id); known != nil {
			if ok, wait := s.byClient.allowed("c:"+id, now); !ok {
				return "", 0, s.throttled(r, "client", addr, id, wait)
			}
		}
		c, cred, aerr = s.checkSecret(id, secret, now)
		if c != nil {
			tenant = c.Tenant
		}
	default:
		method = "client_assertion"
		if f["client_assertion_type"] != AssertionType {
			return "", 0, &Error{Code: CodeInvalidClient, Description: "client_assertion_type must be " + AssertionType, Status: http.StatusUnauthorized}
		}
		if f["client_assertion"] == "" {
			return "", 0, invalidRequest("client_assertion is missing")
		}
		if id := f["client_id"]; id != "" && s.clients.lookup(id) != nil {
			if ok, wait := s.byClient.allowed("c:"+id, now); !ok {
				return "", 0, s.throttled(r, "client", addr, id, wait)
			}
		}
		c, tenant, aerr = s.checkAssertion(r.Context(), f["client_id"], f["client_assertion"], now)
		if c != nil {
			who = c.ID
		}
		cred = credFederation
	}
	if aerr != nil {
		s.byAddr.fail(akey, now)
		if s.clients.lookup(who) != nil {
			s.byClient.fail("c:"+who, now)
		}
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "oauth: client authentication failed",
			slog.String("client_id", clip(who)), slog.String("method", method), slog.String("addr", clip(addr)), slog.String("reason", aerr.Error()))
		e := invalidClient(aerr)
		if basic {
			e.basic = true
		}
		return "", 0, e
	}

	pm := MethodClientCredentials
	if cred == credFederation {
		pm = MethodFederated
	}
	claims := &tokenClaims{
		Iss: s.issuer, Aud: s.audience, Sub: c.ID, ClientID: c.ID, Tenant: tenant,
		Method: pm, Cred: cred, Iat: now.Unix(), Exp: now.Add(s.lifetime).Unix(), Jti: newJTI(),
	}
	tok, err := s.signer.sign(claims)
	if err != nil {
		return "", 0, &Error{Code: CodeTemporarilyUnavail, Status: http.StatusInternalServerError, Description: "the token could not be signed"}
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "oauth: token issued",
		slog.String("client_id", c.ID), slog.String("tenant", tenant), slog.String("method", method), slog.Duration("lifetime", s.lifetime))
	return tok, int64(s.lifetime / time.Second), nil
}

func (s *Server) throttled(r *http.Request, by, addr, clientID string, wait time.Duration) error {
	secs := max(int64((wait+time.Second-1)/time.Second), 1)
	s.log.LogAttrs(r.Context(), slog.LevelWarn, "oauth: client authentication throttled",
		slog.String("by", by), slog.String("client_id", clip(clientID)), slog.String("addr", clip(addr)), slog.Int64("retry_after_s", secs))
	return &Error{Code: CodeTemporarilyUnavail, Status: http.StatusTooManyRequests, Err: ErrThrottled, retryAfter: secs,
		Description: "too many failed client authentications; retry later"}
}

// checkSecret authenticates id with secret. The secret is checked before
// whether the client is disabled, so that only the holder of a secret
// learns that; an unknown client costs a hash too, so that timing does
// not tell which ids exist.
func (s *Server) checkSecret(id, secret string, now time.Time) (*client, string, error) {
	c := s.clients.lookup(id)
	if c == nil {
		s.clients.unknown(secret)
		return nil, "", ErrUnknownClient
	}
	matched, expired := -1, false
	for i, h := range c.secrets {
		if h.matches(secret) {
			if exp := c.Secrets[i].Expires; !exp.IsZero() && !now.Before(exp) {
				expired = true
				continue
			}
			matched = i
			break
		}
	}
	switch {
	case matched < 0 && expired:
		return nil, "", ErrSecretExpired
	case matched < 0:
		return nil, "", ErrWrongSecret
	case c.Disabled:
		return nil, "", ErrClientDisabled
	}
	return c, c.secrets[matched].id, nil
}

// checkAssertion authenticates a client by an Entra assertion, and
// returns it with the tenant its tokens act in.
func (s *Server) checkAssertion(ctx context.Context, clientID, assertion string, now time.Time) (*client, string, error) {
	if s.assertions == nil {
		return nil, "", ErrNotFederated
	}
	if len(assertion) > auth.MaxTokenBytes {
		return nil, "", auth.ErrTokenTooLarge
	}
	t, err := s.assertions.VerifyAssertion(ctx, assertion)
	if err != nil {
		return nil, "", err
	}
	var c *client
	if clientID != "" {
		c = s.clients.lookup(clientID)
		switch {
		case c == nil:
			return nil, "", ErrUnknownClient
		case c.Federation == nil:
			return nil, "", ErrNotFederated
		}
		f := c.Federation
		if !slices.Contains(f.Tenants, t.Tenant) || !slices.Contains(t.Audience, f.Audience) || t.Subject != f.Subject {
			return nil, "", reject.New(ErrAssertionMismatch, fmt.Sprintf("assertion of tenant %s for %s with subject %s does not match client %s's federation (tenants %s, audience %s, subject %s)",
				t.Tenant, strings.Join(t.Audience, " "), reject.Quote(t.Subject), reject.Quote(c.ID), strings.Join(f.Tenants, " "), f.Audience, f.Subject))
		}
	} else {
		cs := s.clients.federated(t.Tenant, t.Audience, t.Subject)
		switch len(cs) {
		case 0:
			return nil, "", reject.New(ErrAssertionMismatch, fmt.Sprintf("no client's federation trusts tenant %s, audience %s, subject %s", t.Tenant, strings.Join(t.Audience, " "), reject.Quote(t.Subject)))
		case 1:
			c = cs[0]
		default:
			return nil, "", reject.New(ErrAssertionMismatch, "several clients trust this assertion: send client_id")
		}
	}
	if c.Disabled {
		return nil, "", ErrClientDisabled
	}
	if err := s.replay.add(t.Tenant+"|"+t.ID, t.Expiry.Add(s.skew), now); err != nil {
		return nil, "", err
	}
	return c, cmp.Or(c.Tenant, t.Tenant), nil
}

// basicAuth reads HTTP Basic client credentials, form-decoded as RFC 6749
// §2.3.1 asks. ok is false without an Authorization: Basic header.
func basicAuth(r *http.Request) (id, secret string, ok bool, err error) {
	h := r.Header.Get("Authorization")
	scheme, rest, _ := strings.Cut(h, " ")
	if h == "" || !strings.EqualFold(scheme, "Basic") {
		return "", "", false, nil
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return "", "", true, errors.New("the HTTP Basic credentials are not base64")
	}
	u, p, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", true, errors.New("the HTTP Basic credentials have no ':'")
	}
	if id, err = url.QueryUnescape(u); err == nil {
		secret, err = url.QueryUnescape(p)
	}
	if err != nil {
		return "", "", true, errors.New("the HTTP Basic credentials are not form-encoded")
	}
	return id, secret, true, nil
}

// clip bounds a value taken from a request for the log.
func clip(s string) string {
	if len(s) <= reject.MaxQuoted {
		return s
	}
	return reject.Quote(s)
}

func writeError(w http.ResponseWriter, r *http.Request, e *Error) {
	if e.Status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	if e.basic || (e.Status == http.StatusUnauthorized && r.Header.Get("Authorization") != "") {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauth", charset="UTF-8"`)
	}
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(e.retryAfter, 10))
	}
	writeJSON(w, e.Status, struct {
		Error       string `json:"error"`
		Description string `json:"error_description,omitempty"`
	}{e.Code, e.Description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
