package schema

import (
	"encoding/json"
	"fmt"
	"strings"

	escim "github.com/elimity-com/scim/schema"
)

// ResourceType is a compiled RFC 7643 §6 resource type.
type ResourceType struct {
	Name        string // "User"
	Endpoint    string // "/Users"
	Description string
	Schema      *Schema
	Extensions  []*Schema // in registration order

	ext map[string]*Schema // lower-cased URN → extension
}

// Extension returns the extension whose URN is urn (case-insensitive), or nil.
func (rt *ResourceType) Extension(urn string) *Schema {
	if s, ok := rt.ext[urn]; ok {
		return s
	}
	return rt.ext[strings.ToLower(urn)]
}

// JSON returns the resource type's RFC 7643 §6 representation without meta.
func (rt *ResourceType) JSON() map[string]any {
	m := map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"},
		"id":       rt.Name,
		"name":     rt.Name,
		"endpoint": rt.Endpoint,
		"schema":   rt.Schema.ID,
	}
	if rt.Description != "" {
		m["description"] = rt.Description
	}
	if len(rt.Extensions) > 0 {
		exts := make([]any, len(rt.Extensions))
		for i, e := range rt.Extensions {
			exts[i] = map[string]any{"schema": e.ID, "required": false}
		}
		m["schemaExtensions"] = exts
	}
	return m
}

// Registry holds the resource types and schemas a Handler serves.
type Registry struct {
	types   []*ResourceType
	schemas []*Schema
}

// NewRegistry returns a Registry with the core User (RFC 7643 §4.1) and
// Group (§4.2) resource types and the enterprise User extension (§4.3).
func NewRegistry() *Registry {
	r := &Registry{}
	user := &ResourceType{Name: "User", Endpoint: "/Users", Description: "User Account", Schema: Compile(escim.CoreUserSchema())}
	group := &ResourceType{Name: "Group", Endpoint: "/Groups", Description: "Group", Schema: Compile(escim.CoreGroupSchema())}
	// Entra requires a group's displayName to be unique (it matches groups
	// by it); RFC 7643's schema says "none", scimkit's says "server".
	group.Schema.Attribute("displayName").Uniqueness = "server"
	r.types = []*ResourceType{user, group}
	r.schemas = []*Schema{user.Schema, group.Schema}
	if err := r.add(user, Compile(escim.ExtensionEnterpriseUser())); err != nil {
		panic(err) // unreachable: the enterprise extension is valid and new
	}
	return r
}

// reservedEndpoints are the paths the Handler serves itself.
var reservedEndpoints = []string{"Schemas", "ResourceTypes", "ServiceProviderConfig", "Bulk", "Me", ".search"}

// AddResourceType registers a resource type of your own, such as
//
//	reg.AddResourceType(&schema.ResourceType{
//		Name: "Device", Endpoint: "/Devices", Description: "Device",
//		Schema: schema.Compile(deviceSchema), // an elimity-com/scim schema.Schema
//	})
//
// Name is what Resource.Type and /ResourceTypes call it; Endpoint the
// path it is served at; Schema its core schema (a URN not registered
// yet); Extensions, if any, its extensions (or add them later with
// AddExtension). A Handler then serves it like Users and Groups, and its
// attributes with uniqueness "server" are kept unique per tenant.
func (r *Registry) AddResourceType(rt *ResourceType) error {
	if rt == nil || rt.Schema == nil {
		return fmt.Errorf("schema: a resource type needs a core schema")
	}
	if rt.Name == "" || strings.ContainsAny(rt.Name, "/ ") {
		return fmt.Errorf("schema: resource type name %q: want a name such as \"Device\"", rt.Name)
	}
	if r.ResourceType(rt.Name) != nil {
		return fmt.Errorf("schema: resource type %q is already registered", rt.Name)
	}
	ep := strings.TrimPrefix(rt.Endpoint, "/")
	if ep == "" || ep == rt.Endpoint || strings.ContainsAny(ep, "/ ?#%") {
		return fmt.Errorf("schema: resource type %q: endpoint %q: want one path segment such as \"/Devices\"", rt.Name, rt.Endpoint)
	}
	for _, res := range reservedEndpoints {
		if strings.EqualFold(ep, res) {
			return fmt.Errorf("schema: resource type %q: endpoint %q is the Handler's own", rt.Name, rt.Endpoint)
		}
	}
	for _, t := range r.types {
		if strings.EqualFold(t.Endpoint, rt.Endpoint) {
			return fmt.Errorf("schema: resource type %q: endpoint %q is %s's", rt.Name, rt.Endpoint, t.Name)
		}
	}
	if err := r.checkSchema(rt.Schema); err != nil {
		return err
	}
	exts := rt.Extensions
	rt.Extensions, rt.ext = nil, nil
	r.types = append(r.types, rt)
	r.schemas = append(r.schemas, rt.Schema)
	for _, e := range exts {
		if err := r.add(rt, e); err != nil {
			return err
		}
	}
	return nil
}

