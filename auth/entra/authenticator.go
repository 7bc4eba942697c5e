package entra

import (
	"cmp"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/auth/internal/tokencache"
	"github.com/scimkit/scimkit/internal/guid"
)

// Defaults of Config.
const (
	// DefaultAudience is the aud of the token Entra sends to every custom
	// (non-gallery) application when its Secret Token field is left blank:
	// the application template id of custom apps.
	DefaultAudience = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"

	// DefaultAuthorityHost serves each tenant's signing keys at
	// {host}/{tenant}/discovery/keys (the v1 jwks_uri).
	DefaultAuthorityHost = "https://login.microsoftonline.com"

	// DefaultIssuerHost is the host of the v1 issuer
	// https://sts.windows.net/{tenant}/.
	DefaultIssuerHost = "https://sts.windows.net"

	// DefaultV2IssuerHost is the host of the v2 issuer
	// https://login.microsoftonline.com/{tenant}/v2.0.
	DefaultV2IssuerHost = "https://login.microsoftonline.com"

	// ProvisioningAppID is the appid of Entra's provisioning service
	// (Microsoft.Azure.SyncFabric), for Config.AppIDs.
	ProvisioningAppID = "00000014-0000-0000-c000-000000000000"
)

// Config configures New. Tenants or AllowTenant is required;
// every other field has a useful zero value.
type Config struct {
	// Tenants are the tenant IDs (GUIDs, shown on the Overview page of the
	// Entra admin center) allowed to provision. Their signing keys are
	// fetched by New.
	Tenants []string

	// AllowTenant decides per tenant ID instead of Tenants (set one of
	// the two). It is called before anything is fetched for a tenant and
	// again on every request, so a tenant it stops allowing is refused at
	// once. Signing keys of an allowed tenant are fetched on its first
	// request, after every check that needs no key (issuer, tid, exp, nbf,
	// aud, appid) has passed. It should consult your list of customers: a
	// callback that allows every tenant lets anyone make the service fetch
	// the keys of made-up tenants, within MaxTenantFetches per
	// MinRefreshInterval, and cache them, within MaxTenants.
	AllowTenant func(tenantID string) bool

	// Version is the token family accepted. Zero: V1.
	Version Version

	// Audiences are the accepted aud values. Empty: DefaultAudience for
	// V1; required for V2 (the api://… application ID URI of the
	// workload identity).
	// Gallery applications have their own template id; sovereign clouds
	// have others (US Gov 4602d0b4-76bb-404b-bca9-2652e1a39c6d, China
	// 5a532e38-1581-4918-9658-008dc27c1d68, unconfirmed).
	Audiences []string

	// AppIDs, when set, are the accepted appid (or azp) values, e.g.
	// ProvisioningAppID. Empty: appid is not checked.
	AppIDs []string

	// Subjects, when set, are the accepted sub values: for workload
	// identity federation, the object id of Entra's provisioning service
	// identity. Empty: sub is not checked.
	Subjects []string

	// OnKeysFetched, when set, is called after every JWKS fetch (start,
	// background refresh, unknown kid, CheckHealth) with the URL, the time
	// the fetch took and its error (nil on success). It runs on the
	// fetching goroutine: keep it quick (count a metric).
	OnKeysFetched func(url string, took time.Duration, err error)

	// AuthorityHost serves the signing keys at
	// {AuthorityHost}/{tenant}/discovery/keys. Empty:
	// DefaultAuthorityHost. Set it for a sovereign cloud
	// (https://login.microsoftonline.us, https://login.chinacloudapi.cn)
	// or to a fake issuer (authtest). It must be https, except on a
	// loopback address.
	AuthorityHost string

	// IssuerHost is the issuer's prefix: a token of tenant T must have
	// iss exactly {IssuerHost}/{T}/ (V1) or {IssuerHost}/{T}/v2.0 (V2).
	// Empty: DefaultIssuerHost (V1) or DefaultV2IssuerHost (V2). It is
	// compared, never fetched. authtest's issuer mints tokens with
	// DefaultIssuerHost unless told otherwise.
	IssuerHost string

	// HTTPClient fetches the signing keys. Nil: a client with a 10-second
	// timeout (never http.DefaultClient). A client without a Timeout
	// gets a 10-second limit per fetch.
	HTTPClient *http.Client

	// Clock returns the current time. Nil: time.Now.
	Clock func() time.Time

	// ClockSkew is tolerated on exp, nbf and iat. Zero: 5 minutes.
	ClockSkew time.Duration

	// RefreshInterval is how often each tenant's keys are refreshed in the
	// background. Zero: 1 hour.
	RefreshInterval time.Duration

	// MinRefreshInterval is the least time between two refreshes forced
	// by an unknown kid (or by a tenant whose keys could not be fetched
	// yet), per tenant; it is also the retry interval of a failing
	// background refresh. Zero: 5 minutes.
	MinRefreshInterval time.Duration

	// MaxCachedTokens bounds the cache of verified tokens. Zero: 1024;
	// negative: no cache.
	MaxCachedTokens int

	// MaxTenants bounds the key sets cached for tenants admitted by
	// AllowTenant; those of Tenants are always kept and do not count.
	// When it is full, a new tenant's set replaces the oldest set of a
	// tenant whose keys were never fetched (a made-up tenant: Entra
	// answers 400), else the oldest set of a tenant none of whose tokens
	// verified yet, else the set least recently used to verify a token.
	// Tenants served the same keys share them in memory. Zero: 1,024.
	MaxTenants int

	// MaxTenantFetches bounds the JWKS fetches made on demand for tenants
	// not in Tenants (a new tenant's first fetch, the retry of a failed
	// one, a refresh for an unknown kid) to that many per
	// MinRefreshInterval, all tenants together. A token that needs one
	// more is refused with auth.ErrKeysUnavailable, without a fetch and
	// without caching anything for its tenant (the first refusal of each
	// interval is logged at Warn). Background refreshes of keys already
	// fetched, and every fetch for Tenants, are not limited. Zero: 100.
	MaxTenantFetches int

	// Logger receives key fetch failures (Warn) and fetches (Debug).
	// Nil: slog.Default().
	Logger *slog.Logger
}

