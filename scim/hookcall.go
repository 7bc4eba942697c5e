package scim

import (
	"context"
	"errors"
	"fmt"

	"github.com/scimkit/scimkit/store"
)

// A write with Hooks goes through a writeHooks: it calls BeforeWrite,
// hears from the Store which events the write committed
// (store.WithCommitted) and calls AfterWrite with them.
type writeHooks struct {
	h        *Handler
	req      *request
	change   Change
	reported bool          // the Store reported the committed events
	events   []store.Event // what it reported
}

// hooksFor returns the writeHooks of one write of op on rt's resource id,
// or nil when no Hooks are configured. Store calls of the write must use
// w.ctx(req).
func (h *Handler) hooksFor(req *request, op Op, typ, id string) *writeHooks {
	if h.hooks == nil {
		return nil
	}
	return &writeHooks{h: h, req: req, change: Change{Op: op, Type: typ, ID: id, Principal: req.p, RequestID: store.RequestID(req.ctx)}}
}

// ctx returns the context for the write's Store calls: with hooks, one
// in which the Store reports the events it commits.
func (w *writeHooks) ctx(req *request) context.Context {
	if w == nil {
		return req.ctx
	}
	return store.WithCommitted(req.ctx, func(evs []store.Event) {
		w.reported = true
		w.events = append(w.events, evs...)
	})
}

// before calls BeforeWrite with the change from before to after (either
// nil), or with events when the Handler cannot see the resources (a
// store.MemberPatcher's member change). It returns the error to answer.
func (w *writeHooks) before(before, after *store.Resource, events []store.Event) error {
	if w == nil {
		return nil
	}
	c := w.change
	c.Before, c.After = before, after
	if events == nil {
		events = store.Changes(before, after)
	}
	store.StampEvents(w.req.ctx, w.h.now(), events)
	c.Events = events
	if err := w.h.hooks.BeforeWrite(w.req.ctx, &c); err != nil {
		return hookError(err)
	}
	return nil
}

// after calls AfterWrite with the committed change: the events the Store
// reported, else those the Handler works out from before and after (or
// fallback, stamped, when it cannot see the resources).
func (w *writeHooks) after(before, after *store.Resource, fallback []store.Event) {
	if w == nil {
		return
	}
	c := w.change
	c.Before, c.After = before, after
	if after != nil {
		c.ID = after.ID
	}
	if w.reported {
		c.Events = w.events
	} else {
		if fallback == nil {
			fallback = store.Changes(before, after)
		}
		store.StampEvents(w.req.ctx, w.h.now(), fallback)
		c.Events = fallback
	}
	w.h.hooks.AfterWrite(w.req.ctx, &c)
}

// hookError is what a BeforeWrite error answers: a *Error as it is, an
// unavailable dependency 503, anything else 500 (logged by ServeHTTP).
func hookError(err error) error {
	var e *Error
	if errors.As(err, &e) || errors.Is(err, store.ErrUnavailable) {
		return err
	}
	return &hookFailure{err}
}

// hookFailure is a BeforeWrite error that is no SCIM error: a 500,
// whatever it wraps (it does not unwrap, so that a hook's own
// store.ErrNotFound, say, is not answered 404).
type hookFailure struct{ err error }

func (f *hookFailure) Error() string { return fmt.Sprintf("scim: BeforeWrite hook failed: %v", f.err) }

// memberEvents returns the events a member-only PATCH asks for, the group
// at version afterwards ("" before the write).
func memberEvents(groupID string, add []store.Member, remove []string, version string) []store.Event {
	evs := make([]store.Event, 0, len(add)+len(remove))
	for _, m := range add {
		evs = append(evs, store.MemberEvent(store.MemberAdded, groupID, version, m))
	}
	for _, id := range remove {
		evs = append(evs, store.MemberEvent(store.MemberRemoved, groupID, version, store.Member{Value: id}))
	}
	return evs
}
