package scim

import (
	"errors"
	"log/slog"
	"strings"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// Config configures a Handler. Store and Auth are required; every other
// field has a useful zero value.
type Config struct {
	// Store persists resources. Required.
	Store store.Store

	// Auth authenticates every request and yields its tenant. Required:
	// to serve without authentication, say so with auth.None.
	Auth auth.Authenticator

	// Schemas is the resource model. Nil: core User and Group and the
	// enterprise User extension (schema.NewRegistry()).
	Schemas *schema.Registry

	// BaseURL is the absolute URL the endpoint is reached at, such as
	// "https://api.example.com/scim/v2"; meta.location and Location headers
	// start with it. Empty: derived from each request (scheme from TLS, the
	// Host header and the prefix stripped by http.StripPrefix). Set it when
	// a proxy terminates TLS in front of the service.
	BaseURL string

	// StrictAttributes rejects attributes the schemas do not define with
	// 400 invalidValue. By default they are dropped, as Entra expects.
	StrictAttributes bool

	// Compat returns the PATCH dialect a tenant may send. Nil: every tenant
	// gets patch.Compat{}, which accepts Entra's default and
	// aadOptscim062020 formats and Okta's; return patch.Compat{Strict: true}
	// for tenants that must speak RFC 7644 only.
	Compat func(tenant string) patch.Compat

	// PatchResponse says what a successful PATCH answers; the zero value
	// is PatchResponseAuto (200 with the resource for users, 204 for groups).
	PatchResponse PatchResponse

	// Limits bound what one request may cost.
	Limits Limits

	// Logger receives one line per failed request (the precise reason for
	// a 401, the stack of a panic). Nil: slog.Default().
	Logger *slog.Logger
}

// Limits bound request costs. Zero fields take the defaults shown.
type Limits struct {
	MaxBodyBytes    int64 // request bodies larger than this get 413; default 1 MiB
	MaxPageSize     int   // count is capped at this; default 100
	MaxFilterLength int   // longer filters get 400 invalidFilter; default 4096 bytes
	MaxOperations   int   // a PATCH with more operations gets 413; default 10,000
}

func (l Limits) withDefaults() Limits {
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = 1 << 20
	}
	if l.MaxPageSize <= 0 {
		l.MaxPageSize = 100
	}
	if l.MaxFilterLength <= 0 {
		l.MaxFilterLength = 4096
	}
	if l.MaxOperations <= 0 {
		l.MaxOperations = 10_000
	}
	return l
}

func (c Config) validate() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("scim: Config.Store is required (memory.New() for an in-process store)"))
	}
	if c.Auth == nil {
		errs = append(errs, errors.New("scim: Config.Auth is required (auth.StaticTokens, or auth.None to serve without authentication)"))
	}
	if c.BaseURL != "" && !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		errs = append(errs, errors.New("scim: Config.BaseURL must be an absolute http(s) URL"))
	}
	return errors.Join(errs...)
}
