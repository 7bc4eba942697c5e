package store_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	fp "github.com/scim2/filter-parser/v2"

	"github.com/scimkit/scimkit/internal/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

const (
	enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	testExtURN    = "urn:example:params:scim:schemas:extension:test:1.0:User"

	userID    = "2819c223-7f76-453a-919d-413861904646"
	managerID = "26118915-6090-4610-87e4-49d8ca9f808d"
	groupID   = "e9e30dba-f08f-4109-8486-d5c6a331660a"
)

// testExtension adds numeric attributes, which the core schemas lack.
const testExtension = `{
  "id": "` + testExtURN + `",
  "name": "Test",
  "attributes": [
    {"name": "level", "type": "integer", "multiValued": false, "required": false, "mutability": "readWrite", "returned": "default", "uniqueness": "none"},
    {"name": "score", "type": "decimal", "multiValued": false, "required": false, "mutability": "readWrite", "returned": "default", "uniqueness": "none"}
  ]
}`

func registry(t testing.TB) *schema.Registry {
	t.Helper()
	reg := schema.NewRegistry()
	if err := reg.AddExtensionJSON("User", []byte(testExtension)); err != nil {
		t.Fatalf("AddExtensionJSON: %v", err)
	}
	return reg
}

func mustJSON(t testing.TB, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ts(s string) time.Time {
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return tm
}

// entraUser is a user as Entra ID provisions it, canonicalised.
func entraUser(t testing.TB) *store.Resource {
	attrs := map[string]any{
		"userName":    "Test_User_00aa00aa@contoso.com",
		"externalId":  "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
		"displayName": "Barbara Jensen",
		"active":      true,
		"name": map[string]any{
			"givenName":  "Barbara",
			"familyName": "Jensen",
			"formatted":  "Ms. Barbara J Jensen III",
		},
		"emails": []any{
			map[string]any{"type": "work", "value": "bjensen@contoso.com", "primary": true},
			map[string]any{"type": "home", "value": "babs@jensen.org"},
		},
		"addresses": []any{
			map[string]any{"type": "work", "streetAddress": "1 Microsoft Way", "locality": "Redmond", "postalCode": "98052", "country": "US", "primary": true},
		},
		enterpriseURN: map[string]any{
			"employeeNumber": "701984",
			"department":     "Tour Operations",
			"manager":        map[string]any{"value": managerID, "displayName": "John Smith"},
		},
		testExtURN: map[string]any{"level": json.Number("7"), "score": json.Number("4.5")},
	}
	return &store.Resource{
		Type:         store.User,
		ID:           userID,
		Unique:       []store.Unique{{Attribute: "userName", Value: "Test_User_00aa00aa@contoso.com"}},
		ExternalID:   "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
		Attributes:   mustJSON(t, attrs),
		Schemas:      []string{enterpriseURN, testExtURN},
		Groups:       []store.GroupRef{{Value: groupID, Display: "Tour Guides"}},
		Created:      ts("2010-01-23T04:56:22Z"),
		LastModified: ts("2011-05-13T04:42:34Z"),
		Version:      `W/"3694e05e9dff590"`,
	}
}

func tourGuides(t testing.TB) *store.Resource {
	return &store.Resource{
		Type:       store.Group,
		ID:         groupID,
		Display:    "Tour Guides",
		Attributes: mustJSON(t, map[string]any{"displayName": "Tour Guides"}),
		Members: []store.Member{
			{Value: userID, Type: "User", Display: "Babs Jensen"},
			{Value: "902c246b-6245-4190-8e05-00816be7344a", Type: "Group", Display: "Guides (EMEA)"},
		},
		Created:      ts("2010-01-23T04:56:22Z"),
		LastModified: ts("2011-05-13T04:42:34Z"),
		Version:      `W/"1"`,
	}
}

func compile(t testing.TB, rt *schema.ResourceType, in string) (*store.Filter, error) {
	t.Helper()
	expr, err := filter.Parse(in)
	if err != nil {
		t.Fatalf("filter.Parse(%q): %v", in, err)
	}
	return store.CompileFilter(expr, rt)
}

type matchCase struct {
	filter string
	want   bool
}

func runMatch(t *testing.T, rt *schema.ResourceType, r *store.Resource, tests []matchCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			f, err := compile(t, rt, tt.filter)
			if err != nil {
				t.Fatalf("CompileFilter(%q): %v", tt.filter, err)
			}
			got, err := f.Match(r)
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if got != tt.want {
				t.Errorf("%q matched %v, want %v", tt.filter, got, tt.want)
			}
		})
	}
}

