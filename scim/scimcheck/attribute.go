package scimcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Attribute is a target attribute of a provisioning mapping: the name
// Entra's "customappsso Attribute" column shows, on a resource type.
type Attribute struct {
	// Resource is "User" or "Group".
	Resource string `json:"resource"`
	// Name is the SCIM attribute as Entra names it: "userName",
	// "name.givenName", `emails[type eq "work"].value`,
	// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager".
	Name string `json:"name"`
}

func (a Attribute) String() string { return a.Resource + " " + a.Name }

// DefaultAttributes returns the target attributes of Entra's default
// user and group mappings for a non-gallery application
// (shared/entra-behaviour.md §8.1, §8.2).
func DefaultAttributes() []Attribute {
	user := []string{
		"userName", "active", "displayName", "title", `emails[type eq "work"].value`, "preferredLanguage",
		"name.givenName", "name.familyName", "name.formatted",
		`addresses[type eq "work"].formatted`, `addresses[type eq "work"].streetAddress`,
		`addresses[type eq "work"].locality`, `addresses[type eq "work"].region`,
		`addresses[type eq "work"].postalCode`, `addresses[type eq "work"].country`,
		`phoneNumbers[type eq "work"].value`, `phoneNumbers[type eq "mobile"].value`,
		`phoneNumbers[type eq "fax"].value`, "externalId",
		enterprise + ":employeeNumber", enterprise + ":department", enterprise + ":manager",
	}
	out := make([]Attribute, 0, len(user)+3)
	for _, n := range user {
		out = append(out, Attribute{Resource: "User", Name: n})
	}
	for _, n := range []string{"displayName", "externalId", "members"} {
		out = append(out, Attribute{Resource: "Group", Name: n})
	}
	return out
}

// ErrMapping is wrapped by every error of ParseMapping.
var ErrMapping = errors.New("scimcheck: not a mapping")

// ParseMapping reads the target attributes of a provisioning mapping from
// data, which is either
//
//   - Entra's provisioning schema as JSON (Graph's synchronizationSchema,
//     what the schema editor downloads): every targetAttributeName of the
//     enabled objectMappings, on Group when the targetObjectName names a
//     group, else on User; or
//   - text, one attribute a line, optionally after "User " or "Group "
//     (default User); blank lines and lines starting with # are skipped.
func ParseMapping(data []byte) ([]Attribute, error) {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		return parseSchemaJSON(t)
	}
	var out []Attribute
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		a := Attribute{Resource: "User", Name: line}
		if res, name, ok := strings.Cut(line, " "); ok && (res == "User" || res == "Group") {
			a = Attribute{Resource: res, Name: strings.TrimSpace(name)}
		}
		if err := checkName(a.Name); err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrMapping, i+1, err)
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no attribute in it", ErrMapping)
	}
	return out, nil
}

// checkName refuses what cannot be an attribute name.
func checkName(n string) error {
	switch {
	case n == "":
		return errors.New("empty attribute name")
	case len(n) > 512:
		return errors.New("attribute name longer than 512 bytes")
	case strings.ContainsAny(n, "\r\t\x00"):
		return fmt.Errorf("attribute name %q holds a control character", excerpt(n, 64))
	}
	return nil
}

// schemaExport is the part of Graph's synchronizationSchema read here.
type schemaExport struct {
	SynchronizationRules []struct {
		ObjectMappings []struct {
			Enabled           *bool  `json:"enabled"`
			TargetObjectName  string `json:"targetObjectName"`
			AttributeMappings []struct {
				TargetAttributeName string `json:"targetAttributeName"`
			} `json:"attributeMappings"`
		} `json:"objectMappings"`
	} `json:"synchronizationRules"`
}

func parseSchemaJSON(data []byte) ([]Attribute, error) {
	var s schemaExport
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMapping, err)
	}
	var out []Attribute
	seen := map[Attribute]bool{}
	for _, rule := range s.SynchronizationRules {
		for _, om := range rule.ObjectMappings {
			if om.Enabled != nil && !*om.Enabled {
				continue
			}
			res := "User"
			if strings.Contains(strings.ToLower(om.TargetObjectName), "group") {
				res = "Group"
			}
			for _, am := range om.AttributeMappings {
				a := Attribute{Resource: res, Name: strings.TrimSpace(am.TargetAttributeName)}
				if a.Name == "" || seen[a] {
					continue
				}
				if err := checkName(a.Name); err != nil {
					return nil, fmt.Errorf("%w: %v", ErrMapping, err)
				}
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no synchronizationRules[].objectMappings[].attributeMappings[].targetAttributeName in it", ErrMapping)
	}
	return out, nil
}

// schemaPath turns Entra's attribute name into the schema and attribute
// path /Schemas declares it under: `emails[type eq "work"].value` →
// (core, "emails.value"), "urn:…:enterprise:2.0:User:manager" →
// (enterprise, "manager"). ids are the schema ids /Schemas declares;
// core is the resource type's core schema.
func schemaPath(name, core string, ids []string) (schema, path string) {
	schema = core
	best := ""
	lower := strings.ToLower(name)
	for _, id := range ids {
		if len(id) > len(best) && strings.HasPrefix(lower, strings.ToLower(id)+":") {
			best = id
		}
	}
	if best != "" {
		schema, name = best, name[len(best)+1:]
	} else if i := strings.LastIndex(name, ":"); i > 0 && strings.HasPrefix(lower, "urn:") {
		// A URN of a schema /Schemas does not declare.
		schema, name = name[:i], name[i+1:]
	}
	// Drop value filters: emails[type eq "work"].value → emails.value.
	var b strings.Builder
	depth := 0
	for _, r := range name {
		switch {
		case r == '[':
			depth++
		case r == ']':
			if depth > 0 {
				depth--
			}
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return schema, strings.ToLower(b.String())
}
