package scim

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/internal/canon"
	"github.com/scimkit/scimkit/internal/clip"
	"github.com/scimkit/scimkit/internal/jsonv"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// readBody decodes the request body as one JSON object.
func (h *Handler) readBody(req *request) (map[string]any, error) {
	if req.body != nil {
		return req.body, nil // a Bulk operation's data
	}
	return h.readBodyLimit(req, h.limits.MaxBodyBytes, "")
}

// readBodyLimit is readBody for a body of at most limit bytes; over it the
// 413 names the limit as what (the Bulk's "maxPayloadSize").
func (h *Handler) readBodyLimit(req *request, limit int64, what string) (map[string]any, error) {
	body := http.MaxBytesReader(req.w, req.r.Body, limit)
	m, err := decodeObject(body)
	if err == nil {
		return m, nil
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		if what != "" {
			return nil, errorf(http.StatusRequestEntityTooLarge, "", "the request body is larger than %s (%d bytes)", what, mbe.Limit)
		}
		return nil, errorf(http.StatusRequestEntityTooLarge, "", "the request body is larger than %d bytes", mbe.Limit)
	}
	if errors.Is(err, io.EOF) {
		return nil, errorf(http.StatusBadRequest, InvalidSyntax, "the request body is empty; send a JSON object")
	}
	var se *jsonv.SyntaxError
	if errors.As(err, &se) {
		return nil, errorf(http.StatusBadRequest, InvalidSyntax, "the request body is not valid JSON: %s at byte %d", se.Msg, se.Offset)
	}
	if errors.Is(err, errNotObject) {
		return nil, errorf(http.StatusBadRequest, InvalidSyntax, "the request body must be a JSON object")
	}
	return nil, errorf(http.StatusBadRequest, InvalidSyntax, "the request body is not valid JSON: %v", err)
}

// canonical validates a POST or PUT body (or a patched resource) for rt
// and returns its canonical attributes.
func (h *Handler) canonical(rt *schema.ResourceType, body map[string]any) (map[string]any, error) {
	attrs, err := canon.Canonicalize(rt, body, canon.Options{Strict: h.strict})
	if err != nil {
		return nil, err
	}
	if missing := canon.MissingRequired(rt, attrs); len(missing) > 0 {
		return nil, errorf(http.StatusBadRequest, InvalidValue, "required attribute missing or empty: %s", strings.Join(missing, ", "))
	}
	return attrs, nil
}

// build turns canonical attributes into the Resource to store. managers
// holds what lookupManagers found. Every write (POST, PUT, PATCH) reaches
// the Store through here, after typeRules.stored.
func (h *Handler) build(rt *schema.ResourceType, attrs map[string]any, managers map[string]string) (*store.Resource, error) {
	r := &store.Resource{Type: rt.Name}
	var err error
	if rt.Name == store.Group {
		if raw, ok := attrs["members"]; ok {
			delete(attrs, "members")
			if r.Members, err = members(raw); err != nil {
				return nil, err
			}
		}
	}
	delete(attrs, "groups")
	if err := h.checkValues(rt, attrs); err != nil {
		return nil, err
	}
	if m := manager(attrs); m != nil {
		id, _ := m["value"].(string)
		if display := managers[id]; display != "" {
			m["displayName"] = display
		} else if id == "" {
			// A PATCH removed manager.value: the displayName left
			// behind was the old manager's, and names nobody now.
			ext := attrs[schema.EnterpriseUserURN].(map[string]any)
			delete(ext, "manager")
			if len(ext) == 0 {
				delete(attrs, schema.EnterpriseUserURN)
			}
		}
	}
	h.rules[rt].stored(attrs)
	r.Unique = store.UniqueValues(rt, attrs)
	if r.Display = stringAttr(attrs["displayName"]); r.Display == "" {
		r.Display = stringAttr(attrs["userName"])
	}
	r.ExternalID = stringAttr(attrs["externalId"])
	for _, e := range rt.Extensions {
		if _, ok := attrs[e.ID]; ok {
			r.Schemas = append(r.Schemas, e.ID)
		}
	}
	if r.Attributes, err = marshal(attrs); err != nil {
		return nil, err
	}
	if len(r.Attributes) > h.limits.MaxResourceBytes {
		return nil, errorf(http.StatusRequestEntityTooLarge, "", "the %s would hold %d bytes of attributes; at most %d", rt.Name, len(r.Attributes), h.limits.MaxResourceBytes)
	}
	return r, nil
}

// checkValues refuses a multi-valued attribute holding more than
// Limits.MaxValues values. Values a PATCH did not touch are still raw and
// were checked when they were written.
func (h *Handler) checkValues(rt *schema.ResourceType, attrs map[string]any) error {
	check := func(s *schema.Schema, container map[string]any) error {
		for _, a := range s.Attributes {
			if !a.MultiValued {
				continue
			}
			if arr, ok := container[a.Name].([]any); ok && len(arr) > h.limits.MaxValues {
				return errorf(http.StatusBadRequest, InvalidValue, "%s has %d values; at most %d", a.Name, len(arr), h.limits.MaxValues)
			}
		}
		return nil
	}
	if err := check(rt.Schema, attrs); err != nil {
		return err
	}
	for _, e := range rt.Extensions {
		if ext, ok := attrs[e.ID].(map[string]any); ok {
			if err := check(e, ext); err != nil {
				return err
			}
		}
	}
	return nil
}

// toResource validates a POST or PUT body and builds the Resource.
func (h *Handler) toResource(req *request, rt *schema.ResourceType, body map[string]any) (*store.Resource, error) {
	attrs, err := h.canonical(rt, body)
	if err != nil {
		return nil, err
	}
	var ids []string
	if m := manager(attrs); m != nil {
		if id, _ := m["value"].(string); id != "" {
			ids = append(ids, id)
		}
	}
	managers, err := h.lookupManagers(req, rt, ids)
	if err != nil {
		return nil, err
	}
	return h.build(rt, attrs, managers)
}

// members turns the canonical members value into store members.
func members(v any) ([]store.Member, error) {
	arr, _ := v.([]any)
	out := make([]store.Member, 0, len(arr))
	for i, e := range arr {
		m, _ := e.(map[string]any)
		id, _ := m["value"].(string)
		if id == "" {
			return nil, errorf(http.StatusBadRequest, InvalidValue, "members[%d]: value (the member's id) is required", i)
		}
		display, _ := m["display"].(string)
		out = append(out, store.Member{Value: id, Display: display})
	}
	return out, nil
}

// ifMatch returns the precondition an If-Match header sets, in the form
// store.VersionMatches reads: "" for none, "*" for any, else the listed
// versions joined by commas.
func ifMatch(r *http.Request) string {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	if v == "" || v == "*" {
		return v
	}
	tags := strings.Split(v, ",")
	for i, t := range tags {
		tags[i] = parseETag(t)
	}
	return strings.Join(tags, ",")
}

func parseETag(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "W/")
	return strings.Trim(s, `"`)
}

// noneMatch reports whether an If-None-Match header names version.
func noneMatch(r *http.Request, version string) bool {
	v := r.Header.Get("If-None-Match")
	if v == "" {
		return false
	}
	for _, t := range strings.Split(v, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || parseETag(t) == version {
			return true
		}
	}
	return false
}

func badParam(name, value string) error {
	return errorf(http.StatusBadRequest, InvalidValue, "%s=%q is not a whole number", name, clip.String(value, 64))
}

// stringAttr reads a string attribute, decoding it if a PATCH left it as
// raw JSON.
func stringAttr(v any) string {
	v, _ = jsonv.Lazy(v)
	s, _ := v.(string)
	return s
}