func TestMatchUser(t *testing.T) {
	rt := registry(t).ResourceType("User")
	runMatch(t, rt, entraUser(t), []matchCase{
		// userName is caseExact false.
		{`userName eq "Test_User_00aa00aa@contoso.com"`, true},
		{`userName eq "TEST_USER_00AA00AA@CONTOSO.COM"`, true},
		{`USERNAME eq "test_user_00aa00aa@contoso.com"`, true},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "test_user_00aa00aa@contoso.com"`, true},
		{`userName eq "Test_User_00aa00aa"`, false},
		{`userName sw "TEST_user"`, true},
		{`userName ew "@CONTOSO.COM"`, true},
		{`userName co "00AA00AA"`, true},
		{`userName co "ffff"`, false},
		{`userName ne "TEST_USER_00AA00AA@contoso.com"`, false},
		{`userName gt "test_user_00"`, true},
		{`userName lt "TEST_USER_00"`, false},
		{`displayName eq "barbara jensen"`, true},
		{`name.familyName eq "JENSEN"`, true},
		{`name.givenName sw "barb"`, true},
		{`userName eq bjensen`, false},
		{`userName eq Test_User_00aa00aa@contoso.com`, true}, // unquoted
		// id and externalId are caseExact.
		{`id eq "` + userID + `"`, true},
		{`id eq "2819C223-7F76-453A-919D-413861904646"`, false},
		{`ID eq "` + userID + `"`, true},
		{`id sw "2819c223"`, true},
		{`id sw "2819C223"`, false},
		{`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`, true},
		{`externalId eq "0A21F0F2-8D2A-4F8E-BF98-7363C4AED4EF"`, false},
		{`externalid eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`, true},
		{`externalId ne "0A21F0F2-8D2A-4F8E-BF98-7363C4AED4EF"`, true},
		{`externalId co "8D2A"`, false},

		// Multi-valued: any value matches.
		{`emails.value eq "babs@jensen.org"`, true},
		{`emails.value eq "BJENSEN@contoso.com"`, true},
		{`emails.value eq "nobody@contoso.com"`, false},
		{`emails.type eq "home"`, true},
		{`emails.type eq "other"`, false},
		{`emails.primary eq true`, true},
		{`emails.display pr`, false},
		// Without a sub-attribute, the value sub-attribute.
		{`emails co "jensen.org"`, true},
		{`emails co "CONTOSO"`, true},
		{`emails sw "babs@"`, true},
		{`emails ew ".org"`, true},
		{`emails eq "babs@jensen.org"`, true},
		{`emails co "work"`, false},
		{`emails co "nowhere"`, false},
		{`addresses.locality eq "redmond"`, true},
		{`addresses.postalCode eq "98052"`, true},

		// Value paths: one element must match the whole value filter.
		{`emails[type eq "work"]`, true},
		{`emails[type eq "work" and value co "contoso"]`, true},
		{`emails[type eq "home" and value co "contoso"]`, false},
		{`emails[type eq "home" or value co "contoso"]`, true},
		{`emails[TYPE eq "WORK" and Value CO "CONTOSO"]`, true},
		{`emails[not (type eq "work")]`, true},
		{`emails[primary eq true]`, true},
		{`emails[primary eq "True"]`, true},
		{`emails[primary eq true and type eq "home"]`, false},
		{`emails[value pr]`, true},
		{`emails[display pr]`, false},
		{`emails[nosuch eq "x"]`, false},
		{`phoneNumbers[type eq "work"]`, false},
		{`addresses[type eq "work" and locality eq "REDMOND"]`, true},
		{`addresses[type eq "home"]`, false},
		{`name[givenName eq "barbara"]`, true},
		{`userName eq "x" or emails[type eq "work"]`, true},
		// Entra's emails[type eq "work"].value eq "x".
		{`emails[type eq "work"].value eq "bjensen@contoso.com"`, true},
		{`emails[type eq "work"].value eq "BJENSEN@CONTOSO.COM"`, true},
		{`emails[type eq "home"].value eq "bjensen@contoso.com"`, false},
		{`emails[type eq "work"].value eq "babs@jensen.org"`, false},
		{`addresses[type eq "work"].streetAddress eq "1 Microsoft Way"`, true},
		{`addresses[type eq "work"].postalCode eq "00000"`, false},

		// not
		{`not (userName eq "someone else")`, true},
		{`not (active eq true)`, false},
		{`not (emails[type eq "work"])`, false},
		{`not (not (active eq true))`, true},
		{`not (nickName pr)`, true},
		{`active eq true and not (emails.value co "example.org")`, true},

		// ne on absent attributes.
		{`nickName ne "x"`, true},
		{`title ne "Tour Guide"`, true},
		{`name.middleName ne "J"`, true},
		{`phoneNumbers.value ne "555"`, true},

		// pr
		{`userName pr`, true},
		{`nickName pr`, false},
		{`title pr`, false},
		{`name pr`, true},
		{`name.givenName pr`, true},
		{`name.middleName pr`, false},
		{`emails pr`, true},
		{`emails.value pr`, true},
		{`phoneNumbers pr`, false},
		{`addresses pr`, true},
		{`id pr`, true},
		{`externalId pr`, true},
		{`meta.created pr`, true},
		{`groups pr`, true},

		// Booleans.
		{`active eq true`, true},
		{`active eq True`, true},
		{`active eq "True"`, true},
		{`active eq "true"`, true},
		{`active eq "FALSE"`, false},
		{`active eq false`, false},
		{`active ne false`, true},
		{`active ne true`, false},

		// dateTime on meta.created and meta.lastModified.
		{`meta.created gt "2010-01-01T00:00:00Z"`, true},
		{`meta.created lt "2010-01-01T00:00:00Z"`, false},
		{`meta.created eq "2010-01-23T04:56:22Z"`, true},
		{`meta.created eq "2010-01-23T05:56:22+01:00"`, true}, // same instant
		{`meta.created eq "2010-01-23T04:56:22.000Z"`, true},
		{`meta.created ge "2010-01-23T04:56:22Z"`, true},
		{`meta.created le "2010-01-23T04:56:22Z"`, true},
		{`meta.created gt "2010-01-23T04:56:22Z"`, false},
		{`meta.created lt "2010-01-23T04:56:22.001Z"`, true},
		{`meta.created gt "2010-01-23T04:56:21"`, true}, // no zone
		{`META.CREATED gt "2010-01-01T00:00:00Z"`, true},
		{`meta.lastModified gt "2011-05-13T04:42:34Z"`, false},
		{`meta.lastModified ge "2011-05-13T04:42:34Z"`, true},
		{`meta.lastModified gt 2011-05-13T04:42:33.9Z`, true}, // unquoted
		{`meta.lastModified lt 2015-10-10T14:38:21.8617979-07:00`, true},
		{`meta.lastModified gt "2011-05-13T04:42:34Z" or meta.created lt "2011-01-01T00:00:00Z"`, true},
		{`meta.version eq "W/\"3694e05e9dff590\""`, true},
		{`meta.version eq "w/\"3694E05E9DFF590\""`, false},
		{`meta.resourceType eq "User"`, true},

		// Numbers (test extension: level 7, score 4.5).
		{`level eq 7`, true},
		{`level eq 7.0`, true},
		{`level gt 5`, true},
		{`level gt 10`, false}, // numeric, not "7" > "10"
		{`level ge 7`, true},
		{`level lt 7`, false},
		{`level le 7`, true},
		{`level ne 7`, false},
		{`level eq "7"`, true},
		{testExtURN + `:level eq 7`, true},
		{`score gt 4.25`, true},
		{`score eq 4.5`, true},
		{`score lt 1e1`, true},
		{`score lt -1`, false},

		// Unknown attributes: no error, nothing matches, pr false.
		{`nosuch eq "x"`, false},
		{`nosuch pr`, false},
		{`nosuch gt true`, false},
		{`nosuch co 5`, false},
		{`name.nosuch eq "x"`, false},
		{`name.nosuch pr`, false},
		{`emails.nosuch pr`, false},
		{`meta.nosuch eq "x"`, false},
		{`urn:example:unknown:1.0:User:thing eq "x"`, false},
		{`urn:example:unknown:1.0:User:thing pr`, false},
		{`nosuch[value eq "x"]`, false},
		{`nosuch eq "x" or userName pr`, true},

		// Enterprise extension, qualified and not.
		{enterpriseURN + `:employeeNumber eq "701984"`, true},
		{enterpriseURN + `:employeeNumber eq "701985"`, false},
		{`employeeNumber eq "701984"`, true},
		{`employeeNumber eq 701984`, true}, // unquoted number against a string attribute
		{enterpriseURN + `:department co "tour"`, true},
		{enterpriseURN + `:manager.value eq "` + managerID + `"`, true},
		{enterpriseURN + `:manager.displayName eq "john smith"`, true},
		{enterpriseURN + `:manager pr`, true},
		{enterpriseURN + `:costCenter pr`, false},
		{`manager.value eq "` + managerID + `"`, true},
		{`manager.value eq "someone-else"`, false},
		{`manager pr`, true},
		// Entra's legacy unqualified "manager eq <id>": the extension's
		// manager, compared through its value sub-attribute.
		{`manager eq "` + managerID + `"`, true},
		{enterpriseURN + `:manager eq "` + managerID + `"`, true},
		{`manager eq "someone-else"`, false},

		// A user's groups.
		{`groups.value eq "` + groupID + `"`, true},
		{`groups.value eq "E9E30DBA-F08F-4109-8486-D5C6A331660A"`, true}, // groups.value is caseExact false
		{`groups.value eq "other"`, false},
		{`groups.display eq "tour guides"`, true},
		{`groups.type eq "direct"`, true},
		{`groups[value eq "` + groupID + `"]`, true},
		{`groups[value eq "other"]`, false},
	})
}

func TestMatchUserEmptyValues(t *testing.T) {
	rt := registry(t).ResourceType("User")
	r := &store.Resource{
		Type: store.User,
		ID:   "u2",
		Attributes: mustJSON(t, map[string]any{
			"userName":     "empty",
			"nickName":     "",
			"title":        nil,
			"name":         map[string]any{},
			"phoneNumbers": []any{},
			"ims":          []any{map[string]any{"value": ""}},
			enterpriseURN:  map[string]any{"manager": map[string]any{}},
		}),
	}
	runMatch(t, rt, r, []matchCase{
		{`nickName pr`, false},
		{`title pr`, false},
		{`name pr`, false},
		{`name.givenName pr`, false},
		{`phoneNumbers pr`, false},
		{`ims.value pr`, false},
		{`manager pr`, false},
		{`emails pr`, false},
		{`groups pr`, false},
		{`active eq true`, false},
		{`active ne true`, true},
		{`emails[type eq "work"]`, false},
		{`emails[type eq "work"].value eq "x"`, false},
		{`not (emails[type eq "work"])`, true},
	})
}

// RFC 7644 §3.4.2.2: pr matches "if it contains a non-empty node for
// complex attributes"; an email without a value is still an email.
func TestMatchPresentComplexWithoutValue(t *testing.T) {
	rt := registry(t).ResourceType("User")
	r := &store.Resource{
		Type: store.User,
		ID:   "u3",
		Attributes: mustJSON(t, map[string]any{
			"userName": "novalue",
			"emails":   []any{map[string]any{"type": "work", "primary": true}},
		}),
	}
	runMatch(t, rt, r, []matchCase{
		{`emails.type eq "work"`, true},
		{`emails.value pr`, false},
		{`emails pr`, true},
	})
}

func TestMatchGroup(t *testing.T) {
	rt := registry(t).ResourceType("Group")
	runMatch(t, rt, tourGuides(t), []matchCase{
		{`displayName eq "tour guides"`, true},
		{`displayName sw "Tour"`, true},
		{`id eq "` + groupID + `"`, true},
		{`members[value eq "` + userID + `"]`, true},
		{`members[value eq "2819C223-7F76-453A-919D-413861904646"]`, true}, // members.value is caseExact false
		{`members[value eq "nobody"]`, false},
		{`members.value eq "` + userID + `"`, true},
		{`members.value eq "nobody"`, false},
		{`members[type eq "Group"]`, true},
		{`members[type eq "Group" and value eq "` + userID + `"]`, false},
		{`members[type eq "User" and value eq "` + userID + `"]`, true},
		{`members.display co "emea"`, true},
		{`members pr`, true},
		{`members.value pr`, true},
		{`id eq "` + groupID + `" and members[value eq "` + userID + `"]`, true},
		{`id eq "` + groupID + `" and members[value eq "nobody"]`, false},
		{`not (members[value eq "nobody"])`, true},
		// As for emails, members without a sub-attribute means members.value.
		{`members eq "` + userID + `"`, true},
		{`members eq "nobody"`, false},
		{`meta.resourceType eq "Group"`, true},
		{`userName eq "x"`, false}, // not a Group attribute
	})
	empty := &store.Resource{Type: store.Group, ID: "g2", Attributes: mustJSON(t, map[string]any{"displayName": "Empty"})}
	runMatch(t, rt, empty, []matchCase{
		{`members pr`, false},
		{`members[value pr]`, false},
		{`members.value eq "x"`, false},
		{`not (members pr)`, true},
	})
}

func TestCompileFilterErrors(t *testing.T) {
	reg := registry(t)
	tests := []struct {
		rt, filter string
	}{
		{"User", `active gt true`},
		{"User", `active lt false`},
		{"User", `active co "t"`},
		{"User", `active eq "yes"`},
		{"User", `active eq 1`},
		{"User", `name eq "x"`},
		{"User", `name co "Jensen"`},
		{"User", `addresses eq "x"`},
		{"User", `meta.created gt "not a date"`},
		{"User", `meta.lastModified lt "2011-05-13"`},
		{"User", `meta.created gt 5`},
		{"User", `meta.created gt true`},
		{"User", `title gt null`},
		{"User", `level co 7`},
		{"User", `level eq "seven"`},
		{"User", `level gt true`},
		{"User", `emails[type eq "work" and members[value eq "x"]]`},
		{"User", `emails[primary gt true]`},
		{"User", `userName eq "x" and active gt true`},
		{"User", `not (name eq "x")`},
		{"User", `userName pr or meta.created gt "yesterday"`},
		{"Group", `meta.created gt "x"`},
		{"Group", `members[value eq "x" and type co true and display lt null]`},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			f, err := compile(t, reg.ResourceType(tt.rt), tt.filter)
			if err == nil {
				t.Fatalf("CompileFilter(%q) = %v, want an error", tt.filter, f)
			}
			var fe *store.FilterError
			if !errors.As(err, &fe) {
				t.Fatalf("CompileFilter(%q) error %T %v, want *store.FilterError", tt.filter, err, err)
			}
			if fe.Error() == "" {
				t.Errorf("CompileFilter(%q): empty error message", tt.filter)
			}
		})
	}
}

func TestCompileFilterNil(t *testing.T) {
	_, err := store.CompileFilter(nil, registry(t).ResourceType("User"))
	var fe *store.FilterError
	if !errors.As(err, &fe) {
		t.Errorf("CompileFilter(nil) error %v, want *store.FilterError", err)
	}
}

func TestMatchBadAttributes(t *testing.T) {
	f, err := compile(t, registry(t).ResourceType("User"), `userName pr`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Match(&store.Resource{Type: store.User, ID: "x", Attributes: json.RawMessage(`{"userName":`)}); err == nil {
		t.Error("Match on truncated JSON attributes: no error")
	}
	got, err := f.Match(&store.Resource{Type: store.User, ID: "x"})
	if err != nil || got {
		t.Errorf("Match on empty attributes = %v, %v; want false, nil", got, err)
	}
}

func userWith(t testing.TB, id string, attrs map[string]any, created time.Time) *store.Resource {
	return &store.Resource{Type: store.User, ID: id, Attributes: mustJSON(t, attrs), Created: created, LastModified: created}
}

func ids(rs []*store.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func decoded(t testing.TB) func(*store.Resource) map[string]any {
	return func(r *store.Resource) map[string]any {
		m, err := store.DecodeAttributes(r)
		if err != nil {
			t.Fatalf("DecodeAttributes(%s): %v", r.ID, err)
		}
		return m
	}
}

func TestQuerySort(t *testing.T) {
	rt := registry(t).ResourceType("User")
	day := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	users := func() []*store.Resource {
		return []*store.Resource{
			userWith(t, "bob", map[string]any{"userName": "bob", "name": map[string]any{"familyName": "Smith"}, testExtURN: map[string]any{"level": 10}}, day(3)),
			userWith(t, "none", map[string]any{"nickName": "no userName"}, day(5)),
			userWith(t, "Alice", map[string]any{"userName": "Alice", testExtURN: map[string]any{"level": 2}}, day(4)),
			userWith(t, "carol", map[string]any{"userName": "carol", "name": map[string]any{"familyName": "adams"}, testExtURN: map[string]any{"level": 9.5}}, day(1)),
			userWith(t, "empty", map[string]any{"userName": ""}, day(2)),
		}
	}
	path := func(s string) *store.Path {
		ap, err := filter.ParsePath(s)
		if err != nil {
			t.Fatal(err)
		}
		return store.CompilePath(ap.AttributePath, rt)
	}
	tests := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"no sortBy keeps order", store.Query{}, []string{"bob", "none", "Alice", "carol", "empty"}},
		{"userName ascending, case-insensitive, missing last", store.Query{SortBy: path("userName")}, []string{"Alice", "bob", "carol", "none", "empty"}},
		{"userName descending, missing still last", store.Query{SortBy: path("userName"), SortDescending: true}, []string{"carol", "bob", "Alice", "none", "empty"}},
		{"name.familyName ascending", store.Query{SortBy: path("name.familyName")}, []string{"carol", "bob", "none", "Alice", "empty"}},
		{"name.familyName descending", store.Query{SortBy: path("name.familyName"), SortDescending: true}, []string{"bob", "carol", "none", "Alice", "empty"}},
		{"meta.created ascending", store.Query{SortBy: path("meta.created")}, []string{"carol", "empty", "bob", "Alice", "none"}},
		{"meta.created descending", store.Query{SortBy: path("meta.created"), SortDescending: true}, []string{"none", "Alice", "bob", "empty", "carol"}},
		{"integer numerically", store.Query{SortBy: path("level")}, []string{"Alice", "carol", "bob", "none", "empty"}},
		{"integer numerically descending", store.Query{SortBy: path("level"), SortDescending: true}, []string{"bob", "carol", "Alice", "none", "empty"}},
		{"unknown attribute keeps order", store.Query{SortBy: path("nosuch")}, []string{"bob", "none", "Alice", "carol", "empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := users()
			tt.q.Sort(rs, decoded(t))
			if d := cmp.Diff(tt.want, ids(rs)); d != "" {
				t.Errorf("Sort (-want +got):\n%s", d)
			}
		})
	}
}

func TestQuerySortStable(t *testing.T) {
	rt := registry(t).ResourceType("User")
	sortBy := store.CompilePath(fp.AttributePath{AttributeName: "userName"}, rt)
	mk := func() []*store.Resource {
		return []*store.Resource{
			userWith(t, "1", map[string]any{"userName": "BOB"}, time.Time{}),
			userWith(t, "2", map[string]any{"userName": "alice"}, time.Time{}),
			userWith(t, "3", map[string]any{"userName": "bob"}, time.Time{}),
			userWith(t, "4", map[string]any{"userName": "Bob"}, time.Time{}),
		}
	}
	for _, desc := range []bool{false, true} {
		rs := mk()
		store.Query{SortBy: sortBy, SortDescending: desc}.Sort(rs, decoded(t))
		want := []string{"2", "1", "3", "4"}
		if desc {
			want = []string{"1", "3", "4", "2"}
		}
		if d := cmp.Diff(want, ids(rs)); d != "" {
			t.Errorf("descending=%v: equal keys reordered (-want +got):\n%s", desc, d)
		}
	}
}

// RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value,
// if any, else by its first value.
func TestQuerySortMultiValuedPrimary(t *testing.T) {
	rt := registry(t).ResourceType("User")
	rs := []*store.Resource{
		userWith(t, "m", map[string]any{"emails": []any{map[string]any{"value": "m@example.com", "primary": true}}}, time.Time{}),
		userWith(t, "za", map[string]any{"emails": []any{
			map[string]any{"value": "z@example.com"},
			map[string]any{"value": "a@example.com", "primary": true},
		}}, time.Time{}),
		userWith(t, "b", map[string]any{"emails": []any{map[string]any{"value": "b@example.com"}}}, time.Time{}),
	}
	store.Query{SortBy: store.CompilePath(fp.AttributePath{AttributeName: "emails"}, rt)}.Sort(rs, decoded(t))
	if d := cmp.Diff([]string{"za", "b", "m"}, ids(rs)); d != "" {
		t.Errorf("sortBy=emails (-want +got):\n%s", d)
	}
}

func TestQueryWindow(t *testing.T) {
	var rs []*store.Resource
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		rs = append(rs, &store.Resource{ID: id})
	}
	tests := []struct {
		start, count int
		want         []string
	}{
		{1, 2, []string{"a", "b"}},
		{1, 5, []string{"a", "b", "c", "d", "e"}},
		{1, 100, []string{"a", "b", "c", "d", "e"}},
		{2, 3, []string{"b", "c", "d"}},
		{0, 2, []string{"a", "b"}},  // < 1 means 1
		{-5, 2, []string{"a", "b"}}, // < 1 means 1
		{4, 10, []string{"d", "e"}}, // count past the end
		{5, 1, []string{"e"}},       // last one
		{6, 1, nil},                 // just past the end
		{100, 10, nil},              // far past the end
		{1, 0, nil},                 // count 0: totalResults only
		{1, -1, nil},                // negative count is 0 (RFC 7644 §3.4.2.4)
		{3, -10, nil},
	}
	for _, tt := range tests {
		got := store.Query{StartIndex: tt.start, Count: tt.count}.Window(rs)
		if d := cmp.Diff(tt.want, ids(got), cmpopts.EquateEmpty()); d != "" {
			t.Errorf("Window(startIndex=%d, count=%d) (-want +got):\n%s", tt.start, tt.count, d)
		}
	}
	if got := (store.Query{StartIndex: 1, Count: 10}).Window(nil); len(got) != 0 {
		t.Errorf("Window of nothing = %v", ids(got))
	}
	// The window shares the slice; it must not reach past len(rs).
	got := store.Query{StartIndex: 2, Count: 2}.Window(rs[:3])
	if d := cmp.Diff([]string{"b", "c"}, ids(got)); d != "" {
		t.Errorf("Window on a sub-slice (-want +got):\n%s", d)
	}
}

func TestEquality(t *testing.T) {
	reg := registry(t)
	type result struct {
		Attr, Value string
		OK          bool
	}
	tests := []struct {
		rt, filter string
		attrs      []string
		want       result
	}{
		{"User", `userName eq "bjensen"`, []string{"userName"}, result{"userName", "bjensen", true}},
		{"User", `USERNAME eq "BJensen"`, []string{"userName"}, result{"userName", "BJensen", true}},
		{"User", `userName eq "x" and active eq true`, []string{"userName"}, result{"userName", "x", true}},
		{"User", `active eq true and userName eq "x"`, []string{"userName"}, result{"userName", "x", true}},
		{"User", `active eq true and (title pr and userName eq "x")`, []string{"userName"}, result{"userName", "x", true}},
		{"User", `(userName eq "x" or title pr) and externalId eq "E1"`, []string{"userName", "externalId"}, result{"externalId", "E1", true}},
		{"User", `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`, []string{"userName"}, result{"userName", "x", true}},
		{"User", `externalId eq "E1"`, []string{"userName", "externalId"}, result{"externalId", "E1", true}},
		{"User", `id eq "abc"`, []string{"id"}, result{"id", "abc", true}},
		{"Group", `displayName eq "Tour Guides"`, []string{"displayName"}, result{"displayName", "Tour Guides", true}},
		{"Group", `displayName eq "Tour Guides" and members[value eq "u"]`, []string{"displayName"}, result{"displayName", "Tour Guides", true}},

		{"User", `userName eq "x" or userName eq "y"`, []string{"userName"}, result{}},
		{"User", `userName eq "x" or active eq true`, []string{"userName"}, result{}},
		{"User", `not (userName eq "x")`, []string{"userName"}, result{}},
		{"User", `active eq true and not (userName eq "x")`, []string{"userName"}, result{}},
		{"User", `not (not (userName eq "x"))`, []string{"userName"}, result{}},
		{"User", `userName ne "x"`, []string{"userName"}, result{}},
		{"User", `userName co "x"`, []string{"userName"}, result{}},
		{"User", `userName sw "x"`, []string{"userName"}, result{}},
		{"User", `userName pr`, []string{"userName"}, result{}},
		{"User", `userName eq null`, []string{"userName"}, result{}},
		{"User", `userName eq "x"`, []string{"externalId"}, result{}},
		{"User", `userName eq "x"`, nil, result{}},
		{"User", `name.givenName eq "x"`, []string{"userName", "name"}, result{}},
		{"User", `emails[value eq "x"]`, []string{"userName", "value"}, result{}},
		{"User", `displayName eq "x"`, []string{"userName"}, result{}},
	}
	for _, tt := range tests {
		t.Run(tt.rt+" "+tt.filter, func(t *testing.T) {
			f, err := compile(t, reg.ResourceType(tt.rt), tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got result
			got.Attr, got.Value, got.OK = f.Equality(tt.attrs...)
			if !tt.want.OK {
				if got.OK {
					t.Errorf("Equality(%q) = %+v, want none", tt.attrs, got)
				}
				return
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Equality(%q) (-want +got):\n%s", tt.attrs, d)
			}
		})
	}
}
