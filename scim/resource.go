package scim

import (
	"errors"
	"net/http"

	"github.com/scimkit/scimkit/internal/canon"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

func (h *Handler) projectionOf(req *request, rt *schema.ResourceType) (*projection, error) {
	return parseProjection(rt, req.query.attributes, req.query.excluded, h.limits.MaxAttributes)
}

// writeResource answers with one resource, its ETag and, for 201, Location.
func (h *Handler) writeResource(req *request, rt *schema.ResourceType, r *store.Resource, status int, proj *projection) error {
	hd := req.w.Header()
	hd.Set("ETag", etag(r.Version))
	if status == http.StatusCreated {
		hd.Set("Location", location(req.baseURL, rt, r.ID))
	}
	if req.headersOnly {
		req.w.WriteHeader(status)
		return nil
	}
	// The stored attributes plus id, schemas, meta and references: one
	// allocation for a typical resource.
	buf, err := h.appendResource(make([]byte, 0, len(r.Attributes)+512+96*(len(r.Members)+len(r.Groups))), rt, r, req.baseURL, proj)
	if err != nil {
		return err
	}
	writeJSON(req.w, status, buf)
	return nil
}

func (h *Handler) create(req *request, rt *schema.ResourceType) error {
	proj, err := h.projectionOf(req, rt)
	if err != nil {
		return err
	}
	body, err := h.readBody(req)
	if err != nil {
		return err
	}
	r, err := h.toResource(req, rt, body)
	if err != nil {
		return err
	}
	hk := h.hooksFor(req, OpCreate, rt.Name, "")
	if err := hk.before(nil, r, nil); err != nil {
		return err
	}
	created, err := h.store.Create(hk.ctx(req), r)
	if err != nil {
		return err
	}
	hk.after(nil, created, nil)
	return h.writeResource(req, rt, created, http.StatusCreated, proj)
}

func (h *Handler) get(req *request, rt *schema.ResourceType, id string) error {
	proj, err := h.projectionOf(req, rt)
	if err != nil {
		return err
	}
	r, err := h.store.Get(req.ctx, rt.Name, id)
	if err != nil {
		return notFoundAs(err, rt, id)
	}
	if noneMatch(req.r, r.Version) {
		req.w.Header().Set("ETag", etag(r.Version))
		req.w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return h.writeResource(req, rt, r, http.StatusOK, proj)
}

func (h *Handler) replace(req *request, rt *schema.ResourceType, id string) error {
	proj, err := h.projectionOf(req, rt)
	if err != nil {
		return err
	}
	body, err := h.readBody(req)
	if err != nil {
		return err
	}
	next, err := h.toResource(req, rt, body)
	if err != nil {
		return err
	}
	hk := h.hooksFor(req, OpReplace, rt.Name, id)
	var before store.Resource
	updated, err := h.store.Update(hk.ctx(req), rt.Name, id, ifMatch(req.r), func(cur *store.Resource) error {
		if err := checkImmutable(rt, cur, next); err != nil {
			return err
		}
		next.ID = cur.ID
		if hk != nil {
			before = *cur
			if err := hk.before(&before, next, nil); err != nil {
				return err
			}
		}
		*cur = *next
		return nil
	})
	if err != nil {
		return notFoundAs(err, rt, id)
	}
	hk.after(&before, updated, nil)
	return h.writeResource(req, rt, updated, http.StatusOK, proj)
}

func (h *Handler) delete(req *request, rt *schema.ResourceType, id string) error {
	if h.hooks != nil {
		return h.deleteWithHooks(req, rt, id)
	}
	if err := h.store.Delete(req.ctx, rt.Name, id, ifMatch(req.r)); err != nil {
		return notFoundAs(err, rt, id)
	}
	req.w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteWithHooks reads the resource first, for the hooks to see what is
// deleted, and deletes exactly the version they saw: a write in between
// makes it read again (a client's If-Match still applies).
func (h *Handler) deleteWithHooks(req *request, rt *schema.ResourceType, id string) error {
	match := ifMatch(req.r)
	for attempt := 0; ; attempt++ {
		hk := h.hooksFor(req, OpDelete, rt.Name, id)
		cur, err := h.store.Get(req.ctx, rt.Name, id)
		if err != nil {
			return notFoundAs(err, rt, id)
		}
		if !store.VersionMatches(match, cur.Version) {
			return asError(store.ErrPrecondition)
		}
		if err := hk.before(cur, nil, nil); err != nil {
			return err
		}
		err = h.store.Delete(hk.ctx(req), rt.Name, id, cur.Version)
		if errors.Is(err, store.ErrPrecondition) && attempt < 3 {
			continue // changed since read: the hooks must see it again
		}
		if err != nil {
			return notFoundAs(err, rt, id)
		}
		hk.after(cur, nil, nil)
		req.w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// notFoundAs names the resource in a 404's detail.
func notFoundAs(err error, rt *schema.ResourceType, id string) error {
	e := asError(err)
	if e.Status == http.StatusNotFound {
		return errorf(http.StatusNotFound, "", "%s %s not found", rt.Name, id)
	}
	return err
}

// checkImmutable refuses a PUT that changes an immutable attribute that
// already has a value (RFC 7643 §2.2).
func checkImmutable(rt *schema.ResourceType, cur, next *store.Resource) error {
	if !canon.HasImmutable(rt) {
		return nil
	}
	before, err := store.DecodeAttributes(cur)
	if err != nil {
		return err
	}
	after, err := store.DecodeAttributes(next)
	if err != nil {
		return err
	}
	if name := canon.ChangedImmutable(rt, before, after); name != "" {
		return errorf(http.StatusBadRequest, Mutability, "%s is immutable and already set", name)
	}
	return nil
}