// Authenticator authenticates the JWTs Entra ID sends when an application's
// Secret Token field is left blank. Build it with New; it is safe for
// concurrent use.
type Authenticator struct {
	tenants     map[string]bool
	allowTenant func(string) bool
	version     Version
	audiences   []string
	subjects    []string
	appIDs      []string
	issuerHost  string
	issSuffix   string // "/" (V1) or "/v2.0" (V2)
	configured  []string
	clock       func() time.Time
	skew        time.Duration
	cache       *tokencache.Cache[*Token]
	keys        *keyStore

	cancel    context.CancelFunc
	loopDone  chan struct{}
	closeOnce sync.Once
}

// New checks cfg, fetches the signing keys of cfg.Tenants (waiting
// for them, within the HTTP client's timeout) and returns an Authenticator whose
// background refresh lives until ctx is done or Close is called.
//
// A tenant whose keys cannot be fetched at start does not make New
// fail (a JWKS outage must not stop a service that also accepts other
// credentials, and a failed fetch must not be sticky): the failure is
// logged at Warn, the tenant's tokens are refused with auth.ErrKeysUnavailable,
// the first request retries the fetch at once, later requests at most once
// per MinRefreshInterval, and the background retries every
// MinRefreshInterval, until a fetch succeeds. (A tenant allowed by
// AllowTenant is fetched on its first request and retried by requests
// only, within MaxTenantFetches; its keys are refreshed in the background
// once one of its tokens has verified.) Configuration errors are returned.
func New(ctx context.Context, cfg Config) (*Authenticator, error) {
	if ctx == nil {
		return nil, errors.New("entra: New needs a context")
	}
	e := &Authenticator{
		allowTenant: cfg.AllowTenant,
		version:     cmp.Or(cfg.Version, V1),
		audiences:   slices.Clone(cfg.Audiences),
		subjects:    slices.Clone(cfg.Subjects),
		appIDs:      slices.Clone(cfg.AppIDs),
		clock:       cfg.Clock,
		skew:        cfg.ClockSkew,
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("entra: Config: "+format, args...))
	}
	switch {
	case len(cfg.Tenants) == 0 && cfg.AllowTenant == nil:
		bad("set Tenants (the tenant IDs allowed to provision) or AllowTenant")
	case len(cfg.Tenants) > 0 && cfg.AllowTenant != nil:
		bad("set Tenants or AllowTenant, not both")
	}
	var tenants []string
	if len(cfg.Tenants) > 0 {
		e.tenants = make(map[string]bool, len(cfg.Tenants))
		for _, t := range cfg.Tenants {
			t = strings.ToLower(strings.TrimSpace(t))
			if !guid.Lower(t) {
				bad("tenant %q is not a tenant ID (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47, on the Overview page of the Entra admin center)", t)
				continue
			}
			if !e.tenants[t] {
				tenants = append(tenants, t)
			}
			e.tenants[t] = true
		}
	}
	if e.version != V1 && e.version != V2 {
		bad("unknown Version %d (want V1 or V2)", int(e.version))
	}
	if len(e.audiences) == 0 {
		if e.version == V2 {
			bad("Audiences is required for V2 tokens (the api://… application ID URI the assertion is issued for)")
		}
		e.audiences = []string{DefaultAudience}
	}
	if slices.Contains(e.subjects, "") {
		bad("empty subject")
	}
	if slices.Contains(e.audiences, "") {
		bad("empty audience")
	}
	if slices.Contains(e.appIDs, "") {
		bad("empty application id")
	}
	authority, err := hostURL(cfg.AuthorityHost, DefaultAuthorityHost, true)
	if err != nil {
		bad("AuthorityHost: %v", err)
	}
	defIssuer, jwksPath, issSuffix := DefaultIssuerHost, "/discovery/keys", "/"
	if e.version == V2 {
		defIssuer, jwksPath, issSuffix = DefaultV2IssuerHost, "/discovery/v2.0/keys", "/v2.0"
	}
	e.issSuffix = issSuffix
	if e.issuerHost, err = hostURL(cfg.IssuerHost, defIssuer, false); err != nil {
		bad("IssuerHost: %v", err)
	}
	if e.clock == nil {
		e.clock = time.Now
	}
	if e.skew < 0 || cfg.RefreshInterval < 0 || cfg.MinRefreshInterval < 0 {
		bad("negative ClockSkew, RefreshInterval or MinRefreshInterval")
	}
	if cfg.MaxTenants < 0 || cfg.MaxTenantFetches < 0 {
		bad("negative MaxTenants or MaxTenantFetches")
	}
	if e.skew == 0 {
		e.skew = 5 * time.Minute
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	client := cfg.HTTPClient
	timeout := time.Duration(0)
	if client == nil {
		client = &http.Client{Timeout: defaultFetchTimeout}
	} else if client.Timeout == 0 {
		timeout = defaultFetchTimeout
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	maxCached := cfg.MaxCachedTokens
	if maxCached == 0 {
		maxCached = 1024
	}
	e.cache = tokencache.New[*Token](maxCached)

	lctx, cancel := context.WithCancel(ctx)
	e.cancel = cancel
	e.keys = &keyStore{
		ctx:        lctx,
		client:     client,
		timeout:    timeout,
		clock:      e.clock,
		refresh:    orDefault(cfg.RefreshInterval, time.Hour),
		minRefresh: orDefault(cfg.MinRefreshInterval, 5*time.Minute),
		log:        log,
		urlFor:     func(t string) string { return authority + "/" + t + jwksPath },
		onFetched:  cfg.OnKeysFetched,
		maxTenants: cmp.Or(cfg.MaxTenants, 1024),
		maxFetches: cmp.Or(cfg.MaxTenantFetches, 100),
		sets:       make(map[string]*keySet),
	}
	e.configured = tenants
	if err := e.keys.warm(lctx, tenants); err != nil {
		log.Warn("entra: Entra signing keys unavailable at start; tokens of these tenants are refused until a fetch succeeds (retried on the next request, then every MinRefreshInterval)",
			"error", err.Error(), "min_refresh_interval", e.keys.minRefresh)
	}
	e.loopDone = make(chan struct{})
	go e.loop(lctx)
	return e, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// hostURL checks an AuthorityHost or IssuerHost and returns it without a
// trailing slash.
func hostURL(s, def string, fetched bool) (string, error) {
	if s == "" {
		return def, nil
	}
	s = strings.TrimSuffix(s, "/")
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	if u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%q is not a scheme://host URL", s)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if fetched && !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("%q: signing keys are fetched over https only (http is allowed on a loopback address)", s)
		}
	default:
		return "", fmt.Errorf("%q: want an https URL", s)
	}
	return s, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loop refreshes the keys in the background until ctx is done.
func (e *Authenticator) loop(ctx context.Context) {
	defer close(e.loopDone)
	tick := min(e.keys.minRefresh, e.keys.refresh) / 2
	tick = max(tick, time.Second)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			e.keys.refreshDue()
		}
	}
}

