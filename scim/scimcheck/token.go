package scimcheck

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// The Entra values a token is compared with (those of entra.Config's
// defaults).
const (
	customAppAudience    = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
	defaultAuthorityHost = "https://login.microsoftonline.com"
	defaultIssuerHost    = "https://sts.windows.net"
	provisioningAppID    = "00000014-0000-0000-c000-000000000000"
	maxTokenBytes        = 16 << 10
	tokenSkew            = 5 * time.Minute
)

// ErrNotJWT is wrapped by DecodeToken's errors.
var ErrNotJWT = errors.New("scimcheck: not a JWT")

// Token is a decoded, unverified JWT.
type Token struct {
	Header map[string]any `json:"header"`
	Claims map[string]any `json:"claims"`
}

// DecodeToken decodes the header and claims of a compact JWT (three
// base64url segments) without verifying anything. A "Bearer " prefix and
// surrounding space are ignored.
func DecodeToken(raw string) (*Token, error) {
	raw = strings.TrimSpace(raw)
	if len(raw) > 7 && strings.EqualFold(raw[:7], "bearer ") {
		raw = strings.TrimSpace(raw[7:])
	}
	if len(raw) > maxTokenBytes {
		return nil, fmt.Errorf("%w: %d bytes, more than the %d a bearer token may have", ErrNotJWT, len(raw), maxTokenBytes)
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: %d dot-separated segments, want 3 (header.claims.signature); an opaque secret token is not a JWT and cannot be explained", ErrNotJWT, len(parts))
	}
	t := &Token{}
	for i, dst := range []*map[string]any{&t.Header, &t.Claims} {
		name := [...]string{"header", "claims"}[i]
		data, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "="))
		if err != nil {
			return nil, fmt.Errorf("%w: the %s segment is not base64url: %v", ErrNotJWT, name, err)
		}
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		if err := d.Decode(dst); err != nil || *dst == nil {
			return nil, fmt.Errorf("%w: the %s segment is not a JSON object", ErrNotJWT, name)
		}
		if d.More() {
			return nil, fmt.Errorf("%w: the %s segment has data after its JSON object", ErrNotJWT, name)
		}
	}
	if parts[2] == "" {
		return nil, fmt.Errorf("%w: the token is unsigned (empty signature segment)", ErrNotJWT)
	}
	return t, nil
}

