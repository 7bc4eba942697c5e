package scim

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/scimkit/scimkit/internal/clip"
	"github.com/scimkit/scimkit/store"
)

// unavailableDetail is the detail of the 503 answering a request the
// Store could not serve now (store.ErrUnavailable). The driver's words
// stay in the log: they may name hosts, users and tables.
const unavailableDetail = "the service's database is unavailable; retry later"

// defaultRetryAfter is the Retry-After of a 503 when Config.RetryAfter is
// zero.
const defaultRetryAfter = 30 * time.Second

// retryAfterSeconds renders d as a Retry-After value: whole seconds,
// rounded up, at least one.
func retryAfterSeconds(d time.Duration) string {
	if d <= 0 {
		d = defaultRetryAfter
	}
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}

// logFailure logs a request (or Bulk operation) answered with a 5xx, at
// ERROR, with the request id the access log's line for the request has. For an unavailable store the line names the Store method and
// the cause, and says when a write may or may not have been applied.
func (h *Handler) logFailure(ctx context.Context, msg, tenant, method, path string, status int, err error) {
	attrs := []slog.Attr{
		slog.String("request_id", store.RequestID(ctx)),
		slog.String("tenant", tenant),
		slog.String("method", method),
		slog.String("path", clip.String(path, maxLogPath)),
		slog.Int("status", status),
	}
	msg, attrs = appendFailure(msg, attrs, err)
	h.log.LogAttrs(ctx, slog.LevelError, msg, attrs...)
}

// appendFailure adds to msg and attrs what a log line says of err, the
// cause of a 5xx.
func appendFailure(msg string, attrs []slog.Attr, err error) (string, []slog.Attr) {
	ue, ok := errors.AsType[*store.UnavailableError](err)
	switch {
	case ok:
		msg += ": the database is unavailable"
		if ue.OutcomeUnknown {
			msg += "; the write may or may not have been applied"
		}
		cause := err
		if ue.Err != nil {
			cause = ue.Err
		}
		attrs = append(attrs,
			slog.String("op", ue.Op),
			slog.Bool("outcome_unknown", ue.OutcomeUnknown),
			slog.String("cause", clip.String(cause.Error(), maxLogText)))
	case errors.Is(err, store.ErrUnavailable):
		msg += ": the database is unavailable"
		attrs = append(attrs, slog.String("cause", clip.String(err.Error(), maxLogText)))
	default:
		attrs = append(attrs, slog.String("error", clip.String(err.Error(), maxLogText)))
	}
	return msg, attrs
}
