package schema

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

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

	memo      sync.Map // see Memo
	memoCount atomic.Int64
}

// maxMemo bounds Memo: past it, build runs every time.
const maxMemo = 4096

// Memo returns the value cached under key, building and caching it on the
// first call. Packages that compile things against rt (PATCH paths, for
// instance) use it so that a path Entra sends on every request is parsed
// once. Values must be immutable. At most 4,096 keys are kept per resource
// type: a client sending endless distinct paths costs CPU, never memory.
func (rt *ResourceType) Memo(key any, build func() any) any {
	if v, ok := rt.memo.Load(key); ok {
		return v
	}
	v := build()
	if rt.memoCount.Load() < maxMemo {
		if _, loaded := rt.memo.LoadOrStore(key, v); !loaded {
			rt.memoCount.Add(1)
		}
	}
	return v
}

// Extension returns the extension whose URN is urn (case-insensitive), or nil.
func (rt *ResourceType) Extension(urn string) *Schema {
	if s, ok := rt.ext[urn]; ok {
		return s
	}
	return rt.ext[strings.ToLower(urn)]
}

// SplitURN splits a fully qualified attribute name such as
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager" (or
// the legacy "…:User.manager") into the schema it belongs to and the rest
// ("manager"). It recognises the core schema and every extension of rt.
// ok is false when name does not start with a known schema URN.
func (rt *ResourceType) SplitURN(name string) (s *Schema, rest string, ok bool) {
	if len(name) < 4 || !strings.EqualFold(name[:4], "urn:") {
		return nil, "", false
	}
	try := func(cand *Schema) bool {
		n := len(cand.ID)
		if len(name) < n || !strings.EqualFold(name[:n], cand.ID) {
			return false
		}
		if len(name) == n {
			s, rest = cand, ""
			return true
		}
		if name[n] == ':' || name[n] == '.' {
			s, rest = cand, name[n+1:]
			return true
		}
		return false
	}
	// Longest URN first, so an extension URN that extends the core URN wins.
	best := -1
	for i, e := range rt.Extensions {
		if try(e) && (best < 0 || len(e.ID) > len(rt.Extensions[best].ID)) {
			best = i
		}
	}
	if best >= 0 {
		e := rt.Extensions[best]
		try(e)
		return s, rest, true
	}
	if try(rt.Schema) {
		return s, rest, true
	}
	return nil, "", false
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
	r.types = []*ResourceType{user, group}
	r.schemas = []*Schema{user.Schema, group.Schema}
	if err := r.add(user, Compile(escim.ExtensionEnterpriseUser())); err != nil {
		panic(err) // unreachable: the enterprise extension is valid and new
	}
	return r
}

// AddExtension registers s as an extension of the resource type called
// resourceType ("User" or "Group").
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
	if !strings.HasPrefix(strings.ToLower(s.ID), "urn:") {
		return fmt.Errorf("schema: extension id %q is not a URN", s.ID)
	}
	if r.Schema(s.ID) != nil {
		return fmt.Errorf("schema: %q is already registered", s.ID)
	}
	for _, a := range s.Attributes {
		if err := checkNames(a); err != nil {
			return fmt.Errorf("schema: extension %q: %w", s.ID, err)
		}
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
