package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/scimkit/scimkit/internal/canon"
	"github.com/scimkit/scimkit/internal/clip"
	"github.com/scimkit/scimkit/internal/filter"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/store"
)

// ScimType is the scimType of an error response (RFC 7644 §3.12).
type ScimType string

// The scimType values of RFC 7644 §3.12.
const (
	InvalidFilter ScimType = "invalidFilter"
	TooMany       ScimType = "tooMany"
	Uniqueness    ScimType = "uniqueness"
	Mutability    ScimType = "mutability"
	InvalidSyntax ScimType = "invalidSyntax"
	InvalidPath   ScimType = "invalidPath"
	NoTarget      ScimType = "noTarget"
	InvalidValue  ScimType = "invalidValue"
	InvalidVers   ScimType = "invalidVers"
	Sensitive     ScimType = "sensitive"
)

// The scimType values RFC 9865 §2.1 adds for cursor paging. The Handler
// answers a cursor it cannot use with InvalidCursor; scimkit's cursors
// never expire, and it caps count rather than refusing it (RFC 7644
// §3.4.2.4), so ExpiredCursor and InvalidCount are there for Stores that
// return a *Error of their own.
const (
	InvalidCursor ScimType = "invalidCursor"
	ExpiredCursor ScimType = "expiredCursor"
	InvalidCount  ScimType = "invalidCount"
)

// Error is a SCIM error response (RFC 7644 §3.12). A Store (or anything
// else the Handler calls) may return one, wrapped or not, to choose the
// response itself: the Handler answers with it as it is.
type Error struct {
	Status   int      // HTTP status
	ScimType ScimType // one of the constants above, or ""
	Detail   string   // what to change, for the admin reading Entra's provisioning log
}

func (e *Error) Error() string {
	if e.ScimType != "" {
		return fmt.Sprintf("scim: %d %s: %s", e.Status, e.ScimType, e.Detail)
	}
	return fmt.Sprintf("scim: %d: %s", e.Status, e.Detail)
}

// StatusClientClosedRequest is the status an Event and the access log
// give a request whose client closed it before the answer was ready (499,
// as nginx names it): the client's context was canceled, so the Store's
// call ended with context.Canceled. Nothing reaches the client. It is not
// counted as a server error: Entra logs its own timeout.
const StatusClientClosedRequest = 499

func errorf(status int, scimType ScimType, format string, args ...any) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

// asError maps any error to the SCIM error a client should see.
func asError(err error) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	if errors.Is(err, store.ErrUnavailable) {
		return &Error{Status: http.StatusServiceUnavailable, Detail: unavailableDetail}
	}
	switch {
	case errors.Is(err, context.Canceled):
		// The client hung up (Entra gave up waiting) or the server is
		// shutting down: no one reads the answer, and it is no fault of
		// this service's to log as one.
		return &Error{Status: StatusClientClosedRequest, Detail: "the client closed the request before the answer was ready"}
	case errors.Is(err, context.DeadlineExceeded):
		// A deadline the service set on the request (a middleware's
		// timeout) passed: busy, not broken.
		return &Error{Status: http.StatusServiceUnavailable, Detail: "the answer took longer than this service allows; try again"}
	}
	var ve *canon.ValueError
	if errors.As(err, &ve) {
		return &Error{Status: http.StatusBadRequest, ScimType: InvalidValue, Detail: ve.Error()}
	}
	var pe *patch.Error
	if errors.As(err, &pe) {
		return &Error{Status: http.StatusBadRequest, ScimType: ScimType(pe.ScimType), Detail: pe.Detail}
	}
	var fe *store.FilterError
	if errors.As(err, &fe) {
		return &Error{Status: http.StatusBadRequest, ScimType: InvalidFilter, Detail: "filter: " + fe.Msg}
	}
	var sy *filter.SyntaxError
	if errors.As(err, &sy) {
		return &Error{Status: http.StatusBadRequest, ScimType: InvalidFilter, Detail: "filter: " + sy.Error()}
	}
	var ce *store.ConflictError
	if errors.As(err, &ce) {
		return &Error{Status: http.StatusConflict, ScimType: Uniqueness, Detail: fmt.Sprintf("%s %s already exists", ce.Attribute, ce.Value)}
	}
	var me *store.InvalidMemberError
	if errors.As(err, &me) {
		return &Error{Status: http.StatusBadRequest, ScimType: InvalidValue, Detail: fmt.Sprintf("members: no user or group with id %s", quoteList(me.IDs))}
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Detail: "resource not found"}
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, ScimType: Uniqueness, Detail: err.Error()}
	case errors.Is(err, store.ErrPrecondition):
		return &Error{Status: http.StatusPreconditionFailed, Detail: "the resource has changed since the version in If-Match; read it again"}
	case errors.Is(err, store.ErrInvalidMember):
		return &Error{Status: http.StatusBadRequest, ScimType: InvalidValue, Detail: err.Error()}
	case errors.Is(err, store.ErrInvalidCursor):
		return &Error{Status: http.StatusBadRequest, ScimType: InvalidCursor, Detail: clip.String(err.Error(), 512) + "; send the nextCursor of the previous page, with the first request's other parameters, or an empty cursor for the first page"}
	case errors.Is(err, store.ErrUnsupportedType):
		return &Error{Status: http.StatusNotImplemented, Detail: "this resource type is not stored by this service"}
	}
	return &Error{Status: http.StatusInternalServerError, Detail: "internal error"}
}

// quoteList quotes ids for an error's detail: the first ten, each cut to
// 64 bytes, and how many more there are.
func quoteList(ids []string) string {
	const shown = 10
	b := make([]byte, 0, 64)
	for i, id := range ids[:min(len(ids), shown)] {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendQuote(b, clip.String(id, 64))
	}
	if len(ids) > shown {
		b = fmt.Appendf(b, " and %d more", len(ids)-shown)
	}
	return string(b)
}

// withRequestID returns e with the request id at the end of its detail,
// so that the text Entra shows under "Web Response" in its provisioning
// log leads to the server's log line for the request. e is not changed:
// a Store may return the same *Error to several requests.
func withRequestID(e *Error, rid string) *Error {
	d := "request id " + rid
	if e.Detail != "" {
		d = e.Detail + " (" + d + ")"
	}
	return &Error{Status: e.Status, ScimType: e.ScimType, Detail: d}
}

func writeError(w http.ResponseWriter, e *Error) {
	buf := make([]byte, 0, 160+len(e.Detail))
	buf = append(buf, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"`...)
	buf = strconv.AppendInt(buf, int64(e.Status), 10)
	buf = append(buf, '"')
	if e.ScimType != "" {
		buf = append(buf, `,"scimType":`...)
		buf = appendString(buf, string(e.ScimType))
	}
	if e.Detail != "" {
		buf = append(buf, `,"detail":`...)
		buf = appendString(buf, e.Detail)
	}
	buf = append(buf, '}')
	writeJSON(w, e.Status, buf)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = scimContentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// scimContentType is shared by every response; net/http never modifies it.
var scimContentType = []string{"application/scim+json"}