// Close stops the background refresh and waits for running fetches.
// Tokens are still checked afterwards, against the keys already fetched.
func (e *Authenticator) Close() error {
	e.closeOnce.Do(func() {
		e.cancel()
		<-e.loopDone
		e.keys.close()
	})
	return nil
}

// Authenticate implements Authenticator for the bearer token of r.
func (e *Authenticator) Authenticate(r *http.Request) (auth.Principal, error) {
	tok, err := auth.BearerToken(r)
	if err != nil {
		return auth.Principal{}, err
	}
	return e.Validate(r.Context(), tok)
}

// Token is a verified Entra token: its Principal and the claims a caller
// such as a token endpoint needs. It is shared by the cache: do not change
// it.
type Token struct {
	Principal auth.Principal // Tenant: tid; Subject: sub, else oid, else appid; Method "entra-jwt"
	Version   Version
	Issuer    string
	Tenant    string // tid, the issuer's tenant
	Subject   string // sub
	ObjectID  string // oid
	AppID     string // appid (v1) or azp (v2)
	Audience  []string
	// ID identifies the token for replay detection: jti, else uti
	// (Entra's unique token identifier), else the hex SHA-256 of the
	// token.
	ID        string
	IssuedAt  time.Time // zero when the token has no iat
	NotBefore time.Time // zero when the token has no nbf
	Expiry    time.Time
}

