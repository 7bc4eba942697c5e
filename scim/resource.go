package scim

import (
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
	created, err := h.store.Create(req.ctx, r)
	if err != nil {
		return err
	}
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
	updated, err := h.store.Update(req.ctx, rt.Name, id, ifMatch(req.r), func(cur *store.Resource) error {
		if err := checkImmutable(rt, cur, next); err != nil {
			return err
		}
		next.ID = cur.ID
		*cur = *next
		return nil
	})
	if err != nil {
		return notFoundAs(err, rt, id)
	}
	return h.writeResource(req, rt, updated, http.StatusOK, proj)
}

func (h *Handler) delete(req *request, rt *schema.ResourceType, id string) error {
	if err := h.store.Delete(req.ctx, rt.Name, id, ifMatch(req.r)); err != nil {
		return notFoundAs(err, rt, id)
	}
	req.w.WriteHeader(http.StatusNoContent)
	return nil
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
