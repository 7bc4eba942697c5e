package scim

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/scimkit/scimkit/internal/entracode"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
)

// Observer receives one Event for every request the Handler serves, once
// its response is written. Set it in Config.Observer; the default is an
// AccessLog through Config.Logger. ObserverFunc adapts a function,
// MultiObserver combines several, and otelscim (a module of its own)
// turns events into OpenTelemetry spans and metrics.
//
// ObserveRequest runs in the request's goroutine, before ServeHTTP
// returns: it should be quick. ctx is the request's context, with its
// request id (store.RequestID) and, once authenticated, its principal
// (auth.PrincipalFrom). e is valid only during the call.
type Observer interface {
	ObserveRequest(ctx context.Context, e *Event)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(ctx context.Context, e *Event)

// ObserveRequest calls f.
func (f ObserverFunc) ObserveRequest(ctx context.Context, e *Event) { f(ctx, e) }

// NoObserver observes nothing: set Config.Observer to NoObserver{} to
// turn the access log off. The Handler then does no per-request
// bookkeeping at all.
type NoObserver struct{}

// ObserveRequest does nothing.
func (NoObserver) ObserveRequest(context.Context, *Event) {}

// MultiObserver returns an Observer that passes each event to every one
// of obs, in order (an access log and otelscim, say).
func MultiObserver(obs ...Observer) Observer {
	list := make(multiObserver, 0, len(obs))
	for _, o := range obs {
		if o == nil {
			continue
		}
		if _, none := o.(NoObserver); !none {
			list = append(list, o)
		}
	}
	return list
}

type multiObserver []Observer

func (m multiObserver) ObserveRequest(ctx context.Context, e *Event) {
	for _, o := range m {
		o.ObserveRequest(ctx, e)
	}
}

// Event is what one request was and how it was answered, in the words of
// Entra's provisioning log.
type Event struct {
	Start    time.Time     // when the request reached the Handler (Config.Clock)
	Duration time.Duration // until its response was written

	RequestID string // X-Request-ID: the client's, or one the Handler made
	Remote    string // http.Request.RemoteAddr

	// The principal; empty when the request was not authenticated.
	Tenant, Subject, AuthMethod string

	Method string // the HTTP method
	// Route is the route template: "/Users", "/Users/{id}",
	// "/Users/.search", "/Bulk", "/Schemas/{id}" … ("" for a path the
	// Handler does not serve). Unlike Path, it is a safe metric label.
	Route        string
	Path         string // the URL path, as sent (cut to 256 bytes)
	ResourceType string // "User", "Group" …, or ""
	ResourceID   string // the {id} of the route, or ""

	Operation Operation // the provisioning operation, as Entra names it
	Status    int       // the HTTP status answered
	ScimType  ScimType  // the scimType of an error response
	Detail    string    // the detail of an error response, without the request id

	// Err is why the request failed: the authenticator's reason for a
	// 401, the Store's error behind a 5xx (a *PanicError after a panic).
	// It may name hosts and users: log it, do not show it to clients.
	Err error

	// EntraCode is the code Entra's provisioning log shows an admin for
	// this answer ("" for success): SystemForCrossDomainIdentityManagementBadRequest,
	// …ServiceIncompatible, DuplicateTargetEntries, InvalidAnchor,
	// Unauthorized …
	EntraCode string
	// QuarantineRisk says that a burst of answers like this one puts the
	// Entra provisioning job in quarantine (401, 403 and 5xx).
	QuarantineRisk bool

	RequestBytes  int64 // body bytes read from the request
	ResponseBytes int64 // body bytes written in the response

	// Results is the totalResults of a list or search answered 200.
	Results int

	// Rewrites are what patch.Normalize changed in a PATCH (Entra's
	// "Replace", "False" and path-less forms …), also those of the PATCH
	// operations of a /Bulk.
	Rewrites []patch.Rewrite
}

// PanicError is the Event.Err of a request whose handling panicked: the
// Handler answered 500.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the goroutine's stack at the panic
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// observation is the per-request bookkeeping of an observed request:
// one allocation holds the Event, the ResponseWriter that counts and the
// body reader that counts.
type observation struct {
	ev   Event
	rw   countingWriter
	body countingBody
}

// countingWriter records the status and counts the bytes of a response.
type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *countingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the server's ResponseWriter.
func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// countingBody counts the bytes read from a request body.
type countingBody struct {
	io.ReadCloser
	n int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}

// patched records the operation of a PATCH and the rewrites Normalize
// applied to it. Inside a /Bulk the operation stays OperationBulk.
func (o *observation) patched(rt *schema.ResourceType, ops []patch.Operation, rewrites []patch.Rewrite) {
	if o == nil {
		return
	}
	if o.ev.Rewrites == nil {
		o.ev.Rewrites = slices.Clip(rewrites) // Normalize's own: no copy
	} else {
		o.ev.Rewrites = append(o.ev.Rewrites, rewrites...)
	}
	if o.ev.Method == http.MethodPatch && o.ev.Operation == OperationUpdate {
		o.ev.Operation = patchOperation(rt, ops)
	}
}

// listed records the totalResults of a list.
func (o *observation) listed(total int) {
	if o != nil {
		o.ev.Results = total
	}
}

// finish completes the Event of a request whose response is written.
func (h *Handler) finish(ctx context.Context, o *observation) {
	e := &o.ev
	e.Duration = h.now().Sub(e.Start)
	e.Status = o.rw.status
	if e.Status == 0 {
		e.Status = http.StatusOK
	}
	e.ResponseBytes = o.rw.n
	e.RequestBytes = o.body.n
	e.EntraCode = entracode.ForResults(e.Operation, e.Status, string(e.ScimType), e.Results)
	e.QuarantineRisk = entracode.Quarantines(e.Status)
	h.observer.ObserveRequest(ctx, e)
}
