package scim

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/scimkit/scimkit/internal/clip"
)

// AccessLog is the default Observer: one structured line per request,
// logged with the request's context, so that the service's own
// slog.Handler can add its request and trace ids to it. A request
// answered 2xx or 3xx is logged at the level given to NewAccessLog
// (INFO by default), a 4xx at WARN with the reason, a 5xx at ERROR with
// its cause (the Store method and database error behind a 503, the
// stack of a panic).
//
// The line names the request (request_id, method, route, path), who
// sent it (tenant, subject), what Entra was doing (operation), how it
// was answered (status, scim_type, detail, entra_code, quarantine_risk),
// what it cost (duration, req_bytes, resp_bytes, results) and, for a
// PATCH in one of Entra's non-standard forms, the rewrites applied.
//
// Values taken from the request are cut to a few hundred bytes, and 401s
// are summarised: per source address, the first of each minute is logged
// and the rest counted, their number (held_back) reported on the
// source's next line.
type AccessLog struct {
	logger  *slog.Logger
	success slog.Level
	rejects *rejectLog
}

// NewAccessLog returns an AccessLog writing to logger (nil:
// slog.Default()) that logs successful requests at level success
// (slog.LevelInfo, or slog.LevelDebug for a quieter log).
func NewAccessLog(logger *slog.Logger, success slog.Level) *AccessLog {
	if logger == nil {
		logger = slog.Default()
	}
	return &AccessLog{logger: logger, success: success, rejects: newRejectLog(time.Now)}
}

// The messages of the access log's lines.
const (
	msgServed   = "scim: request"
	msgRefused  = "scim: request refused"
	msgRejected = "scim: request rejected: 401"
	msgFailed   = "scim: request failed"
)

// ObserveRequest logs e.
func (l *AccessLog) ObserveRequest(ctx context.Context, e *Event) {
	level, msg := l.success, msgServed
	switch {
	case e.Status >= 500:
		level, msg = slog.LevelError, msgFailed
	case e.Status == http.StatusUnauthorized:
		level, msg = slog.LevelWarn, msgRejected
	case e.Status >= 400:
		level, msg = slog.LevelWarn, msgRefused
	}
	if !l.logger.Enabled(ctx, level) {
		return
	}
	var held int
	var source string
	if e.Status == http.StatusUnauthorized {
		var logIt bool
		if logIt, source, held = l.rejects.admitAt(e.Remote, e.Start.Add(e.Duration)); !logIt {
			return
		}
	}

	var buf [24]slog.Attr
	a := append(buf[:0],
		slog.String("request_id", e.RequestID),
		slog.String("method", e.Method),
		slog.String("route", e.Route),
		slog.String("path", e.Path),
		slog.Int("status", e.Status),
		slog.String("operation", string(e.Operation)),
	)
	if e.Tenant != "" {
		a = append(a, slog.String("tenant", e.Tenant), slog.String("subject", e.Subject))
	}
	if e.ResourceType != "" {
		a = append(a, slog.String("resource", e.ResourceType))
	}
	a = append(a,
		slog.Duration("duration", e.Duration),
		slog.Int64("req_bytes", e.RequestBytes),
		slog.Int64("resp_bytes", e.ResponseBytes),
	)
	if e.Status < 300 && (e.Operation == OperationMatch || e.Operation == OperationTestConnection || e.Operation == OperationList) {
		a = append(a, slog.Int("results", e.Results))
	}
	if len(e.Rewrites) > 0 {
		a = append(a, slog.Int("rewrites", len(e.Rewrites)), slog.String("rewritten", clip.String(summarize(e.Rewrites), maxLogText)))
	}
	if e.EntraCode != "" {
		a = append(a, slog.String("entra_code", e.EntraCode))
		if e.QuarantineRisk {
			a = append(a, slog.Bool("quarantine_risk", true))
		}
	}
	if e.ScimType != "" {
		a = append(a, slog.String("scim_type", string(e.ScimType)))
	}
	switch {
	case e.Status == http.StatusUnauthorized:
		a = append(a, slog.String("remote", clip.String(e.Remote, maxLogPath)))
		if e.Err != nil {
			a = append(a, slog.String("reason", clip.String(e.Err.Error(), maxLogText)))
		}
		if held > 0 {
			a = append(a, slog.String("source", source), slog.Int("held_back", held))
		}
	case e.Status >= 500:
		if pe, ok := errors.AsType[*PanicError](e.Err); ok {
			a = append(a, slog.String("panic", clip.String(pe.Error(), maxLogText)), slog.String("stack", string(pe.Stack)))
		} else if e.Err != nil {
			msg, a = appendFailure(msg, a, e.Err)
		}
	case e.Status >= 400 && e.Detail != "":
		a = append(a, slog.String("detail", clip.String(e.Detail, maxLogText)))
	}
	l.logger.LogAttrs(ctx, level, msg, a...)
}
