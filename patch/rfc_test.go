package patch_test

// RFC 7644 §3.5.2 examples and the error cases the RFC defines, run
// through Parse → Normalize → Apply under both compat settings.

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/patch"
)

type rfcCase struct {
	name  string
	rt    string
	start string
	body  string
	want  string // attributes after, when the PATCH succeeds
	err   string // scimType expected with the default compat; "" = success
	// strict is the scimType expected with Strict; "" = as the default
	// (same error, or same result); "ok" = success with want.
	strict string
}

const (
	babs = `{"userName":"bjensen@example.com","active":true,"title":"Tour Guide","nickName":"Babs",
		"name":{"formatted":"Ms. Barbara J Jensen, III","familyName":"Jensen","givenName":"Barbara"},
		"emails":[{"value":"bjensen@example.com","type":"work","primary":true}],
		"addresses":[
			{"type":"work","streetAddress":"100 Universal City Plaza","locality":"Hollywood","region":"CA","postalCode":"91608","country":"USA"},
			{"type":"home","streetAddress":"456 Hollywood Blvd","locality":"Hollywood","region":"CA","postalCode":"91608","country":"USA","primary":true}],
		"$ENT":{"employeeNumber":"701984","manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d"}}}`
	rfcGroup = `{"displayName":"Tour Guides","members":[
		{"value":"2819c223-7f76-453a-919d-413861904646","display":"Babs Jensen","$ref":"https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"},
		{"value":"902c246b-6245-4190-8e05-00816be7344a","display":"Mandy Pepperidge"}]}`
)

