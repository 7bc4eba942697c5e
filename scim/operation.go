package scim

import (
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/internal/entracode"
	"github.com/scimkit/scimkit/internal/guid"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// Operation is a provisioning operation as Microsoft Entra's provisioning
// log names it: what the client was doing when it sent a request. The
// Handler names each request's operation in its Event; cmd/scimcheck uses
// the same names.
type Operation = entracode.Operation

// The operations. A PATCH is OperationUpdate unless all its operations
// are one of the narrower kinds: a user's active set to false
// (OperationDisable) or true (OperationEnable); members added
// (OperationMemberAdd) or removed (OperationMemberRemove); a group's
// displayName replaced (OperationGroupRename). PUT is OperationUpdate.
const (
	// A filter of userName (users) or displayName (groups) equal to a
	// GUID: Entra's probe for an object that cannot exist, sent by Test
	// Connection and at the start of every provisioning cycle. A probe
	// on externalId cannot be told from a match and is OperationMatch.
	OperationTestConnection = entracode.TestConnection
	// A filter with one equality: Entra looking up the object it is
	// about to provision by its matching attribute.
	OperationMatch        = entracode.Match
	OperationGet          = entracode.Get  // GET of one resource by id
	OperationList         = entracode.List // any other list or search
	OperationCreate       = entracode.Create
	OperationUpdate       = entracode.Update
	OperationDisable      = entracode.Disable
	OperationEnable       = entracode.Enable
	OperationDelete       = entracode.Delete
	OperationMemberAdd    = entracode.MemberAdd
	OperationMemberRemove = entracode.MemberRemove
	OperationGroupRename  = entracode.GroupRename
	// /Schemas, /ResourceTypes and /ServiceProviderConfig.
	OperationDiscovery = entracode.Discovery
	OperationBulk      = entracode.Bulk
	// Anything else: an unknown endpoint, /Me, a method an endpoint does
	// not serve.
	OperationOther = entracode.Other
)

// routeTemplates are a resource type's route templates, made once so
// that naming a request's route does not allocate.
type routeTemplates struct {
	list, one, search string // "/Users", "/Users/{id}", "/Users/.search"
}

// classify names the route template, resource type, resource id and
// provisioning operation of a request from its method, path and filter.
// The operation of a PATCH is refined once its body is read (patched).
func (h *Handler) classify(e *Event, method, path, filter string) {
	p := strings.Trim(path, "/")
	first, rest, _ := strings.Cut(p, "/")
	rt := h.byEndpoint[first] // as clients send it: no lower-casing, no allocation
	if rt == nil {
		rt = h.endpoints[strings.ToLower(first)]
	}
	if rt != nil {
		e.ResourceType = rt.Name
		tpl := h.routes[rt]
		switch {
		case rest == "":
			e.Route = tpl.list
			switch method {
			case http.MethodGet, http.MethodHead:
				e.Operation = filterOperation(rt, filter)
			case http.MethodPost:
				e.Operation = OperationCreate
			default:
				e.Operation = OperationOther
			}
		case rest == ".search":
			e.Route, e.Operation = tpl.search, OperationList
		case strings.Contains(rest, "/"):
			e.Route, e.Operation, e.ResourceType = "", OperationOther, ""
		default:
			e.Route, e.ResourceID = tpl.one, rest
			switch method {
			case http.MethodGet, http.MethodHead:
				e.Operation = OperationGet
			case http.MethodPut, http.MethodPatch:
				e.Operation = OperationUpdate
			case http.MethodDelete:
				e.Operation = OperationDelete
			default:
				e.Operation = OperationOther
			}
		}
		return
	}
	e.Operation = OperationOther
	switch {
	case first == ".search" && rest == "":
		e.Route, e.Operation = "/.search", OperationList
	case strings.EqualFold(first, "Bulk") && rest == "":
		e.Route, e.Operation = "/Bulk", OperationBulk
	case strings.EqualFold(first, "Me"):
		e.Route = "/Me"
	case strings.EqualFold(first, "ServiceProviderConfig") && rest == "":
		e.Route, e.Operation = "/ServiceProviderConfig", OperationDiscovery
	case strings.EqualFold(first, "Schemas"):
		e.Route, e.Operation = "/Schemas", OperationDiscovery
		if rest != "" {
			e.Route, e.ResourceID = "/Schemas/{id}", rest
		}
	case strings.EqualFold(first, "ResourceTypes"):
		e.Route, e.Operation = "/ResourceTypes", OperationDiscovery
		if rest != "" {
			e.Route, e.ResourceID = "/ResourceTypes/{id}", rest
		}
	}
	if e.Operation == OperationDiscovery && method != http.MethodGet && method != http.MethodHead {
		e.Operation = OperationOther
	}
}

// filterOperation names a GET of rt's endpoint with filter: a test
// connection, a match or a list.
func filterOperation(rt *schema.ResourceType, filter string) Operation {
	attr, value, ok := singleEquality(filter)
	if !ok {
		return OperationList
	}
	probe := "userName"
	if rt.Name == store.Group {
		probe = "displayName"
	}
	if strings.EqualFold(attr, probe) && guid.Valid(value) {
		return OperationTestConnection
	}
	return OperationMatch
}

// singleEquality recognises a filter `attr eq value` (value quoted or
// not), the filters Entra matches with; attr may hold a value filter in
// brackets (emails[type eq "work"].value). It does not validate: the
// Handler parses the filter for its answer.
func singleEquality(filter string) (attr, value string, ok bool) {
	var tok [3]string
	n, start := 0, -1
	depth, inQuote := 0, false
	for i := 0; i <= len(filter); i++ {
		var c byte = ' '
		if i < len(filter) {
			c = filter[i]
		}
		switch {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
			continue
		case c == '"':
			inQuote = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == ' ' && depth == 0:
			if start >= 0 {
				if n == len(tok) {
					return "", "", false
				}
				tok[n], n, start = filter[start:i], n+1, -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if n != 3 || inQuote || depth != 0 || !strings.EqualFold(tok[1], "eq") {
		return "", "", false
	}
	value = tok[2]
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		value = value[1 : len(value)-1]
	}
	return tok[0], value, true
}

// patchOperation names a PATCH of rt by its normalized operations.
func patchOperation(rt *schema.ResourceType, ops []patch.Operation) Operation {
	if len(ops) == 0 {
		return OperationUpdate
	}
	var kind Operation
	for _, op := range ops {
		k := opKind(rt, op)
		if k == OperationUpdate || (kind != "" && k != kind) {
			return OperationUpdate
		}
		kind = k
	}
	return kind
}

// opKind names one PATCH operation.
func opKind(rt *schema.ResourceType, op patch.Operation) Operation {
	path := op.Path
	if rt.Name == store.User {
		if path == "" {
			if m, ok := op.Value.(map[string]any); ok && len(m) == 1 {
				for k, v := range m {
					path, op.Value = k, v
				}
			}
		}
		if strings.EqualFold(path, "active") && (op.Op == "replace" || op.Op == "add") {
			switch op.Value {
			case false:
				return OperationDisable
			case true:
				return OperationEnable
			}
		}
		return OperationUpdate
	}
	if rt.Name != store.Group {
		return OperationUpdate
	}
	if len(path) >= 7 && strings.EqualFold(path[:7], "members") {
		switch op.Op {
		case "add":
			return OperationMemberAdd
		case "remove":
			return OperationMemberRemove
		}
		return OperationUpdate
	}
	if strings.EqualFold(path, "displayName") && op.Op == "replace" {
		return OperationGroupRename
	}
	return OperationUpdate
}
