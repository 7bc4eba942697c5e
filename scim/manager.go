package scim

import (
	"errors"
	"strings"

	"github.com/scimkit/scimkit/internal/canon"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// manager returns the enterprise extension's manager object in canonical
// attributes, or nil.
func manager(attrs map[string]any) map[string]any {
	ext, _ := attrs[schema.EnterpriseUserURN].(map[string]any)
	m, _ := ext["manager"].(map[string]any)
	return m
}

// managerIDs returns the manager ids normalized PATCH operations set.
func managerIDs(rt *schema.ResourceType, ops []patch.Operation) []string {
	if rt.Extension(schema.EnterpriseUserURN) == nil {
		return nil
	}
	var ids []string
	add := func(v any) {
		if m, ok := v.(map[string]any); ok {
			if id, _ := m["value"].(string); id != "" {
				ids = append(ids, id)
			}
		}
	}
	for _, op := range ops {
		if op.Op == "remove" {
			continue
		}
		if op.Path == "" {
			obj, _ := op.Value.(map[string]any)
			add(manager(obj))
			continue
		}
		if s, rest, ok := canon.SplitURN(rt, op.Path); ok && s.ID == schema.EnterpriseUserURN && strings.EqualFold(rest, "manager") {
			add(op.Value)
		} else if strings.EqualFold(op.Path, "manager") {
			add(op.Value)
		}
	}
	return ids
}

// lookupManagers finds which of ids are users of the tenant, with the
// display name a manager reference carries. It runs before a store write
// (a Store may hold a lock during Update). A manager it cannot read is
// left without a display name, unless the store is unavailable: then the
// write would be too, and the error is returned.
func (h *Handler) lookupManagers(req *request, rt *schema.ResourceType, ids []string) (map[string]string, error) {
	if len(ids) == 0 || rt.Name != store.User {
		return nil, nil
	}
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		u, err := h.store.Get(req.ctx, store.User, id)
		if errors.Is(err, store.ErrUnavailable) {
			return nil, err
		}
		if err != nil {
			continue
		}
		out[id] = u.Display
	}
	return out, nil
}