var rfcCases = []rfcCase{
	// ---- §3.5.2.1 add ----------------------------------------------------
	{
		name:  "3.5.2.1/add-members",
		rt:    "Group",
		start: `{"displayName":"Tour Guides","members":[{"value":"902c246b-6245-4190-8e05-00816be7344a","display":"Mandy Pepperidge"}]}`,
		body: `{"schemas":["$OP"],"Operations":[{"op":"add","path":"members","value":[{"display":"Babs Jensen",
			"$ref":"https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646","value":"2819c223-7f76-453a-919d-413861904646"}]}]}`,
		want: `{"displayName":"Tour Guides","members":[{"value":"902c246b-6245-4190-8e05-00816be7344a","display":"Mandy Pepperidge"},
			{"value":"2819c223-7f76-453a-919d-413861904646","display":"Babs Jensen","$ref":"https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"}]}`,
	},
	{
		name:  "3.5.2.1/add-without-path",
		rt:    "User",
		start: `{"userName":"bjensen@example.com","emails":[{"value":"bjensen@example.com","type":"work","primary":true}]}`,
		body: `{"schemas":["$OP"],"Operations":[{"op":"add","value":{
			"emails":[{"value":"babs@jensen.org","type":"home"}],"nickname":"Babs"}}]}`,
		want: `{"userName":"bjensen@example.com","nickName":"Babs",
			"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}]}`,
	},
	{
		name:  "3.5.2.1/add-complex-merges-sub-attributes",
		rt:    "User",
		start: `{"userName":"bjensen@example.com","name":{"familyName":"Jensen","givenName":"Barbara"}}`,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"add","path":"name","value":{"givenName":"Babs","middleName":"Jane"}}]}`,
		want:  `{"userName":"bjensen@example.com","name":{"familyName":"Jensen","givenName":"Babs","middleName":"Jane"}}`,
	},
	{
		name:  "3.5.2.1/add-existing-value-no-change",
		rt:    "User",
		start: babs,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"add","path":"emails","value":[{"value":"bjensen@example.com","type":"work","primary":true}]}]}`,
		want:  babs,
	},

	// ---- §3.5.2.2 remove -------------------------------------------------
	{
		name:  "3.5.2.2/remove-single-member",
		rt:    "Group",
		start: rfcGroup,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"}]}`,
		want:  `{"displayName":"Tour Guides","members":[{"value":"902c246b-6245-4190-8e05-00816be7344a","display":"Mandy Pepperidge"}]}`,
	},
	{
		name:  "3.5.2.2/remove-all-members",
		rt:    "Group",
		start: rfcGroup,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"members"}]}`,
		want:  `{"displayName":"Tour Guides"}`,
	},
	{
		name:  "3.5.2.2/remove-and-replace-members",
		rt:    "Group",
		start: rfcGroup,
		body: `{"schemas":["$OP"],"Operations":[
			{"op":"remove","path":"members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"},
			{"op":"add","path":"members","value":[{"display":"James Smith","$ref":"https://example.com/v2/Users/08e1d05d-121c-4561-8b96-473d93df9210","value":"08e1d05d-121c-4561-8b96-473d93df9210"}]}]}`,
		want: `{"displayName":"Tour Guides","members":[{"value":"902c246b-6245-4190-8e05-00816be7344a","display":"Mandy Pepperidge"},
			{"value":"08e1d05d-121c-4561-8b96-473d93df9210","display":"James Smith","$ref":"https://example.com/v2/Users/08e1d05d-121c-4561-8b96-473d93df9210"}]}`,
	},
	{
		name:  "3.5.2.2/remove-sub-attribute-in-filter",
		rt:    "Group",
		start: rfcGroup,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"members[value eq \"2819c223-7f76-453a-919d-413861904646\"].$ref"}]}`,
		want: `{"displayName":"Tour Guides","members":[
			{"value":"2819c223-7f76-453a-919d-413861904646","display":"Babs Jensen"},
			{"value":"902c246b-6245-4190-8e05-00816be7344a","display":"Mandy Pepperidge"}]}`,
	},
	{
		name:  "3.5.2.2/remove-address-sub-attribute-in-filter",
		rt:    "User",
		start: `{"userName":"bjensen@example.com","addresses":[{"type":"work","streetAddress":"100 Universal City Plaza","locality":"Hollywood"},{"type":"home","streetAddress":"456 Hollywood Blvd"}]}`,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"addresses[type eq \"work\"].streetAddress"}]}`,
		want:  `{"userName":"bjensen@example.com","addresses":[{"type":"work","locality":"Hollywood"},{"type":"home","streetAddress":"456 Hollywood Blvd"}]}`,
	},
	{
		name:  "3.5.2.2/remove-by-complex-filter",
		rt:    "User",
		start: `{"userName":"bjensen@example.com","emails":[{"value":"b@example.com","type":"work"},{"value":"b@jensen.org","type":"work"},{"value":"h@example.com","type":"home"}]}`,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"emails[type eq \"work\" and value ew \"example.com\"]"}]}`,
		want:  `{"userName":"bjensen@example.com","emails":[{"value":"b@jensen.org","type":"work"},{"value":"h@example.com","type":"home"}]}`,
	},
	{
		name:  "3.5.2.2/remove-single-valued",
		rt:    "User",
		start: babs,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"title"},{"op":"remove","path":"name.formatted"},{"op":"remove","path":"$ENT:employeeNumber"}]}`,
		want: `{"userName":"bjensen@example.com","active":true,"nickName":"Babs",
			"name":{"familyName":"Jensen","givenName":"Barbara"},
			"emails":[{"value":"bjensen@example.com","type":"work","primary":true}],
			"addresses":[
				{"type":"work","streetAddress":"100 Universal City Plaza","locality":"Hollywood","region":"CA","postalCode":"91608","country":"USA"},
				{"type":"home","streetAddress":"456 Hollywood Blvd","locality":"Hollywood","region":"CA","postalCode":"91608","country":"USA","primary":true}],
			"$ENT":{"manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d"}}}`,
	},
	{
		name:  "3.5.2.2/remove-absent-attribute-is-no-op",
		rt:    "User",
		start: `{"userName":"bjensen@example.com"}`,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"title"},{"op":"remove","path":"emails[type eq \"work\"]"},{"op":"remove","path":"$ENT:manager"}]}`,
		want:  `{"userName":"bjensen@example.com"}`,
	},

	// ---- §3.5.2.3 replace ------------------------------------------------
	{
		name:  "3.5.2.3/replace-members",
		rt:    "Group",
		start: rfcGroup,
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"members","value":[
			{"display":"Babs Jensen","$ref":"https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646","value":"2819c223-7f76-453a-919d-413861904646"},
			{"display":"James Smith","$ref":"https://example.com/v2/Users/08e1d05d-121c-4561-8b96-473d93df9210","value":"08e1d05d-121c-4561-8b96-473d93df9210"}]}]}`,
		want: `{"displayName":"Tour Guides","members":[
			{"value":"2819c223-7f76-453a-919d-413861904646","display":"Babs Jensen","$ref":"https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"},
			{"value":"08e1d05d-121c-4561-8b96-473d93df9210","display":"James Smith","$ref":"https://example.com/v2/Users/08e1d05d-121c-4561-8b96-473d93df9210"}]}`,
	},
	{
		name:  "3.5.2.3/replace-without-path",
		rt:    "User",
		start: `{"userName":"bjensen@example.com","nickName":"B","emails":[{"value":"old@example.com","type":"other"}]}`,
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","value":{
			"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}],"nickname":"Babs"}}]}`,
		want: `{"userName":"bjensen@example.com","nickName":"Babs",
			"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}]}`,
	},
	{
		// The replaced work address becomes primary: RFC 7643 §2.4 allows
		// one primary value, so the home address loses it.
		name:  "3.5.2.3/replace-value-filter-whole-element",
		rt:    "User",
		start: babs,
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"addresses[type eq \"work\"]","value":{"type":"work",
			"streetAddress":"911 Universal City Plaza","locality":"Hollywood","region":"CA","postalCode":"91608","country":"US",
			"formatted":"911 Universal City Plaza\nHollywood, CA 91608 US","primary":true}}]}`,
		want: `{"userName":"bjensen@example.com","active":true,"title":"Tour Guide","nickName":"Babs",
			"name":{"formatted":"Ms. Barbara J Jensen, III","familyName":"Jensen","givenName":"Barbara"},
			"emails":[{"value":"bjensen@example.com","type":"work","primary":true}],
			"addresses":[
				{"type":"work","streetAddress":"911 Universal City Plaza","locality":"Hollywood","region":"CA","postalCode":"91608","country":"US",
				 "formatted":"911 Universal City Plaza\nHollywood, CA 91608 US","primary":true},
				{"type":"home","streetAddress":"456 Hollywood Blvd","locality":"Hollywood","region":"CA","postalCode":"91608","country":"USA","primary":false}],
			"$ENT":{"employeeNumber":"701984","manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d"}}}`,
	},
	{
		name:  "3.5.2.1/add-value-filter-element-primary-clears-others",
		rt:    "User",
		start: `{"userName":"bjensen@example.com","emails":[{"value":"w@example.com","type":"work"},{"value":"h@example.com","type":"home","primary":true}]}`,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"add","path":"emails[type eq \"work\"]","value":{"primary":true}}]}`,
		want:  `{"userName":"bjensen@example.com","emails":[{"value":"w@example.com","type":"work","primary":true},{"value":"h@example.com","type":"home","primary":false}]}`,
	},
	{
		name:  "3.5.2.3/replace-value-filter-whole-element-no-primary",
		rt:    "User",
		start: `{"userName":"bjensen@example.com","addresses":[{"type":"work","streetAddress":"100 Universal City Plaza","locality":"Hollywood"},{"type":"home","locality":"Hollywood","primary":true}]}`,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"addresses[type eq \"work\"]","value":{"type":"work","streetAddress":"911 Universal City Plaza"}}]}`,
		want:  `{"userName":"bjensen@example.com","addresses":[{"type":"work","streetAddress":"911 Universal City Plaza"},{"type":"home","locality":"Hollywood","primary":true}]}`,
	},
	{
		name:  "3.5.2.3/replace-sub-attribute-in-filter",
		rt:    "User",
		start: `{"userName":"bjensen@example.com","addresses":[{"type":"work","streetAddress":"100 Universal City Plaza"},{"type":"home","streetAddress":"456 Hollywood Blvd"}]}`,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"addresses[type eq \"work\"].streetAddress","value":"1010 Broadway Ave"}]}`,
		want:  `{"userName":"bjensen@example.com","addresses":[{"type":"work","streetAddress":"1010 Broadway Ave"},{"type":"home","streetAddress":"456 Hollywood Blvd"}]}`,
	},
	{
		name:   "3.5.2.3/replace-value-filter-no-match",
		rt:     "User",
		start:  `{"userName":"bjensen@example.com","addresses":[{"type":"home","streetAddress":"456 Hollywood Blvd"}]}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"addresses[type eq \"work\"].streetAddress","value":"1010 Broadway Ave"}]}`,
		want:   `{"userName":"bjensen@example.com","addresses":[{"type":"home","streetAddress":"456 Hollywood Blvd"},{"type":"work","streetAddress":"1010 Broadway Ave"}]}`,
		strict: "noTarget",
	},
	{
		name:  "3.5.2.3/replace-simple-and-extension",
		rt:    "User",
		start: babs,
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"userName","value":"babs@example.com"},
			{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:title","value":"Lead"},
			{"op":"replace","path":"$ENT:employeeNumber","value":"42"}]}`,
		want: `{"userName":"babs@example.com","active":true,"title":"Lead","nickName":"Babs",
			"name":{"formatted":"Ms. Barbara J Jensen, III","familyName":"Jensen","givenName":"Barbara"},
			"emails":[{"value":"bjensen@example.com","type":"work","primary":true}],
			"addresses":[
				{"type":"work","streetAddress":"100 Universal City Plaza","locality":"Hollywood","region":"CA","postalCode":"91608","country":"USA"},
				{"type":"home","streetAddress":"456 Hollywood Blvd","locality":"Hollywood","region":"CA","postalCode":"91608","country":"USA","primary":true}],
			"$ENT":{"employeeNumber":"42","manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d"}}}`,
	},
	{
		name:  "3.5.2.3/replace-same-value-no-change",
		rt:    "User",
		start: `{"userName":"bjensen@example.com","title":"Tour Guide"}`,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"title","value":"Tour Guide"}]}`,
		want:  `{"userName":"bjensen@example.com","title":"Tour Guide"}`,
	},

	// ---- clearing ----------------------------------------------------------
	{
		name:  "clear/replace-empty-string",
		rt:    "User",
		start: `{"userName":"bjensen@example.com","title":"Tour Guide","nickName":"Babs"}`,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"title","value":""}]}`,
		want:  `{"userName":"bjensen@example.com","nickName":"Babs"}`,
	},
	{
		name:  "clear/replace-null",
		rt:    "User",
		start: `{"userName":"bjensen@example.com","title":"Tour Guide","nickName":"Babs"}`,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"title","value":null}]}`,
		want:  `{"userName":"bjensen@example.com","nickName":"Babs"}`,
	},
	{
		name:  "clear/replace-sub-attribute-empty-string",
		rt:    "User",
		start: `{"userName":"bjensen@example.com","name":{"givenName":"Barbara","familyName":"Jensen"}}`,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"name.givenName","value":""}]}`,
		want:  `{"userName":"bjensen@example.com","name":{"familyName":"Jensen"}}`,
	},
	{
		name:  "clear/replace-extension-null",
		rt:    "User",
		start: `{"userName":"bjensen@example.com","$ENT":{"employeeNumber":"701984"}}`,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"$ENT:employeeNumber","value":null}]}`,
		want:  `{"userName":"bjensen@example.com"}`,
	},

	{
		// RFC 7643 §2.5: null is "unassigned"; "" clears as everywhere else.
		name:  "clear/replace-complex-with-null-and-empty-sub-attributes",
		rt:    "User",
		start: `{"userName":"bjensen@example.com","name":{"givenName":"Barbara","familyName":"Jensen","formatted":"Barbara Jensen"}}`,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"name","value":{"givenName":"","familyName":null}}]}`,
		want:  `{"userName":"bjensen@example.com","name":{"formatted":"Barbara Jensen"}}`,
	},

	// ---- mutability --------------------------------------------------------
	{name: "mutability/replace-id", rt: "User", start: babs, err: "mutability",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"id","value":"x"}]}`},
	{name: "mutability/remove-id", rt: "User", start: babs, err: "mutability",
		body: `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"id"}]}`},
	{name: "mutability/qualified-id", rt: "User", start: babs, err: "mutability",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:id","value":"x"}]}`},
	{name: "mutability/replace-meta-lastModified", rt: "User", start: babs, err: "mutability",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"meta.lastModified","value":"2011-05-13T04:42:34Z"}]}`},
	{name: "mutability/add-meta", rt: "Group", start: rfcGroup, err: "mutability",
		body: `{"schemas":["$OP"],"Operations":[{"op":"add","path":"meta","value":{"version":"W/\"1\""}}]}`},
	{name: "mutability/remove-meta-version", rt: "Group", start: rfcGroup, err: "mutability",
		body: `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"meta.version"}]}`},
	{name: "mutability/add-groups", rt: "User", start: babs, err: "mutability",
		body: `{"schemas":["$OP"],"Operations":[{"op":"add","path":"groups","value":[{"value":"e9e30dba-f08f-4109-8486-d5c6a331660a"}]}]}`},
	{name: "mutability/remove-groups", rt: "User", start: babs, err: "mutability",
		body: `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"groups"}]}`},
	{name: "mutability/replace-groups-filter", rt: "User", start: babs, err: "mutability",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"groups[value eq \"g1\"].display","value":"x"}]}`},
	{name: "mutability/pathless-groups", rt: "User", start: babs, err: "mutability",
		body: `{"schemas":["$OP"],"Operations":[{"op":"add","value":{"groups":[{"value":"e9e30dba-f08f-4109-8486-d5c6a331660a"}]}}]}`},

	// ---- noTarget / invalidValue --------------------------------------------
	{name: "noTarget/remove-without-path", rt: "User", start: babs, err: "noTarget",
		body: `{"schemas":["$OP"],"Operations":[{"op":"remove"}]}`},
	{name: "noTarget/remove-without-path-with-value", rt: "Group", start: rfcGroup, err: "noTarget",
		body: `{"schemas":["$OP"],"Operations":[{"op":"remove","value":{"members":[{"value":"902c246b-6245-4190-8e05-00816be7344a"}]}}]}`},
	{name: "required/remove-userName", rt: "User", start: babs, err: "invalidValue",
		body: `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"userName"}]}`},
	{name: "required/replace-userName-empty", rt: "User", start: babs, err: "invalidValue",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"userName","value":""}]}`},
	{name: "required/replace-userName-null", rt: "User", start: babs, err: "invalidValue",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"userName","value":null}]}`},
	{name: "required/pathless-userName-empty", rt: "User", start: babs, err: "invalidValue",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","value":{"userName":""}}]}`},
	{name: "required/remove-group-displayName", rt: "Group", start: rfcGroup, err: "invalidValue",
		body: `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"displayName"}]}`},
	{name: "type/active-number", rt: "User", start: babs, err: "invalidValue",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"active","value":5}]}`},
	{name: "type/active-string-not-boolean", rt: "User", start: babs, err: "invalidValue",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"active","value":"yes"}]}`},
	{name: "type/pathless-active-number", rt: "User", start: babs, err: "invalidValue",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","value":{"active":5}}]}`},
	{name: "type/name-number", rt: "User", start: babs, err: "invalidValue",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"name","value":3}]}`},
	{name: "type/pathless-name-number", rt: "User", start: babs, err: "invalidValue",
		body: `{"schemas":["$OP"],"Operations":[{"op":"add","value":{"name":3}}]}`},
	{name: "type/userName-number", rt: "User", start: babs, err: "invalidValue",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"userName","value":42}]}`},
	{name: "type/email-value-object", rt: "User", start: babs, err: "invalidValue",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":{"a":1}}]}`},
	{name: "type/primary-number", rt: "User", start: babs, err: "invalidValue",
		body: `{"schemas":["$OP"],"Operations":[{"op":"add","path":"emails","value":[{"value":"x@example.com","primary":7}]}]}`},
	{name: "type/single-valued-given-array-of-two", rt: "User", start: babs, err: "invalidValue",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"title","value":["a","b"]}]}`},

	// ---- unknown attributes ------------------------------------------------
	{name: "unknown/path", rt: "User", start: babs, want: babs, strict: "invalidPath",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"favouriteColour","value":"blue"}]}`},
	{name: "unknown/sub-attribute", rt: "User", start: babs, want: babs, strict: "invalidPath",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"name.nickName","value":"x"}]}`},
	{name: "unknown/schema-urn", rt: "User", start: babs, want: babs, strict: "invalidPath",
		body: `{"schemas":["$OP"],"Operations":[{"op":"add","path":"urn:example:params:scim:schemas:extension:acme:2.0:User:badge","value":"7"}]}`},
	{name: "unknown/remove", rt: "User", start: babs, want: babs, strict: "invalidPath",
		body: `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"favouriteColour"}]}`},
	{name: "unknown/pathless-key", rt: "User", start: `{"userName":"bjensen@example.com"}`,
		want: `{"userName":"bjensen@example.com","nickName":"Babs"}`, strict: "invalidPath",
		body: `{"schemas":["$OP"],"Operations":[{"op":"add","value":{"favouriteColour":"blue","nickName":"Babs"}}]}`},

	// ---- bad syntax --------------------------------------------------------
	{name: "invalidPath/unclosed-filter", rt: "User", start: babs, err: "invalidPath",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"","value":"x"}]}`},
	{name: "invalidPath/filter-without-value", rt: "User", start: babs, err: "invalidPath",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"emails[type eq].value","value":"x"}]}`},
	{name: "invalidPath/bracket", rt: "User", start: babs, err: "invalidPath",
		body: `{"schemas":["$OP"],"Operations":[{"op":"add","path":"[","value":"x"}]}`},
	{name: "invalidPath/double-dot", rt: "User", start: babs, err: "invalidPath",
		body: `{"schemas":["$OP"],"Operations":[{"op":"add","path":"name..givenName","value":"x"}]}`},
	{name: "invalidPath/space-in-path", rt: "User", start: babs, err: "invalidPath",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"display name","value":"x"}]}`},
	{name: "invalidPath/filter-on-single-valued", rt: "User", start: babs, err: "invalidPath",
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"name[givenName eq \"Barbara\"].familyName","value":"x"}]}`},
	{name: "invalidPath/remove-unclosed-filter", rt: "Group", start: rfcGroup, err: "invalidPath",
		body: `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"members[value eq \"2819c223\""}]}`},
	{name: "invalidSyntax/unknown-op", rt: "User", start: babs, err: "invalidSyntax",
		body: `{"schemas":["$OP"],"Operations":[{"op":"move","path":"title","value":"x"}]}`},
	{name: "invalidSyntax/test-op", rt: "User", start: babs, err: "invalidSyntax",
		body: `{"schemas":["$OP"],"Operations":[{"op":"test","path":"title","value":"Tour Guide"}]}`},
	{name: "invalidSyntax/empty-op", rt: "User", start: babs, err: "invalidSyntax",
		body: `{"schemas":["$OP"],"Operations":[{"op":"","path":"title","value":"x"}]}`},
	{name: "invalidSyntax/op-not-string", rt: "User", start: babs, err: "invalidSyntax",
		body: `{"schemas":["$OP"],"Operations":[{"op":1,"path":"title","value":"x"}]}`},
	{name: "invalidSyntax/no-op", rt: "User", start: babs, err: "invalidSyntax",
		body: `{"schemas":["$OP"],"Operations":[{"path":"title","value":"x"}]}`},
	{name: "invalidSyntax/no-operations", rt: "User", start: babs, err: "invalidSyntax",
		body: `{"schemas":["$OP"]}`},
	{name: "invalidSyntax/operations-not-array", rt: "User", start: babs, err: "invalidSyntax",
		body: `{"schemas":["$OP"],"Operations":{"op":"add","path":"title","value":"x"}}`},
	{name: "invalidSyntax/operation-not-object", rt: "User", start: babs, err: "invalidSyntax",
		body: `{"schemas":["$OP"],"Operations":["add"]}`},
	{name: "invalidSyntax/path-not-string", rt: "User", start: babs, err: "invalidSyntax",
		body: `{"schemas":["$OP"],"Operations":[{"op":"add","path":7,"value":"x"}]}`},
	{name: "invalidSyntax/pathless-add-non-object", rt: "User", start: babs, err: "invalidSyntax",
		body: `{"schemas":["$OP"],"Operations":[{"op":"add","value":"x"}]}`},
	{name: "invalidSyntax/schemas-not-array", rt: "User", start: babs, err: "invalidSyntax",
		body: `{"schemas":"$OP","Operations":[{"op":"add","path":"title","value":"x"}]}`},
}

func TestRFC(t *testing.T) {
	for _, tc := range rfcCases {
		for _, strict := range []bool{false, true} {
			name := tc.name + "/default"
			if strict {
				name = tc.name + "/strict"
			}
			t.Run(name, func(t *testing.T) {
				rt := resourceType(t, tc.rt)
				attrs := decodeObject(t, tc.start)
				before := decodeObject(t, tc.start)
				wantErr := tc.err
				if strict && tc.strict != "" {
					wantErr = tc.strict
					if wantErr == "ok" {
						wantErr = ""
					}
				}
				changed, rw, err := runPatch(rt, attrs, decodeObject(t, tc.body), patch.Compat{Strict: strict})
				if wantErr != "" {
					if err == nil {
						t.Fatalf("no error; want scimType %s; attributes now %v", wantErr, attrs)
					}
					if got := scimTypeOf(t, err); got != wantErr {
						t.Errorf("scimType = %q, want %q (%v)", got, wantErr, err)
					}
					if diff := cmp.Diff(before, attrs); diff != "" {
						t.Errorf("failed PATCH changed the attributes (-before +after):\n%s", diff)
					}
					return
				}
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if len(rw) != 0 {
					t.Errorf("an RFC body was rewritten: %v", rw)
				}
				want := decodeObject(t, tc.want)
				if diff := cmp.Diff(want, attrs); diff != "" {
					t.Errorf("attributes (-want +got):\n%s", diff)
				}
				if wantChanged := !cmp.Equal(before, want); changed != wantChanged {
					t.Errorf("changed = %v, want %v", changed, wantChanged)
				}
			})
		}
	}
}

// TestApplyAtomic: when a later operation fails, Apply leaves attrs
// exactly as they were, also when earlier operations changed nested
// values (an email element, the extension object, members).
func TestApplyAtomic(t *testing.T) {
	first := `{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@example.com"},
		{"op":"replace","path":"$ENT:employeeNumber","value":"1"}`
	for _, tc := range []struct {
		name   string
		rt     string
		start  string
		ops    string // JSON array of RFC-form operations
		strict bool
		want   string // scimType
	}{
		{"third-op-wrong-type", "User", babs,
			`[` + first + `,{"op":"replace","path":"active","value":5}]`, false, "invalidValue"},
		{"third-op-name-number", "User", babs,
			`[` + first + `,{"op":"replace","path":"name","value":3}]`, false, "invalidValue"},
		{"third-op-read-only", "User", babs,
			`[` + first + `,{"op":"replace","path":"id","value":"x"}]`, false, "mutability"},
		{"third-op-groups", "User", babs,
			`[` + first + `,{"op":"add","path":"groups","value":[{"value":"g"}]}]`, false, "mutability"},
		{"third-op-removes-required", "User", babs,
			`[` + first + `,{"op":"remove","path":"userName"}]`, false, "invalidValue"},
		{"third-op-unknown-op", "User", babs,
			`[` + first + `,{"op":"move","path":"title"}]`, false, "invalidSyntax"},
		{"third-op-remove-without-path", "User", babs,
			`[` + first + `,{"op":"remove"}]`, false, "noTarget"},
		{"third-op-bad-path", "User", babs,
			`[` + first + `,{"op":"add","path":"emails[type eq","value":"x"}]`, false, "invalidPath"},
		{"third-op-no-target-strict", "User", babs,
			`[` + first + `,{"op":"replace","path":"phoneNumbers[type eq \"mobile\"].value","value":"1"}]`, true, "noTarget"},
		{"third-op-unknown-attribute-strict", "User", babs,
			`[` + first + `,{"op":"add","path":"favouriteColour","value":"blue"}]`, true, "invalidPath"},
		{"third-op-pathless-wrong-type", "User", babs,
			`[` + first + `,{"op":"add","value":{"title":"x","active":5}}]`, false, "invalidValue"},
		{"group-third-op-fails", "Group", rfcGroup,
			`[{"op":"remove","path":"members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"},
			  {"op":"add","path":"members","value":[{"value":"n1"}]},
			  {"op":"remove","path":"displayName"}]`, false, "invalidValue"},
		{"group-members-then-bad-value", "Group", rfcGroup,
			`[{"op":"remove","path":"members[value eq \"2819c223-7f76-453a-919d-413861904646\"].display"},
			  {"op":"replace","path":"members","value":[{"value":"n1"}]},
			  {"op":"replace","path":"displayName","value":{"x":1}}]`, false, "invalidValue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := resourceType(t, tc.rt)
			attrs := decodeObject(t, tc.start)
			before := decodeObject(t, tc.start)
			body := decodeObject(t, `{"Operations":`+tc.ops+`}`)
			req, err := patch.Parse(body)
			if err != nil {
				t.Fatal(err)
			}
			if len(req.Operations) != 3 {
				t.Fatalf("fixture has %d operations, want 3", len(req.Operations))
			}
			// Apply directly: it must be atomic on its own, whatever
			// Normalize would have caught.
			changed, err := patch.Apply(attrs, req.Operations, rt, patch.Compat{Strict: tc.strict}, patch.Limits{})
			if err == nil {
				t.Fatalf("no error; want %s", tc.want)
			}
			if got := scimTypeOf(t, err); got != tc.want {
				t.Errorf("scimType = %q, want %q (%v)", got, tc.want, err)
			}
			if changed {
				t.Error("changed = true on error")
			}
			if diff := cmp.Diff(before, attrs); diff != "" {
				t.Errorf("attributes changed by a failed PATCH (-before +after):\n%s", diff)
			}

			// The same through the Handler's pipeline.
			attrs = decodeObject(t, tc.start)
			if _, _, err := runPatch(rt, attrs, body, patch.Compat{Strict: tc.strict}); err == nil {
				t.Fatal("pipeline: no error")
			}
			if diff := cmp.Diff(before, attrs); diff != "" {
				t.Errorf("pipeline: attributes changed by a failed PATCH (-before +after):\n%s", diff)
			}
		})
	}
}

// TestPathlessDottedKeyMatchesPath: a path-less value keyed "attr.sub"
// (Entra's flattened form, §6 Q3) does what the path "attr.sub" does,
// also when attr is multi-valued.
func TestPathlessDottedKeyMatchesPath(t *testing.T) {
	rt := resourceType(t, "User")
	start := `{"userName":"bjensen@example.com","name":{"givenName":"Barbara"},
		"emails":[{"value":"w@example.com","type":"work","primary":true},{"value":"h@example.com","type":"home"}]}`
	for _, tc := range []struct{ op, key, value string }{
		{"replace", "name.givenName", `"Babs"`},
		{"add", "name.familyName", `"Jensen"`},
		{"replace", "emails.display", `"Babs"`},
		{"add", "emails.type", `"other"`},
		{"replace", "emails.value", `"new@example.com"`},
	} {
		t.Run(tc.op+"/"+tc.key, func(t *testing.T) {
			viaPath := decodeObject(t, start)
			if _, _, err := runPatch(rt, viaPath, decodeObject(t,
				`{"schemas":["$OP"],"Operations":[{"op":"`+tc.op+`","path":"`+tc.key+`","value":`+tc.value+`}]}`), patch.Compat{}); err != nil {
				t.Fatalf("with path: %v", err)
			}
			pathless := decodeObject(t, start)
			if _, _, err := runPatch(rt, pathless, decodeObject(t,
				`{"schemas":["$OP"],"Operations":[{"op":"`+tc.op+`","value":{"`+tc.key+`":`+tc.value+`}}]}`), patch.Compat{}); err != nil {
				t.Fatalf("path-less: %v", err)
			}
			if diff := cmp.Diff(viaPath, pathless); diff != "" {
				t.Errorf("path-less differs from path (-path +pathless):\n%s", diff)
			}
		})
	}
}

// primaryCounts counts, per multi-valued attribute (extension ones under
// "urn:…:name"), the elements with primary true.
func primaryCounts(attrs map[string]any) map[string]int {
	out := map[string]int{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			switch t := v.(type) {
			case []any:
				for _, e := range t {
					if em, ok := e.(map[string]any); ok && em["primary"] == true {
						out[prefix+k]++
					}
				}
			case map[string]any:
				if prefix == "" && len(k) > 4 && k[:4] == "urn:" {
					walk(k+":", t)
				}
			}
		}
	}
	walk("", attrs)
	return out
}

// TestAtMostOnePrimary: RFC 7643 §2.4 — the primary attribute value true
// appears no more than once in a multi-valued attribute. A PATCH either
// keeps it so or fails.
func TestAtMostOnePrimary(t *testing.T) {
	start := `{"userName":"bjensen@example.com","emails":[{"value":"w@example.com","type":"work"},{"value":"h@example.com","type":"home","primary":true},{"value":"o@example.com","type":"other"}]}`
	for _, tc := range []struct{ name, body string }{
		{"replace-sub-no-filter", `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"emails.primary","value":true}]}`},
		{"add-sub-no-filter", `{"schemas":["$OP"],"Operations":[{"op":"add","path":"emails.primary","value":true}]}`},
		{"replace-sub-filter-two-matches", `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"emails[type ne \"home\"].primary","value":true}]}`},
		{"replace-filtered-element", `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"]","value":{"type":"work","value":"w@example.com","primary":true}}]}`},
		{"add-filtered-element", `{"schemas":["$OP"],"Operations":[{"op":"add","path":"emails[type eq \"other\"]","value":{"primary":true}}]}`},
		{"add-two-primaries", `{"schemas":["$OP"],"Operations":[{"op":"add","path":"emails","value":[{"value":"a@example.com","primary":true},{"value":"b@example.com","primary":true}]}]}`},
		{"replace-two-primaries", `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"emails","value":[{"value":"a@example.com","primary":true},{"value":"b@example.com","primary":true}]}]}`},
		{"add-filtered-sub-string-True", `{"schemas":["$OP"],"Operations":[{"op":"add","path":"emails[type eq \"work\"].primary","value":"True"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, strict := range []bool{false, true} {
				attrs := decodeObject(t, start)
				if _, _, err := runPatch(resourceType(t, "User"), attrs, decodeObject(t, tc.body), patch.Compat{Strict: strict}); err != nil {
					scimTypeOf(t, err)
					continue
				}
				if n := primaryCounts(attrs)["emails"]; n > 1 {
					t.Errorf("strict=%v: %d emails are primary: %v", strict, n, attrs["emails"])
				}
			}
		})
	}
}
