package scim

import (
	"maps"
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/internal/clip"
	"github.com/scimkit/scimkit/scim/schema"
)

// discovery holds the documents of /ServiceProviderConfig, /Schemas and
// /ResourceTypes, built once from the Registry.
type discovery struct {
	spc     discoveryDoc
	schemas []discoveryDoc
	types   []discoveryDoc
}

type discoveryDoc struct {
	id           string
	resourceType string // meta.resourceType
	path         string // meta.location below the base URL
	body         map[string]any
}

// newDiscovery builds the documents; cursors says whether the Store pages
// by cursor.
func newDiscovery(reg *schema.Registry, l Limits, cursors bool) (discovery, error) {
	var d discovery
	d.spc = discoveryDoc{
		resourceType: "ServiceProviderConfig",
		path:         "/ServiceProviderConfig",
		body: map[string]any{
			"schemas":          []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
			"documentationUri": "https://github.com/scimkit/scimkit",
			"patch":            map[string]any{"supported": true},
			"bulk":             map[string]any{"supported": true, "maxOperations": l.MaxBulkOperations, "maxPayloadSize": l.MaxBulkBytes},
			"filter":           map[string]any{"supported": true, "maxResults": l.MaxPageSize},
			"changePassword":   map[string]any{"supported": false},
			"sort":             map[string]any{"supported": true},
			"pagination":       pagination(l, cursors),
			"etag":             map[string]any{"supported": true},
			"authenticationSchemes": []any{map[string]any{
				"type":        "oauthbearertoken",
				"name":        "OAuth Bearer Token",
				"description": "Authentication with a bearer token in the Authorization header (Entra's Secret Token)",
				"specUri":     "https://www.rfc-editor.org/rfc/rfc6750",
				"primary":     true,
			}},
		},
	}
	for _, s := range reg.Schemas() {
		d.schemas = append(d.schemas, discoveryDoc{id: s.ID, resourceType: "Schema", path: "/Schemas/" + s.ID, body: s.JSON()})
	}
	for _, rt := range reg.ResourceTypes() {
		d.types = append(d.types, discoveryDoc{id: rt.Name, resourceType: "ResourceType", path: "/ResourceTypes/" + rt.Name, body: rt.JSON()})
	}
	return d, nil
}

// pagination is the pagination object of RFC 9865 §4. Index paging stays
// the default, as §2.4 asks of a service that had it first; count defaults
// to, and is capped at, Limits.MaxPageSize. There is no cursorTimeout:
// scimkit's cursors are positions, not server-side state, and never
// expire.
func pagination(l Limits, cursors bool) map[string]any {
	return map[string]any{
		"cursor":                  cursors,
		"index":                   true,
		"defaultPaginationMethod": "index",
		"defaultPageSize":         l.MaxPageSize,
		"maxPageSize":             l.MaxPageSize,
	}
}

func (doc discoveryDoc) render(base string) map[string]any {
	m := maps.Clone(doc.body)
	m["meta"] = map[string]any{"resourceType": doc.resourceType, "location": base + doc.path}
	return m
}

func (d *discovery) serve(req *request, method string, doc discoveryDoc) error {
	if method != http.MethodGet && method != http.MethodHead {
		return methodNotAllowed(req.w, "GET")
	}
	body, err := marshal(doc.render(req.baseURL))
	if err != nil {
		return err
	}
	writeJSON(req.w, http.StatusOK, body)
	return nil
}

func (d *discovery) serveList(req *request, method, id string, docs []discoveryDoc) error {
	if method != http.MethodGet && method != http.MethodHead {
		return methodNotAllowed(req.w, "GET")
	}
	if id != "" {
		for _, doc := range docs {
			if strings.EqualFold(doc.id, id) {
				return d.serve(req, method, doc)
			}
		}
		return errorf(http.StatusNotFound, "", "no schema or resource type %q", clip.String(id, 128))
	}
	// Discovery lists are small: filters and paging are not applied
	// (RFC 7644 §4 lets a service provider ignore them here).
	rs := make([]any, len(docs))
	for i, doc := range docs {
		rs[i] = doc.render(req.baseURL)
	}
	body, err := marshal(map[string]any{
		"schemas":      []string{listResponseURN},
		"totalResults": len(rs),
		"startIndex":   1,
		"itemsPerPage": len(rs),
		"Resources":    rs,
	})
	if err != nil {
		return err
	}
	writeJSON(req.w, http.StatusOK, body)
	return nil
}

const listResponseURN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