// str returns a string claim ("" when absent or not a string).
func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// audiences returns aud as a list (it may be a string or an array).
func (t *Token) audiences() []string {
	switch a := t.Claims["aud"].(type) {
	case string:
		return []string{a}
	case []any:
		var out []string
		for _, e := range a {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// date returns a NumericDate claim.
func (t *Token) date(k string) (time.Time, bool) {
	n, ok := t.Claims[k].(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || f < 0 || f > 1e11 {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0).UTC(), true
}

// TokenConfig configures ExplainToken: the validator the token is judged
// for. Every field has a useful zero value.
type TokenConfig struct {
	// Tenants are the tenant IDs the endpoint allows
	// (entra.Config.Tenants). Empty: the token's own tid, and the
	// verdict says so.
	Tenants []string
	// Audiences are the accepted aud values. Empty: the custom-app
	// audience 8adf8e6e-67b2-4cf2-a259-e3dc5476c621.
	Audiences []string
	// AuthorityHost serves {AuthorityHost}/{tenant}/discovery/keys.
	// Empty: https://login.microsoftonline.com.
	AuthorityHost string
	// IssuerHost is the v1 issuer prefix. Empty: https://sts.windows.net.
	IssuerHost string
	// Offline skips what needs the network: the kid lookup and the
	// entra.New verdict.
	Offline bool
	// HTTPClient fetches the keys. Nil: a client with a 10-second timeout.
	HTTPClient *http.Client
	// Clock returns the current time. Nil: time.Now.
	Clock func() time.Time
}

// TokenReport is what ExplainToken found.
type TokenReport struct {
	Token    *Token   `json:"token"`
	Results  []Result `json:"results"`
	Accepted bool     `json:"accepted"` // entra.New accepts it
}

// Failed reports whether a finding failed.
func (r *TokenReport) Failed() bool {
	for _, res := range r.Results {
		if res.Status == Fail {
			return true
		}
	}
	return false
}

var (
	guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// v2 matches Entra's v2.0 issuers; group 3 is the tenant.
	v2 = regexp.MustCompile(`^https://login\.(microsoftonline\.(com|us)|chinacloudapi\.cn)/([^/]+)/v2\.0/?$`)
)

// ExplainToken decodes raw and says, claim by claim, what an Entra-facing
// validator will think of it, then whether entra.New configured by
// cfg accepts it, and why not. The error is for a raw that is not a JWT.
func ExplainToken(ctx context.Context, raw string, cfg TokenConfig) (*TokenReport, error) {
	t, err := DecodeToken(raw)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if cfg.Clock != nil {
		now = cfg.Clock
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	issuerHost := strings.TrimSuffix(cmpOr(cfg.IssuerHost, defaultIssuerHost), "/")
	authority := strings.TrimSuffix(cmpOr(cfg.AuthorityHost, defaultAuthorityHost), "/")
	auds := cfg.Audiences
	if len(auds) == 0 {
		auds = []string{customAppAudience}
	}
	rep := &TokenReport{Token: t}
	add := func(check string, s Status, fix, format string, args ...any) {
		rep.Results = append(rep.Results, Result{Check: check, Status: s, Message: fmt.Sprintf(format, args...), Fix: fix})
	}

	// alg
	switch alg := str(t.Header, "alg"); alg {
	case "RS256":
		add("alg", Pass, "", "RS256, as Entra signs")
	default:
		add("alg", Fail, "Entra's provisioning tokens are RS256; this token comes from another issuer",
			"alg %q: entra.New accepts RS256 only (never taken from the token)", alg)
	}

	// iss and tid
	iss, tid := str(t.Claims, "iss"), str(t.Claims, "tid")
	issTenant := ""
	switch {
	case strings.HasPrefix(iss, issuerHost+"/") && strings.HasSuffix(iss, "/") && guidRE.MatchString(strings.TrimSuffix(strings.TrimPrefix(iss, issuerHost+"/"), "/")):
		issTenant = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(iss, issuerHost+"/"), "/"))
		add("iss", Pass, "", "v1 issuer %s of tenant %s: the token Entra sends when the Secret Token field is blank", iss, issTenant)
	case v2.MatchString(iss):
		issTenant = strings.ToLower(v2.FindStringSubmatch(iss)[3])
		add("iss", Fail, "leave the Secret Token blank to get Entra's v1 provisioning token, or give the endpoint a secret token; a v2 token (workload identity federation) is a client assertion for your OAuth token endpoint (auth/oauth), or needs entra.Config{Version: entra.V2}",
			"v2.0 issuer %s: Entra sends v1 tokens (iss %s/{tenant}/) to a SCIM endpoint; entra.New refuses v2.0 issuers unless configured with Version V2", iss, issuerHost)
	case iss == "":
		add("iss", Fail, "this is not an Entra token", "no iss claim")
	default:
		add("iss", Fail, "if this is a sovereign cloud, set -issuer-host (entra.Config.IssuerHost); otherwise the token is not Entra's",
			"issuer %q is not an Entra tenant issuer %s/{tenant ID}/", excerpt(iss, 128), issuerHost)
	}
	switch {
	case tid == "":
		add("tid", Fail, "this is not an Entra token", "no tid claim")
	case !guidRE.MatchString(tid):
		add("tid", Fail, "this is not an Entra token", "tid %q is not a tenant ID (GUID)", excerpt(tid, 64))
	case issTenant != "" && !strings.EqualFold(tid, issTenant):
		add("tid", Fail, "the token was tampered with or minted by something other than Entra", "tid %s is not the issuer's tenant %s", tid, issTenant)
	case len(cfg.Tenants) > 0 && !containsFold(cfg.Tenants, tid):
		add("tid", Fail, fmt.Sprintf("if tenant %s should provision, add it to entra.Config.Tenants (-tenant %s)", tid, tid),
			"tenant %s is not one of the allowed tenants %s", tid, strings.Join(cfg.Tenants, ", "))
	case len(cfg.Tenants) > 0:
		add("tid", Pass, "", "tenant %s is allowed", tid)
	default:
		add("tid", Warn, fmt.Sprintf("pass -tenant %s (the tenant ID on the Overview page of the Entra admin center) to check it is the one you allow", tid),
			"tenant %s (no -tenant given: not checked against an allow list)", tid)
	}

	// aud
	got := t.audiences()
	switch {
	case len(got) == 0:
		add("aud", Fail, "this is not an Entra provisioning token", "no aud claim")
	case anyIn(got, auds):
		if len(cfg.Audiences) == 0 {
			add("aud", Pass, "", "%s, the audience of every custom (non-gallery) app", customAppAudience)
		} else {
			add("aud", Pass, "", "%s is accepted", strings.Join(got, ", "))
		}
	case strings.HasPrefix(got[0], "api://") || strings.HasPrefix(got[0], "https://"):
		add("aud", Fail, "this is a token for your own API (an app registration), not Entra's provisioning token; leave the Secret Token blank in a custom app, or accept this audience explicitly",
			"audience %q is not %s", excerpt(got[0], 128), strings.Join(auds, ", "))
	case guidRE.MatchString(got[0]):
		add("aud", Fail, fmt.Sprintf("a gallery application's token has its own template id as audience: if this app is from the gallery, add %s to entra.Config.Audiences (-audience); a custom app's is %s", got[0], customAppAudience),
			"audience %s is not the accepted %s", got[0], strings.Join(auds, ", "))
	default:
		add("aud", Fail, "this is not an Entra provisioning token", "audience %q is not %s", excerpt(got[0], 128), strings.Join(auds, ", "))
	}

	// exp and nbf
	n := now().UTC()
	exp, hasExp := t.date("exp")
	switch {
	case !hasExp:
		add("exp", Fail, "Entra's tokens always expire; this one is not Entra's", "no exp claim")
	case !n.Before(exp.Add(tokenSkew)):
		add("exp", Fail, "Entra sends a fresh token each cycle: take a new one (this one is only useful to replay a log)",
			"expired at %s (%s ago, beyond the 5 minutes of clock skew allowed)", exp.Format(time.RFC3339), n.Sub(exp).Round(time.Second))
	default:
		add("exp", Pass, "", "expires at %s (in %s)", exp.Format(time.RFC3339), exp.Sub(n).Round(time.Second))
	}
	if nbf, ok := t.date("nbf"); ok && n.Before(nbf.Add(-tokenSkew)) {
		add("nbf", Fail, "check the clock of the machine validating it (NTP)", "not valid before %s (in %s)", nbf.Format(time.RFC3339), nbf.Sub(n).Round(time.Second))
	} else if ok {
		add("nbf", Pass, "", "valid since %s", nbf.Format(time.RFC3339))
	}

	// appid
	if app := cmpOr(str(t.Claims, "appid"), str(t.Claims, "azp")); app == provisioningAppID {
		add("appid", Pass, "", "%s, Entra's provisioning service (Microsoft.Azure.SyncFabric)", app)
	} else {
		add("appid", Warn, "Entra's provisioning token has appid "+provisioningAppID+"; a validator with entra.Config.AppIDs set refuses others",
			"appid %q is not Entra's provisioning service", excerpt(app, 64))
	}

	// kid
	kid := str(t.Header, "kid")
	keyTenant := cmpOr(issTenant, strings.ToLower(tid))
	switch {
	case kid == "":
		add("kid", Fail, "Entra's tokens name their signing key; this one is not Entra's", "no kid in the header")
	case cfg.Offline:
		add("kid", Skip, "", "kid %s (offline: the tenant's signing keys were not fetched)", excerpt(kid, 64))
	case !guidRE.MatchString(keyTenant):
		add("kid", Skip, "", "kid %s (no tenant to fetch keys for)", excerpt(kid, 64))
	default:
		keysURL := authority + "/" + keyTenant + "/discovery/keys"
		if v2.MatchString(iss) {
			keysURL = authority + "/" + keyTenant + "/discovery/v2.0/keys"
		}
		kids, err := fetchKids(ctx, cfg.HTTPClient, keysURL)
		switch {
		case err != nil:
			add("kid", Warn, "check that "+authority+" is reachable from here (or pass -authority-host)", "kid %s: the keys of tenant %s could not be fetched from %s: %v", excerpt(kid, 64), keyTenant, keysURL, err)
		case containsFold(kids, kid):
			add("kid", Pass, "", "kid %s is one of the %d signing keys at %s", kid, len(kids), keysURL)
		default:
			add("kid", Fail, "the token was not signed by this tenant's keys: it comes from another issuer or cloud (set -authority-host), was forged, or the app uses a custom signing key (claims mapping), which entra.New does not support",
				"kid %s is not among the %d signing keys at %s", excerpt(kid, 64), len(kids), keysURL)
		}
	}

	// verdict
	tenants := cfg.Tenants
	assumed := false
	if len(tenants) == 0 && guidRE.MatchString(tid) {
		tenants, assumed = []string{tid}, true
	}
	switch {
	case cfg.Offline:
		add("entra.New", Skip, "", "offline: not validated (entra.New fetches the signing keys)")
	case len(tenants) == 0:
		add("entra.New", Fail, "pass -tenant with the tenant ID you allow", "no tenant to configure entra.New with")
	default:
		res := entraVerdict(ctx, raw, cfg, tenants, now)
		if assumed {
			res.Message += " (with Tenants [" + tid + "], the token's own tenant: pass -tenant to check yours)"
		}
		rep.Accepted = res.Status == Pass
		rep.Results = append(rep.Results, res)
	}
	return rep, nil
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(strings.TrimSpace(e), s) {
			return true
		}
	}
	return false
}

func anyIn(got, want []string) bool {
	for _, g := range got {
		for _, w := range want {
			if g == w {
				return true
			}
		}
	}
	return false
}

// fetchKids returns the key ids of the JWKS at url.
func fetchKids(ctx context.Context, client *http.Client, url string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("%d %s", resp.StatusCode, excerpt(string(body), 200))
	}
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return nil, fmt.Errorf("not a JWKS: %v", err)
	}
	kids := make([]string, 0, len(set.Keys))
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	return kids, nil
}
