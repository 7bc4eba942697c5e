package scimcheck

// This file is the only use of Entra's validator (auth/entra).

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/scimkit/scimkit/auth"
	authentra "github.com/scimkit/scimkit/auth/entra"
)

// entraVerdict validates raw with entra.New configured for tenants and
// explains the outcome.
func entraVerdict(ctx context.Context, raw string, cfg TokenConfig, tenants []string, now func() time.Time) Result {
	res := Result{Check: "entra.New"}
	e, err := authentra.New(ctx, authentra.Config{
		Tenants:         tenants,
		Audiences:       cfg.Audiences,
		AuthorityHost:   cfg.AuthorityHost,
		IssuerHost:      cfg.IssuerHost,
		HTTPClient:      cfg.HTTPClient,
		Clock:           now,
		MaxCachedTokens: -1,
		Logger:          slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		res.Status, res.Message = Fail, "the configuration is refused: "+err.Error()
		res.Fix = "fix -tenant, -audience, -authority-host or -issuer-host"
		return res
	}
	defer e.Close()
	raw = strings.TrimSpace(raw)
	if len(raw) > 7 && strings.EqualFold(raw[:7], "bearer ") {
		raw = strings.TrimSpace(raw[7:])
	}
	p, err := e.Validate(ctx, raw)
	if err == nil {
		res.Status = Pass
		res.Message = "accepts it: requests act in tenant " + p.Tenant + " as " + p.Subject
		return res
	}
	res.Status, res.Message = Fail, "refuses it (401 to Entra, logged as Unauthorized; repeated, the job is quarantined): "+err.Error()
	res.EntraCode, res.Quarantine = "Unauthorized", true
	switch {
	case errors.Is(err, auth.ErrWrongIssuer):
		res.Fix = "the token is not Entra's v1 provisioning token: leave the Secret Token blank in a custom app, or set IssuerHost for a sovereign cloud"
	case errors.Is(err, auth.ErrTenantNotAllowed):
		res.Fix = "add the token's tenant to entra.Config.Tenants (or make AllowTenant allow it) if it should provision"
	case errors.Is(err, auth.ErrTenantMismatch):
		res.Fix = "tid and iss disagree: the token was not minted by Entra"
	case errors.Is(err, auth.ErrWrongAudience):
		res.Fix = "a gallery app has its own audience: add it to entra.Config.Audiences; a custom app's is " + authentra.DefaultAudience
	case errors.Is(err, auth.ErrWrongApp):
		res.Fix = "the token was issued to another application: check entra.Config.AppIDs"
	case errors.Is(err, auth.ErrTokenExpired), errors.Is(err, auth.ErrNoExpiry):
		res.Fix = "take a fresh token; if fresh tokens fail, check the validating machine's clock"
	case errors.Is(err, auth.ErrTokenNotYetValid):
		res.Fix = "check the validating machine's clock (NTP)"
	case errors.Is(err, auth.ErrUnknownSigningKey):
		res.Fix = "the token was signed by a key the tenant does not publish: another cloud (set AuthorityHost), a forged token, or a custom signing key"
	case errors.Is(err, auth.ErrKeysUnavailable):
		res.Fix = "the tenant's keys could not be fetched: check that AuthorityHost is reachable and the tenant ID is real"
	case errors.Is(err, auth.ErrBadSignature):
		res.Fix = "the signature does not verify: the token was altered (copy it whole) or forged"
	case errors.Is(err, auth.ErrUnsupportedAlgorithm), errors.Is(err, auth.ErrMalformedToken):
		res.Fix = "this is not a token Entra sends"
	}
	return res
}