// Validate checks token and returns its auth.Principal: Tenant is the tid,
// Subject the sub (else oid, else appid), Method "entra-jwt". ctx bounds
// the wait for signing keys being fetched.
func (e *Authenticator) Validate(ctx context.Context, token string) (auth.Principal, error) {
	t, err := e.Verify(ctx, token)
	if err != nil {
		return auth.Principal{}, err
	}
	return t.Principal, nil
}

// Verify checks token as Validate does and returns its claims. Errors
// wrap the sentinels of package auth.
func (e *Authenticator) Verify(ctx context.Context, token string) (*Token, error) {
	if len(token) > auth.MaxTokenBytes {
		return nil, auth.ErrTokenTooLarge
	}
	now := e.clock()
	// Hash the string's bytes in place: Sum256 neither keeps nor changes
	// them, and copying a 1.5 KiB token would cost as much as the lookup.
	sum := sha256.Sum256(unsafe.Slice(unsafe.StringData(token), len(token)))
	if t, ok := e.cache.Get(sum, now); ok && e.allowed(t.Tenant) {
		return t, nil
	}
	t, err := e.verify(ctx, token, now)
	if err != nil {
		return nil, err
	}
	if t.ID == "" {
		t.ID = hex.EncodeToString(sum[:])
	}
	e.cache.Put(sum, t, t.Expiry, now)
	return t, nil
}

func (e *Authenticator) allowed(tenant string) bool {
	if e.tenants != nil {
		return e.tenants[tenant]
	}
	return e.allowTenant(tenant)
}

