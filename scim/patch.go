package scim

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	fp "github.com/scim2/filter-parser/v2"

	"github.com/scimkit/scimkit/internal/filter"
	"github.com/scimkit/scimkit/internal/jsonv"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// PatchResponse says what a successful PATCH answers. Entra and Okta accept
// both 200 with the resource and 204 (RFC 7644 §3.5.2).
type PatchResponse uint8

const (
	// PatchResponseAuto: 204 for groups, 200 with the resource otherwise
	// (a group's representation can hold 100,000 members; Microsoft's own
	// reference server answers 204 for groups too). A request that asks for
	// attributes or excludedAttributes always gets 200 with the resource.
	PatchResponseAuto PatchResponse = iota
	// PatchResponseResource: always 200 with the resource.
	PatchResponseResource
	// PatchResponseNoContent: always 204.
	PatchResponseNoContent
)

// errUnchanged ends an Update whose PATCH changed nothing: nothing is
// written and the version stays.
var errUnchanged = errors.New("scim: patch changed nothing")

func (h *Handler) patch(req *request, rt *schema.ResourceType, id string) error {
	attrsParam, exclParam := req.query.attributes, req.query.excluded
	proj, err := parseProjection(rt, attrsParam, exclParam, h.limits.MaxAttributes)
	if err != nil {
		return err
	}
	body, err := h.readBody(req)
	if err != nil {
		return err
	}
	preq, err := patch.Parse(body)
	if err != nil {
		return err
	}
	compat := h.compat(req.p.Tenant)
	if len(preq.Operations) > h.limits.MaxOperations {
		return errorf(http.StatusRequestEntityTooLarge, "", "%d operations in one PATCH; at most %d", len(preq.Operations), h.limits.MaxOperations)
	}
	norm, rewrites, err := patch.Normalize(preq, rt, compat)
	if err != nil {
		return err
	}
	req.obs.patched(rt, norm.Operations, rewrites)
	wantBody := h.patchResponse == PatchResponseResource ||
		(h.patchResponse == PatchResponseAuto && (rt.Name != store.Group || attrsParam != "" || exclParam != ""))
	if h.patchResponse == PatchResponseNoContent {
		wantBody = false
	}

	var updated *store.Resource
	if mp, ok := h.store.(store.MemberPatcher); ok && rt.Name == store.Group {
		if add, remove, ok := memberOnly(norm.Operations); ok {
			hk := h.hooksFor(req, OpPatch, rt.Name, id)
			if err := hk.before(nil, nil, memberEvents(id, add, remove, "")); err != nil {
				return err
			}
			updated, err = mp.PatchMembers(hk.ctx(req), id, ifMatch(req.r), add, remove)
			if err != nil {
				return notFoundAs(err, rt, id)
			}
			hk.after(nil, nil, memberEvents(id, add, remove, updated.Version))
			if wantBody {
				if updated, err = h.store.Get(req.ctx, rt.Name, id); err != nil {
					return notFoundAs(err, rt, id)
				}
			}
			return h.patchAnswer(req, rt, updated, wantBody, proj)
		}
	}

	mgr, err := h.lookupManagers(req, rt, managerIDs(rt, norm.Operations))
	if err != nil {
		return err
	}
	hk := h.hooksFor(req, OpPatch, rt.Name, id)
	var before store.Resource
	updated, err = h.store.Update(hk.ctx(req), rt.Name, id, ifMatch(req.r), func(cur *store.Resource) error {
		// Top level only: Apply decodes the attributes it touches, and the
		// rest are written back byte for byte.
		attrs := map[string]any{}
		if len(cur.Attributes) > 0 {
			var err error
			if attrs, err = jsonv.DecodeTop(cur.Attributes); err != nil {
				return fmt.Errorf("scim: stored %s %s: %w", rt.Name, id, err)
			}
		}
		if rt.Name == store.Group && len(cur.Members) > 0 {
			ms := make([]any, len(cur.Members))
			for i, m := range cur.Members {
				e := map[string]any{"value": m.Value}
				if m.Display != "" {
					e["display"] = m.Display
				}
				ms[i] = e
			}
			attrs["members"] = ms
		}
		changed, err := patch.Apply(attrs, norm.Operations, rt, compat, patch.Limits{MaxWork: h.limits.MaxPatchWork})
		if err != nil {
			return err
		}
		if !changed {
			return errUnchanged
		}
		// Apply validated every value it wrote and checked the required
		// attributes: attrs is canonical.
		next, err := h.build(rt, attrs, mgr)
		if err != nil {
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
	if err == nil {
		hk.after(&before, updated, nil)
	}
	if errors.Is(err, errUnchanged) {
		updated, err = h.store.Get(req.ctx, rt.Name, id)
	}
	if errors.Is(err, patch.ErrTooMuchWork) {
		return errorf(http.StatusRequestEntityTooLarge, "", "%v: this PATCH examines more than %d values of multi-valued attributes (value filters, duplicate checks); send its operations in several smaller requests", err, h.limits.MaxPatchWork)
	}
	if err != nil {
		return notFoundAs(err, rt, id)
	}
	return h.patchAnswer(req, rt, updated, wantBody, proj)
}

func (h *Handler) patchAnswer(req *request, rt *schema.ResourceType, r *store.Resource, wantBody bool, proj *projection) error {
	if !wantBody {
		req.w.Header().Set("ETag", etag(r.Version))
		req.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return h.writeResource(req, rt, r, http.StatusOK, proj)
}

func (h *Handler) compat(tenant string) patch.Compat {
	if h.compatFor == nil {
		return patch.Compat{}
	}
	return h.compatFor(tenant)
}

// memberOnly reports whether ops only add members (path "members") and
// remove single members (path members[value eq "id"]), and returns them.
func memberOnly(ops []patch.Operation) (add []store.Member, remove []string, ok bool) {
	if len(ops) == 0 {
		return nil, nil, false // the general path checks If-Match and changes nothing
	}
	for _, op := range ops {
		switch op.Op {
		case "add":
			if !strings.EqualFold(op.Path, "members") {
				return nil, nil, false
			}
			arr, isArr := op.Value.([]any)
			if !isArr {
				return nil, nil, false
			}
			for _, e := range arr {
				m, isMap := e.(map[string]any)
				id, _ := m["value"].(string)
				if !isMap || id == "" {
					return nil, nil, false
				}
				display, _ := m["display"].(string)
				add = append(add, store.Member{Value: id, Display: display})
			}
		case "remove":
			id, isOne := singleMember(op.Path)
			if !isOne {
				return nil, nil, false
			}
			remove = append(remove, id)
		default:
			return nil, nil, false
		}
	}
	// Removes run after adds in PatchMembers; an id both added and removed
	// needs the general path to keep the request's order.
	for _, id := range remove {
		for _, m := range add {
			if m.Value == id {
				return nil, nil, false
			}
		}
	}
	return add, remove, true
}

// singleMember recognises members[value eq "id"].
func singleMember(path string) (string, bool) {
	if len(path) < 8 || !strings.EqualFold(path[:8], "members[") {
		return "", false
	}
	p, err := filter.ParsePath(path)
	if err != nil || p.SubAttribute != nil || p.AttributePath.SubAttribute != nil || p.AttributePath.URIPrefix != nil {
		return "", false
	}
	e, ok := p.ValueExpression.(*fp.AttributeExpression)
	if !ok || !strings.EqualFold(string(e.Operator), "eq") || !strings.EqualFold(e.AttributePath.AttributeName, "value") ||
		e.AttributePath.SubAttribute != nil || e.AttributePath.URIPrefix != nil {
		return "", false
	}
	id, ok := e.CompareValue.(string)
	return id, ok && id != ""
}

// summarize renders rewrites for the log, one entry per distinct rewrite
// with the operations it applied to: `op-case ops 0,1,2: "Replace" → "replace"`.
func summarize(rewrites []patch.Rewrite) string {
	var b strings.Builder
	for i := 0; i < len(rewrites); {
		r := rewrites[i]
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(string(r.Quirk))
		b.WriteString(" op")
		sep := " "
		j := i
		for ; j < len(rewrites) && rewrites[j].Quirk == r.Quirk && rewrites[j].Before == r.Before && rewrites[j].After == r.After; j++ {
			if j > i && rewrites[j].Op == rewrites[j-1].Op {
				continue
			}
			b.WriteString(sep)
			b.WriteString(strconv.Itoa(rewrites[j].Op))
			sep = ","
		}
		b.WriteString(": ")
		b.WriteString(r.Before)
		b.WriteString(" → ")
		b.WriteString(r.After)
		i = j
	}
	return b.String()
}
