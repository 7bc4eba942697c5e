package otelscim

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/scimkit/scimkit/store"
)

// Store wraps s so that each of its calls is a child span of the
// request's span ("store.Create", "store.List" …) and is timed in the
// scim.store.duration histogram. The wrapper has exactly the optional
// capabilities of s: store.MemberPatcher (its PatchMembers traced too),
// store.Feed, a CheckHealth method (scim.HealthChecker); and it pages by
// cursor when s does (store.PagesByCursor).
func (t *Telemetry) Store(s store.Store) store.Store {
	b := &tracedStore{inner: s, t: t}
	mp, hasMP := s.(store.MemberPatcher)
	f, hasFeed := s.(store.Feed)
	hc, hasHC := s.(healthChecker)
	m := tracedMembers{b, mp}
	fd := feed{f}
	h := health{hc}
	switch {
	case hasMP && hasFeed && hasHC:
		return struct {
			*tracedStore
			tracedMembers
			feed
			health
		}{b, m, fd, h}
	case hasMP && hasFeed:
		return struct {
			*tracedStore
			tracedMembers
			feed
		}{b, m, fd}
	case hasMP && hasHC:
		return struct {
			*tracedStore
			tracedMembers
			health
		}{b, m, h}
	case hasFeed && hasHC:
		return struct {
			*tracedStore
			feed
			health
		}{b, fd, h}
	case hasMP:
		return struct {
			*tracedStore
			tracedMembers
		}{b, m}
	case hasFeed:
		return struct {
			*tracedStore
			feed
		}{b, fd}
	case hasHC:
		return struct {
			*tracedStore
			health
		}{b, h}
	}
	return b
}

type healthChecker interface {
	CheckHealth(ctx context.Context) error
}

// tracedStore is the wrapper of every Store: the five methods of
// store.Store and PagesByCursor.
type tracedStore struct {
	inner store.Store
	t     *Telemetry
}

// start begins the span of one Store call.
func (s *tracedStore) start(ctx context.Context, method, typ, id string) (context.Context, trace.Span, time.Time) {
	attrs := []attribute.KeyValue{AttrStoreMethod.String(method), AttrResourceType.String(typ)}
	if id != "" {
		attrs = append(attrs, AttrResourceID.String(id))
	}
	ctx, span := s.t.tracer.Start(ctx, "store."+method, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	return ctx, span, time.Now()
}

// end ends the span and records the call's duration.
func (s *tracedStore) end(ctx context.Context, span trace.Span, start time.Time, method, typ string, err error) {
	took := time.Since(start)
	labels := []attribute.KeyValue{AttrStoreMethod.String(method), AttrResourceType.String(typ)}
	if err != nil {
		kind := errorKind(err)
		labels = append(labels, attribute.String("error.type", kind))
		span.SetAttributes(attribute.String("error.type", kind))
		if kind == "unavailable" || kind == "_OTHER" {
			span.SetStatus(codes.Error, err.Error())
			span.RecordError(err)
		}
	}
	span.End()
	s.t.storeDuration.Record(ctx, took.Seconds(), metric.WithAttributes(labels...))
}

// errorKind names err for the error.type label: a bounded set.
func errorKind(err error) string {
	var ce *store.ConflictError
	var me *store.InvalidMemberError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "not_found"
	case errors.As(err, &ce), errors.Is(err, store.ErrConflict):
		return "conflict"
	case errors.Is(err, store.ErrPrecondition):
		return "precondition"
	case errors.As(err, &me), errors.Is(err, store.ErrInvalidMember):
		return "invalid_member"
	case errors.Is(err, store.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	}
	return "_OTHER"
}

func (s *tracedStore) Create(ctx context.Context, r *store.Resource) (*store.Resource, error) {
	ctx, span, start := s.start(ctx, "Create", r.Type, "")
	out, err := s.inner.Create(ctx, r)
	if err == nil && out != nil {
		span.SetAttributes(AttrResourceID.String(out.ID))
	}
	s.end(ctx, span, start, "Create", r.Type, err)
	return out, err
}

func (s *tracedStore) Get(ctx context.Context, typ, id string) (*store.Resource, error) {
	ctx, span, start := s.start(ctx, "Get", typ, id)
	out, err := s.inner.Get(ctx, typ, id)
	s.end(ctx, span, start, "Get", typ, err)
	return out, err
}

func (s *tracedStore) Update(ctx context.Context, typ, id, ifMatch string, fn func(*store.Resource) error) (*store.Resource, error) {
	ctx, span, start := s.start(ctx, "Update", typ, id)
	out, err := s.inner.Update(ctx, typ, id, ifMatch, fn)
	s.end(ctx, span, start, "Update", typ, err)
	return out, err
}

func (s *tracedStore) Delete(ctx context.Context, typ, id, ifMatch string) error {
	ctx, span, start := s.start(ctx, "Delete", typ, id)
	err := s.inner.Delete(ctx, typ, id, ifMatch)
	s.end(ctx, span, start, "Delete", typ, err)
	return err
}

func (s *tracedStore) List(ctx context.Context, typ string, q store.Query) (*store.Page, error) {
	ctx, span, start := s.start(ctx, "List", typ, "")
	out, err := s.inner.List(ctx, typ, q)
	if err == nil && out != nil {
		span.SetAttributes(AttrResults.Int(len(out.Resources)))
	}
	s.end(ctx, span, start, "List", typ, err)
	return out, err
}

// PagesByCursor answers for the wrapped Store (store.CursorPager).
func (s *tracedStore) PagesByCursor() bool { return store.PagesByCursor(s.inner) }

// Unwrap returns the wrapped Store.
func (s *tracedStore) Unwrap() store.Store { return s.inner }

// tracedMembers is the store.MemberPatcher of a wrapper whose Store has
// one.
type tracedMembers struct {
	s  *tracedStore
	mp store.MemberPatcher
}

func (m tracedMembers) PatchMembers(ctx context.Context, groupID, ifMatch string, add []store.Member, remove []string) (*store.Resource, error) {
	ctx, span, start := m.s.start(ctx, "PatchMembers", store.Group, groupID)
	span.SetAttributes(attribute.Int("scim.members.added", len(add)), attribute.Int("scim.members.removed", len(remove)))
	out, err := m.mp.PatchMembers(ctx, groupID, ifMatch, add, remove)
	m.s.end(ctx, span, start, "PatchMembers", store.Group, err)
	return out, err
}

// feed passes the wrapped Store's store.Feed through: a Feed is read
// outside requests, by consumers, and is not traced.
type feed struct{ f store.Feed }

func (f feed) Claim(ctx context.Context, consumer string, max int, lease time.Duration) (*store.Batch, error) {
	return f.f.Claim(ctx, consumer, max, lease)
}

func (f feed) Ack(ctx context.Context, b *store.Batch) error { return f.f.Ack(ctx, b) }

func (f feed) Wait(ctx context.Context) error { return f.f.Wait(ctx) }

// health passes the wrapped Store's CheckHealth through.
type health struct{ hc healthChecker }

func (h health) CheckHealth(ctx context.Context) error { return h.hc.CheckHealth(ctx) }
