package scim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/internal/clip"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// Handler is a SCIM 2.0 endpoint. Build it with NewHandler; it is safe for
// concurrent use.
type Handler struct {
	store   store.Store
	auth    auth.Authenticator
	reg     *schema.Registry
	baseURL string
	strict  bool
	limits  Limits
	cursors bool // the Store pages by cursor (store.CursorPager)

	compatFor     func(tenant string) patch.Compat
	patchResponse PatchResponse
	log           *slog.Logger
	rejects       *rejectLog
	hooks         Hooks
	now           func() time.Time
	observer      Observer  // nil: none (NoObserver)
	observations  sync.Pool // of *observation: an Event is valid only during ObserveRequest
	accessLogged  bool      // observer logs every request: the Handler logs no line of its own for one
	routes        map[*schema.ResourceType]routeTemplates
	byEndpoint    map[string]*schema.ResourceType // by endpoint as declared, without "/": "Users"
	retryAfter    []string                        // the Retry-After header of a 503

	user, group  *schema.ResourceType
	rules        map[*schema.ResourceType]*typeRules
	endpoints    map[string]*schema.ResourceType // by lower-cased endpoint, without "/"
	endpointList string                          // "/Users, /Groups, …" for messages
	discovery    discovery
}

// NewHandler checks cfg and returns a Handler.
func NewHandler(cfg Config) (*Handler, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	h := &Handler{
		store:   cfg.Store,
		auth:    cfg.Auth,
		reg:     cfg.Schemas,
		baseURL: strings.TrimSuffix(cfg.BaseURL, "/"),
		strict:  cfg.StrictAttributes,
		limits:  cfg.Limits.withDefaults(),
		cursors: store.PagesByCursor(cfg.Store),
		log:     cfg.Logger,

		compatFor:     cfg.Compat,
		patchResponse: cfg.PatchResponse,
		retryAfter:    []string{retryAfterSeconds(cfg.RetryAfter)},
	}
	if h.reg == nil {
		h.reg = schema.NewRegistry()
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	now := cfg.Clock
	if now == nil {
		now = time.Now
	}
	h.now = now
	h.rejects = newRejectLog(now)
	h.hooks = cfg.Hooks
	switch o := cfg.Observer.(type) {
	case nil:
		h.observer, h.accessLogged = NewAccessLog(h.log, slog.LevelInfo), true
	case NoObserver:
	case multiObserver:
		if len(o) > 0 {
			h.observer, h.accessLogged = o, logsAccess(o)
		}
	default:
		h.observer, h.accessLogged = o, logsAccess(o)
	}
	h.user = h.reg.ResourceType(store.User)
	h.group = h.reg.ResourceType(store.Group)
	if h.user == nil || h.group == nil {
		return nil, errors.New("scim: Config.Schemas must define the User and Group resource types")
	}
	h.rules = make(map[*schema.ResourceType]*typeRules)
	h.endpoints = make(map[string]*schema.ResourceType)
	h.routes = make(map[*schema.ResourceType]routeTemplates)
	h.byEndpoint = make(map[string]*schema.ResourceType)
	var eps []string
	for _, rt := range h.reg.ResourceTypes() {
		h.rules[rt] = newTypeRules(h.reg, rt)
		h.endpoints[strings.ToLower(strings.TrimPrefix(rt.Endpoint, "/"))] = rt
		eps = append(eps, rt.Endpoint)
		ep := "/" + strings.Trim(rt.Endpoint, "/")
		h.routes[rt] = routeTemplates{list: ep, one: ep + "/{id}", search: ep + "/.search"}
		h.byEndpoint[ep[1:]] = rt
	}
	h.endpointList = strings.Join(eps, ", ")
	if in, ok := h.auth.(interface{ Insecure() string }); ok {
		h.log.Warn("scim: " + in.Insecure())
	}
	var err error
	if h.discovery, err = newDiscovery(h.reg, h.limits, h.cursors); err != nil {
		return nil, err
	}
	return h, nil
}

// request is what the routes of one request share.
type request struct {
	w       http.ResponseWriter
	r       *http.Request
	ctx     context.Context
	p       auth.Principal
	baseURL string
	query   listParams // the SCIM parameters of the query string

	// A Bulk operation runs as a request of its own, with its body
	// already decoded, and answers only its status and headers.
	body        map[string]any
	headersOnly bool

	// obs is the Event being recorded (nil when nothing observes).
	obs *observation
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rid := requestID(r)
	w.Header()["X-Request-Id"] = []string{rid}
	var o *observation
	if h.observer != nil {
		o, _ = h.observations.Get().(*observation)
		if o == nil {
			o = new(observation)
		}
		o.rw.ResponseWriter = w
		w = &o.rw
		e := &o.ev
		e.Start = h.now()
		e.RequestID, e.Remote, e.Method, e.Path = rid, r.RemoteAddr, r.Method, clip.String(r.URL.Path, maxLogPath)
	}
	r = r.WithContext(store.WithRequestID(r.Context(), rid))
	if o != nil && r.Body != nil && r.Body != http.NoBody {
		o.body.ReadCloser = r.Body
		r.Body = &o.body
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			pe := &PanicError{Value: v, Stack: debug.Stack()}
			if o != nil {
				o.ev.Err, o.ev.Detail, o.ev.ScimType = pe, "internal error", ""
			}
			if !h.accessLogged {
				h.log.ErrorContext(r.Context(), "scim: panic serving request", "method", r.Method, "path", clip.String(r.URL.Path, maxLogPath), "panic", clip.String(fmt.Sprint(v), maxLogText), "stack", string(pe.Stack))
			}
			writeError(w, withRequestID(&Error{Status: http.StatusInternalServerError, Detail: "internal error"}, rid))
		}
		if o != nil {
			h.finish(r.Context(), o)
			*o = observation{}
			h.observations.Put(o)
		}
	}()

	p, err := h.auth.Authenticate(r)
	if err == nil && p.Tenant == "" {
		err = errors.New("authenticator returned no tenant")
	}
	if err != nil {
		if o != nil {
			h.classify(&o.ev, r.Method, r.URL.Path, queryFilter(r))
			o.ev.Err, o.ev.Detail = err, "unauthorized"
		}
		if !h.accessLogged {
			h.logRejected(r, err)
		}
		challenge := `Bearer realm="scim"`
		if !errors.Is(err, auth.ErrNoToken) {
			challenge = `Bearer realm="scim", error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
		writeError(w, withRequestID(&Error{Status: http.StatusUnauthorized, Detail: "unauthorized"}, rid))
		return
	}
	ctx := auth.WithPrincipal(store.WithTenant(r.Context(), p.Tenant), p)
	req := &request{w: w, r: r, ctx: ctx, p: p, baseURL: h.base(r), obs: o}
	req.query, err = parseQuery(r.URL.RawQuery)
	if o != nil {
		o.ev.Tenant, o.ev.Subject, o.ev.AuthMethod = p.Tenant, p.Subject, p.Method
		h.classify(&o.ev, r.Method, r.URL.Path, req.query.filter)
	}
	if err == nil {
		err = h.route(req)
	}
	if err != nil {
		e := asError(err)
		if o != nil {
			o.ev.Err, o.ev.ScimType, o.ev.Detail = err, e.ScimType, e.Detail
		}
		if !h.accessLogged {
			if e.Status >= 500 {
				h.logFailure(r.Context(), "scim: request failed", p.Tenant, r.Method, r.URL.Path, e.Status, err)
			} else {
				h.log.DebugContext(r.Context(), "scim: request refused", "tenant", p.Tenant, "method", r.Method, "path", clip.String(r.URL.Path, maxLogPath), "status", e.Status, "detail", clip.String(e.Detail, maxLogText))
			}
		}
		if e.Status == http.StatusServiceUnavailable {
			w.Header()["Retry-After"] = h.retryAfter
		}
		writeError(w, withRequestID(e, rid))
	}
}

// queryFilter returns the filter parameter of r's query string, for the
// Event of a request refused before its query is parsed.
func queryFilter(r *http.Request) string {
	if !strings.Contains(r.URL.RawQuery, "ilter=") {
		return ""
	}
	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return ""
	}
	return q.filter
}

// logsAccess reports whether o is or includes an AccessLog.
func logsAccess(o Observer) bool {
	switch o := o.(type) {
	case *AccessLog:
		return true
	case multiObserver:
		for _, x := range o {
			if logsAccess(x) {
				return true
			}
		}
	}
	return false
}

// Values taken from a request are cut to these lengths in log lines, so
// that a request cannot write a log line of its own size.
const (
	maxLogPath = 256
	maxLogText = 1024
)

// logRejected logs a 401, or counts it when its source was logged less
// than a minute ago (rejectLog).
func (h *Handler) logRejected(r *http.Request, err error) {
	logIt, source, held := h.rejects.admit(r.RemoteAddr)
	if !logIt {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", clip.String(r.URL.Path, maxLogPath)),
		slog.String("remote", clip.String(r.RemoteAddr, maxLogPath)),
		slog.String("reason", clip.String(err.Error(), maxLogText)),
	}
	if held > 0 {
		attrs = append(attrs, slog.String("source", source), slog.Int("held_back", held))
	}
	h.log.LogAttrs(r.Context(), slog.LevelWarn, "scim: request rejected: 401", attrs...)
}

// base returns the absolute URL the endpoint is mounted at.
func (h *Handler) base(r *http.Request) string {
	if h.baseURL != "" {
		return h.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	prefix := ""
	orig := r.RequestURI
	if i := strings.IndexByte(orig, '?'); i >= 0 {
		orig = orig[:i]
	}
	if strings.HasPrefix(orig, "/") && strings.HasSuffix(orig, r.URL.EscapedPath()) {
		prefix = strings.TrimSuffix(orig[:len(orig)-len(r.URL.EscapedPath())], "/")
	}
	return scheme + "://" + r.Host + prefix
}

func (h *Handler) route(req *request) error {
	path := strings.Trim(req.r.URL.Path, "/")
	first, rest, _ := strings.Cut(path, "/")
	method := req.r.Method
	if rt := h.endpoints[strings.ToLower(first)]; rt != nil {
		return h.routeResource(req, rt, method, path, rest)
	}
	switch {
	case first == ".search" && rest == "":
		if method == http.MethodPost {
			return h.searchAll(req)
		}
		return methodNotAllowed(req.w, "POST")
	case strings.EqualFold(first, "Bulk") && rest == "":
		return h.bulk(req)
	case strings.EqualFold(first, "Me"):
		return errorf(http.StatusNotImplemented, "", "/Me is not supported: this endpoint does not map a bearer token to a resource (RFC 7644 §3.11)")
	case strings.EqualFold(first, "ServiceProviderConfig") && rest == "":
		return h.discovery.serve(req, method, h.discovery.spc)
	case strings.EqualFold(first, "Schemas"):
		return h.discovery.serveList(req, method, rest, h.discovery.schemas)
	case strings.EqualFold(first, "ResourceTypes"):
		return h.discovery.serveList(req, method, rest, h.discovery.types)
	}
	return errorf(http.StatusNotFound, "", "no such endpoint: /%s; this endpoint serves %s, /Schemas, /ResourceTypes and /ServiceProviderConfig", clip.String(path, maxLogPath), h.endpointList)
}

// routeResource serves the endpoint of resource type rt.
func (h *Handler) routeResource(req *request, rt *schema.ResourceType, method, path, rest string) error {
	if rest == "" {
		switch method {
		case http.MethodGet, http.MethodHead:
			return h.list(req, rt)
		case http.MethodPost:
			return h.create(req, rt)
		}
		return methodNotAllowed(req.w, "GET, POST")
	}
	if strings.Contains(rest, "/") {
		return errorf(http.StatusNotFound, "", "no such endpoint: /%s", clip.String(path, maxLogPath))
	}
	if rest == ".search" {
		if method == http.MethodPost {
			return h.search(req, rt)
		}
		return methodNotAllowed(req.w, "POST")
	}
	switch method {
	case http.MethodGet, http.MethodHead:
		return h.get(req, rt, rest)
	case http.MethodPut:
		return h.replace(req, rt, rest)
	case http.MethodDelete:
		return h.delete(req, rt, rest)
	case http.MethodPatch:
		return h.patch(req, rt, rest)
	}
	return methodNotAllowed(req.w, "GET, PUT, PATCH, DELETE")
}

func methodNotAllowed(w http.ResponseWriter, allow string) error {
	w.Header().Set("Allow", allow)
	return errorf(http.StatusMethodNotAllowed, "", "method not allowed here; allowed: %s", allow)
}