// verify checks every property of token, the cheap ones first.
func (e *Authenticator) verify(ctx context.Context, token string, now time.Time) (*Token, error) {
	t, err := parseJWT(token)
	if err != nil {
		return nil, err
	}
	c := &t.claims

	tenant, ok := strings.CutPrefix(c.Iss, e.issuerHost+"/")
	tenant, ok2 := strings.CutSuffix(tenant, e.issSuffix)
	if !ok || !ok2 || !guid.Lower(tenant) {
		msg := fmt.Sprintf("issuer %s is not an Entra tenant issuer %s/{tenant ID}%s (%s tokens)", quote(c.Iss), e.issuerHost, e.issSuffix, e.version)
		switch {
		case e.version == V1 && strings.HasSuffix(c.Iss, "/v2.0"):
			msg += "; v2.0 tokens are not what Entra sends to a SCIM endpoint"
		case e.version == V2 && !strings.HasSuffix(c.Iss, "/v2.0"):
			msg += "; a v1 token where a v2 token (a workload identity federation assertion) is expected"
		}
		return nil, rejectErr(auth.ErrWrongIssuer, msg)
	}
	if !e.allowed(tenant) {
		msg := fmt.Sprintf("issuer tenant %s is not allowed", tenant)
		if n := len(e.tenants); n > 0 && n <= 5 {
			msg += " (allowed: " + strings.Join(slices.Sorted(maps.Keys(e.tenants)), ", ") + ")"
		} else if n > 5 {
			msg += fmt.Sprintf(" (it is not among the %d allowed tenants)", n)
		}
		return nil, rejectErr(auth.ErrTenantNotAllowed, msg)
	}
	if c.Tid != tenant {
		return nil, rejectErr(auth.ErrTenantMismatch, fmt.Sprintf("tid claim %s is not the issuer's tenant %s", quote(c.Tid), tenant))
	}
	if c.Exp == nil {
		return nil, rejectErr(auth.ErrNoExpiry, "the token has no expiry (exp claim); Entra's tokens always have one")
	}
	if !now.Before(c.Exp.Add(e.skew)) {
		return nil, rejectErr(auth.ErrTokenExpired, fmt.Sprintf("token expired at %s (now %s, clock skew allowed %s)",
			c.Exp.Format(time.RFC3339), now.UTC().Format(time.RFC3339), e.skew))
	}
	if c.Nbf != nil && now.Before(c.Nbf.Add(-e.skew)) {
		return nil, rejectErr(auth.ErrTokenNotYetValid, fmt.Sprintf("token not valid before %s (now %s, clock skew allowed %s)",
			c.Nbf.Format(time.RFC3339), now.UTC().Format(time.RFC3339), e.skew))
	}
	if c.Iat != nil && now.Before(c.Iat.Add(-e.skew)) {
		return nil, rejectErr(auth.ErrTokenNotYetValid, fmt.Sprintf("token issued in the future, at %s (now %s, clock skew allowed %s)",
			c.Iat.Format(time.RFC3339), now.UTC().Format(time.RFC3339), e.skew))
	}
	if !slices.ContainsFunc(c.Aud, func(a string) bool { return slices.Contains(e.audiences, a) }) {
		return nil, rejectErr(auth.ErrWrongAudience, e.audienceMessage(c.Aud))
	}
	app := c.AppID
	if app == "" {
		app = c.Azp
	}
	if len(e.appIDs) > 0 && !slices.Contains(e.appIDs, app) {
		return nil, rejectErr(auth.ErrWrongApp, fmt.Sprintf("application %s is not one of the accepted applications %s", quote(app), strings.Join(e.appIDs, ", ")))
	}
	if len(e.subjects) > 0 && !slices.Contains(e.subjects, c.Sub) {
		return nil, rejectErr(auth.ErrWrongSubject, fmt.Sprintf("subject %s is not one of the accepted subjects %s", quote(c.Sub), strings.Join(e.subjects, ", ")))
	}

	// Every check above is made before anything is fetched or cached for
	// the tenant.
	set, key, err := e.keys.key(ctx, tenant, t.header.Kid)
	if err != nil {
		return nil, err
	}
	if _, err := jws.Verify([]byte(token), jws.WithKeyProvider(rs256Key{key}), jws.WithCompact(), jws.WithAlgorithmMatch(true)); err != nil {
		return nil, rejectErr(auth.ErrBadSignature, fmt.Sprintf("the signature does not verify with signing key %s of tenant %s: a tampered token, or one signed by another key", quote(t.header.Kid), tenant))
	}
	e.keys.verified(set)

	sub := c.Sub
	if sub == "" {
		sub = c.Oid
	}
	if sub == "" {
		sub = c.AppID
	}
	v := &Token{
		Principal: auth.Principal{Tenant: tenant, Subject: sub, Method: "entra-jwt"},
		Version:   e.version,
		Issuer:    c.Iss,
		Tenant:    tenant,
		Subject:   c.Sub,
		ObjectID:  c.Oid,
		AppID:     app,
		Audience:  slices.Clone([]string(c.Aud)),
		ID:        cmp.Or(c.Jti, c.Uti),
		Expiry:    c.Exp.Time,
	}
	if c.Iat != nil {
		v.IssuedAt = c.Iat.Time
	}
	if c.Nbf != nil {
		v.NotBefore = c.Nbf.Time
	}
	return v, nil
}

func (e *Authenticator) audienceMessage(got []string) string {
	var want string
	if len(e.audiences) == 1 && e.audiences[0] == DefaultAudience {
		want = "the custom-app audience " + DefaultAudience
	} else {
		want = "one of the accepted audiences " + strings.Join(e.audiences, ", ")
	}
	switch len(got) {
	case 0:
		return "the token has no audience (aud); want " + want
	case 1:
		return fmt.Sprintf("audience %s is not %s", quote(got[0]), want)
	}
	const shown = 4
	q := make([]string, 0, shown)
	for _, a := range got[:min(len(got), shown)] {
		q = append(q, quote(a))
	}
	list := "[" + strings.Join(q, " ") + "]"
	if len(got) > shown {
		list += fmt.Sprintf(" and %d more", len(got)-shown)
	}
	return fmt.Sprintf("audiences %s are not %s", list, want)
}

// rs256Key is a jws.KeyProvider that pins the algorithm to RS256: the
// algorithm comes from here, never from the token (whose header alg must
// also say RS256), and Entra's keys, which have no alg member, are used
// for RS256 only.
type rs256Key struct{ key *rsa.PublicKey }

func (k rs256Key) FetchKeys(_ context.Context, sink jws.KeySink, sig *jws.Signature, _ *jws.Message) error {
	if alg, ok := sig.ProtectedHeaders().Algorithm(); !ok || alg.String() != jwa.RS256().String() {
		return errors.New("the header alg is not RS256")
	}
	sink.Key(jwa.RS256(), k.key)
	return nil
}