// checkSchema checks a schema about to be registered.
func (r *Registry) checkSchema(s *Schema) error {
	if !strings.HasPrefix(strings.ToLower(s.ID), "urn:") {
		return fmt.Errorf("schema: schema id %q is not a URN", s.ID)
	}
	if r.Schema(s.ID) != nil {
		return fmt.Errorf("schema: %q is already registered", s.ID)
	}
	for _, a := range s.Attributes {
		if err := checkNames(a); err != nil {
			return fmt.Errorf("schema: %q: %w", s.ID, err)
		}
	}
	return nil
}

// ResourceTypeDocument is what AddResourceTypeJSON reads: an RFC 7643 §6
// ResourceType and the §7 schemas it names (its core schema and its
// extensions).
type ResourceTypeDocument struct {
	ResourceType struct {
		Name             string `json:"name"`
		ID               string `json:"id"`
		Endpoint         string `json:"endpoint"`
		Description      string `json:"description"`
		Schema           string `json:"schema"`
		SchemaExtensions []struct {
			Schema string `json:"schema"`
		} `json:"schemaExtensions"`
	} `json:"resourceType"`
	Schemas []json.RawMessage `json:"schemas"`
}

// AddResourceTypeJSON registers the resource type a ResourceTypeDocument
// describes, such as
//
//	{"resourceType": {"name": "Device", "endpoint": "/Devices",
//	                  "schema": "urn:example:scim:schemas:2.0:Device",
//	                  "schemaExtensions": [{"schema": "urn:example:…:DeviceExtension"}]},
//	 "schemas": [{"id": "urn:example:scim:schemas:2.0:Device", "attributes": […]}, …]}
func (r *Registry) AddResourceTypeJSON(data []byte) (err error) {
	defer func() {
		// elimity's constructors panic on invalid names; report, don't crash.
		if p := recover(); p != nil {
			err = fmt.Errorf("schema: invalid resource type document: %v", p)
		}
	}()
	var doc ResourceTypeDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("schema: parsing a resource type document: %w", err)
	}
	schemas := map[string]*Schema{}
	for i, raw := range doc.Schemas {
		var s escim.Schema
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("schema: schemas[%d]: %w", i, err)
		}
		schemas[strings.ToLower(s.ID)] = Compile(s)
	}
	d := doc.ResourceType
	name := d.Name
	if name == "" {
		name = d.ID
	}
	core := schemas[strings.ToLower(d.Schema)]
	if core == nil {
		return fmt.Errorf("schema: resource type %q: its schema %q is not among the document's schemas", name, d.Schema)
	}
	rt := &ResourceType{Name: name, Endpoint: d.Endpoint, Description: d.Description, Schema: core}
	for _, e := range d.SchemaExtensions {
		s := schemas[strings.ToLower(e.Schema)]
		if s == nil {
			return fmt.Errorf("schema: resource type %q: extension %q is not among the document's schemas", name, e.Schema)
		}
		rt.Extensions = append(rt.Extensions, s)
	}
	return r.AddResourceType(rt)
}

// AddExtension registers s as an extension of the resource type called
// resourceType ("User", "Group" or one of your own).
func (r *Registry) AddExtension(resourceType string, s escim.Schema) (err error) {
	defer func() {
		// elimity's constructors panic on invalid names; report, don't crash.
		if p := recover(); p != nil {
			err = fmt.Errorf("schema: invalid extension %q: %v", s.ID, p)
		}
	}()
	rt := r.ResourceType(resourceType)
	if rt == nil {
		return fmt.Errorf("schema: unknown resource type %q", resourceType)
	}
	return r.add(rt, Compile(s))
}

// AddExtensionJSON registers the RFC 7643 §7 schema document data as an
// extension of resourceType.
func (r *Registry) AddExtensionJSON(resourceType string, data []byte) error {
	var s escim.Schema
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("schema: parsing extension: %w", err)
	}
	return r.AddExtension(resourceType, s)
}

func (r *Registry) add(rt *ResourceType, s *Schema) error {
	if err := r.checkSchema(s); err != nil {
		return err
	}
	if rt.ext == nil {
		rt.ext = make(map[string]*Schema)
	}
	rt.Extensions = append(rt.Extensions, s)
	rt.ext[strings.ToLower(s.ID)] = s
	r.schemas = append(r.schemas, s)
	return nil
}

func checkNames(a *Attribute) error {
	if a.Name == "" || strings.ContainsAny(a.Name, ".:[] \"") {
		return fmt.Errorf("invalid attribute name %q", a.Name)
	}
	for _, s := range a.SubAttributes {
		if err := checkNames(s); err != nil {
			return err
		}
	}
	return nil
}

// ResourceType returns the resource type called name (case-insensitive),
// or nil.
func (r *Registry) ResourceType(name string) *ResourceType {
	for _, rt := range r.types {
		if strings.EqualFold(rt.Name, name) {
			return rt
		}
	}
	return nil
}

// ResourceTypes returns the registered resource types, User first.
func (r *Registry) ResourceTypes() []*ResourceType { return r.types }

// Schemas returns every registered schema: core schemas first, then
// extensions in registration order.
func (r *Registry) Schemas() []*Schema { return r.schemas }

// Schema returns the schema whose id is urn (case-insensitive), or nil.
func (r *Registry) Schema(urn string) *Schema {
	for _, s := range r.schemas {
		if strings.EqualFold(s.ID, urn) {
			return s
		}
	}
	return nil
}
