package scim

import (
	"errors"
	"log/slog"
	"strings"
	"time"

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

	// Hooks, if set, is called before and after every write (see Hooks).
	Hooks Hooks

	// PatchResponse says what a successful PATCH answers; the zero value
	// is PatchResponseAuto (204 for groups, 200 with the resource otherwise).
	PatchResponse PatchResponse

	// Limits bound what one request may cost.
	Limits Limits

	// Logger receives the access log (one line per request, see
	// AccessLog) unless Observer is set, and otherwise the lines of failed
	// requests (the precise reason for a 401, the stack of a panic, the
	// store method and database error behind a 503). Values taken from the
	// request are cut to a few hundred bytes, and 401s are summarised: per
	// source address, the first of each minute is logged and the rest
	// counted, their number reported on the source's next line. Nil:
	// slog.Default().
	Logger *slog.Logger

	// Observer receives one Event per request (see Event). Nil: an
	// AccessLog through Logger, successes at INFO. NoObserver{} turns it
	// off; MultiObserver combines an AccessLog with otelscim's observer.
	Observer Observer

	// Clock returns the current time. Nil: time.Now.
	Clock func() time.Time

	// RetryAfter is how long a client should wait before it tries again
	// a request answered 503: the Retry-After header, in whole seconds.
	// The Handler answers 503 when the Store is unavailable
	// (store.ErrUnavailable: its database is down, restarting, overloaded
	// or the connection was lost); Entra retries such requests later.
	// Zero: 30 seconds.
	RetryAfter time.Duration
}

// Limits are the cost model of the Handler: what one request may make it
// do, checked before the work starts where the request shows it (sizes,
// counts) and while it runs where only the data shows it (comparisons).
// With them no request costs more than linear in its own size, and the
// data a request reads is bounded too. Zero fields take the defaults
// shown. A request over a limit gets an error naming it, except count
// (capped) and a list page (cut short), both as RFC 7644 §3.4.2.4 allows.
type Limits struct {
	// MaxBodyBytes: a larger request body gets 413. Default 1 MiB.
	MaxBodyBytes int64

	// MaxPageSize caps count in a list or .search, and is the page size
	// when count is not given (both advertised in /ServiceProviderConfig's
	// pagination object). Default 100.
	MaxPageSize int

	// MaxResponseBytes: a list page stops once its resources reach this
	// size; itemsPerPage says how many it holds and the client asks for
	// the next page from there (RFC 7644 §3.4.2.4); in cursor paging,
	// nextCursor points right after the last resource sent. At least one
	// resource is always returned. Default 4 MiB.
	MaxResponseBytes int

	// MaxFilterLength: a longer filter gets 400 invalidFilter. Default
	// 4096 bytes (which also bounds its terms).
	MaxFilterLength int

	// MaxFilterWork bounds what a filter no index can answer may cost one
	// request: the stored values it compares (one unit each, plus one per
	// 64 bytes of text), beyond store.WorkPerResource (8) per resource the
	// store evaluates it on. Past it the request gets 400 tooMany, saying
	// to narrow the filter with an equality on userName, externalId or id.
	// The filters Entra and Okta send cost a few units per resource, or
	// nothing when an index answers them, so they are never refused; a
	// filter of 200 terms is, once it has done this much work. Default
	// 1,000,000 (on the order of 100 ms of one core).
	MaxFilterWork int

	// MaxAttributes: more items in attributes or excludedAttributes get
	// 400 invalidValue; repeated items count once for the work. Default 100.
	MaxAttributes int

	// MaxOperations: a PATCH with more operations gets 413. Default 10,000.
	MaxOperations int

	// MaxPatchWork bounds the elements one PATCH may examine (value
	// filters and duplicate checks on multi-valued attributes, summed over
	// its operations). Past it the request gets 413, saying to send fewer
	// operations per request. Default 1,000,000.
	MaxPatchWork int

	// MaxValues: a write leaving more values in one multi-valued attribute
	// (emails, roles …; a group's members are not limited) gets 400
	// invalidValue. Default 1,000.
	MaxValues int

	// MaxResourceBytes: a write leaving a resource's stored attributes
	// (members not counted) larger than this gets 413. Default 128 KiB.
	MaxResourceBytes int

	// MaxBulkOperations and MaxBulkBytes bound a POST /Bulk (advertised
	// in /ServiceProviderConfig as maxOperations and maxPayloadSize); over
	// either it gets 413 naming it. Each operation also keeps the limits
	// of the single request it stands for, but for MaxBodyBytes: the
	// Bulk's own size bounds its operations. Defaults 1,000 and 4 MiB.
	MaxBulkOperations int
	MaxBulkBytes      int64
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = 1 << 20
	}
	def(&l.MaxPageSize, 100)
	def(&l.MaxResponseBytes, 4<<20)
	def(&l.MaxFilterLength, 4096)
	def(&l.MaxFilterWork, 1_000_000)
	def(&l.MaxAttributes, 100)
	def(&l.MaxOperations, 10_000)
	def(&l.MaxPatchWork, 1_000_000)
	def(&l.MaxValues, 1_000)
	def(&l.MaxResourceBytes, 128<<10)
	def(&l.MaxBulkOperations, 1_000)
	if l.MaxBulkBytes <= 0 {
		l.MaxBulkBytes = 4 << 20
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
