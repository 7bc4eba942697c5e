package patch_test

// A replay corpus of every PATCH body that entra-behaviour.md shows Entra
// ID (default format and aadOptscim062020) and Okta sending: §3.5–§3.7,
// §4, §6 (Q1–Q14), §6.1 (both columns) and §13. Each row runs
// Parse → Normalize → Apply as the Handler does and pins the exact
// resulting attributes and the exact rewrites Normalize reports; then the
// same body is replayed with patch.Compat{Strict: true}.
//
// In the JSON below "$ENT" stands for the enterprise User URN and "$OP"
// for the PatchOp URN (see expandJSON).

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/internal/jsonv"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
)

const entURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

var jsonAbbrev = strings.NewReplacer(
	"$ENT", entURN,
	"$OP", patch.PatchOpURN,
)

// expandJSON replaces the abbreviations used in the fixtures.
func expandJSON(s string) string { return jsonAbbrev.Replace(s) }

// decodeObject decodes a JSON object fixture with jsonv (json.Number for
// numbers), after expandJSON.
func decodeObject(tb testing.TB, s string) map[string]any {
	tb.Helper()
	v, err := jsonv.Decode([]byte(expandJSON(s)))
	if err != nil {
		tb.Fatalf("fixture does not decode: %v\n%s", err, s)
	}
	m, ok := v.(map[string]any)
	if !ok {
		tb.Fatalf("fixture is not a JSON object: %s", s)
	}
	return m
}

var testRegistry = schema.NewRegistry()

func resourceType(tb testing.TB, name string) *schema.ResourceType {
	tb.Helper()
	rt := testRegistry.ResourceType(name)
	if rt == nil {
		tb.Fatalf("no resource type %q", name)
	}
	return rt
}

// quirkAt is the part of a patch.Rewrite the corpus pins.
type quirkAt struct {
	Quirk patch.Quirk
	Op    int
}

func qk(k patch.Quirk, op int) quirkAt { return quirkAt{k, op} }

func quirksOf(rw []patch.Rewrite) []quirkAt {
	out := []quirkAt{}
	for _, r := range rw {
		out = append(out, quirkAt{r.Quirk, r.Op})
	}
	return out
}

// runPatch is the Handler's pipeline: Parse, Normalize, Apply.
func runPatch(rt *schema.ResourceType, attrs, body map[string]any, c patch.Compat) (changed bool, rw []patch.Rewrite, err error) {
	req, err := patch.Parse(body)
	if err != nil {
		return false, nil, err
	}
	norm, rw, err := patch.Normalize(req, rt, c)
	if err != nil {
		return false, nil, err
	}
	changed, err = patch.Apply(attrs, norm.Operations, rt, c, patch.Limits{})
	return changed, rw, err
}

// scimTypeOf returns the scimType of a *patch.Error, or fails.
func scimTypeOf(tb testing.TB, err error) string {
	tb.Helper()
	var pe *patch.Error
	if !errors.As(err, &pe) {
		tb.Fatalf("error %v (%T) is not a *patch.Error", err, err)
	}
	return pe.ScimType
}

type corpusCase struct {
	name   string
	rt     string // "User" or "Group"
	start  string // canonical attributes before
	body   string // the PATCH body as sent
	want   string // canonical attributes after
	quirks []quirkAt
	// strict is what patch.Compat{Strict: true} answers: "" means a
	// *patch.Error of any scimType when quirks is not empty, and the same
	// result as the default otherwise; "ok" means the same result as the
	// default; any other value is the scimType expected.
	strict string
}

// Starting resources shared by several rows.
const (
	userMinimal = `{"userName":"jdoe@contoso.com","active":true}`
	userJane    = `{"userName":"jdoe@contoso.com","externalId":"jdoe","active":true,"displayName":"Jane Doe",
		"name":{"formatted":"Jane Doe","familyName":"Doe","givenName":"Jane"},
		"emails":[{"primary":true,"type":"work","value":"jdoe@contoso.com"},{"type":"home","value":"jane@home.example"}],
		"$ENT":{"employeeNumber":"701984","department":"Tour Operations"}}`
	groupSales = `{"displayName":"Sales","externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
		"members":[{"value":"f648f8d5ea4e4cd38e9c","display":"Fiona"},{"value":"a1b2c3"},{"value":"u1091","display":"Uma"}]}`
	groupEmpty = `{"displayName":"Sales","externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"}`
)

var corpus = []corpusCase{
	// ---- §3.5 Update (PATCH), default shapes --------------------------
	{
		name:   "3.5/replace-userName",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Replace","path":"userName","value":"5b50642d@contoso.com"}]}`,
		want:   `{"userName":"5b50642d@contoso.com","active":true}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0)},
	},
	{
		name:  "3.5/replace-several-with-value-filter",
		rt:    "User",
		start: userJane,
		body: `{"schemas":["$OP"],"Operations":[
			{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@contoso.com"},
			{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"},
			{"op":"Replace","path":"displayName","value":"Pvlo"},
			{"op":"Replace","path":"externalId","value":"Eqpj"},
			{"op":"Replace","path":"$ENT:employeeNumber","value":"Eqpj"}]}`,
		want: `{"userName":"jdoe@contoso.com","externalId":"Eqpj","active":true,"displayName":"Pvlo",
			"name":{"formatted":"Jane Doe","familyName":"updatedFamilyName","givenName":"Jane"},
			"emails":[{"primary":true,"type":"work","value":"updatedEmail@contoso.com"},{"type":"home","value":"jane@home.example"}],
			"$ENT":{"employeeNumber":"Eqpj","department":"Tour Operations"}}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkOpCase, 1), qk(patch.QuirkOpCase, 2), qk(patch.QuirkOpCase, 3), qk(patch.QuirkOpCase, 4)},
	},
	{
		name:  "3.5/add-address-subattributes-no-address-yet",
		rt:    "User",
		start: userMinimal,
		body: `{"schemas":["$OP"],"Operations":[
			{"op":"Add","path":"addresses[type eq \"work\"].formatted","value":"USZLTUSJXBYV"},
			{"op":"Add","path":"addresses[type eq \"work\"].locality","value":"OSGODHEVDCVD"},
			{"op":"Add","path":"addresses[type eq \"work\"].region","value":"YMVMOEMXAYGD"},
			{"op":"Add","path":"nickName","value":"Babs"}]}`,
		want: `{"userName":"jdoe@contoso.com","active":true,"nickName":"Babs",
			"addresses":[{"type":"work","formatted":"USZLTUSJXBYV","locality":"OSGODHEVDCVD","region":"YMVMOEMXAYGD"}]}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkOpCase, 1), qk(patch.QuirkOpCase, 2), qk(patch.QuirkOpCase, 3)},
	},
	{
		name:  "3.5/add-address-subattributes-flag-form-no-address-yet",
		rt:    "User",
		start: userMinimal,
		body: `{"schemas":["$OP"],"Operations":[
			{"op":"add","path":"addresses[type eq \"work\"].formatted","value":"USZLTUSJXBYV"},
			{"op":"add","path":"addresses[type eq \"work\"].locality","value":"OSGODHEVDCVD"},
			{"op":"add","path":"addresses[type eq \"work\"].region","value":"YMVMOEMXAYGD"},
			{"op":"add","path":"nickName","value":"Babs"}]}`,
		want: `{"userName":"jdoe@contoso.com","active":true,"nickName":"Babs",
			"addresses":[{"type":"work","formatted":"USZLTUSJXBYV","locality":"OSGODHEVDCVD","region":"YMVMOEMXAYGD"}]}`,
		quirks: []quirkAt{},
		strict: "noTarget", // RFC 7644: a value filter that matches nothing
	},
	{
		name: "3.5/add-address-subattributes-existing-work-address",
		rt:   "User",
		start: `{"userName":"jdoe@contoso.com","addresses":[
			{"type":"home","locality":"Seattle"},
			{"type":"work","streetAddress":"1 Main St","locality":"Redmond","region":"WA","postalCode":"98052","country":"US","formatted":"Bldg 1","primary":false}]}`,
		body: `{"schemas":["$OP"],"Operations":[
			{"op":"add","path":"addresses[type eq \"work\"].formatted","value":"USZLTUSJXBYV"},
			{"op":"add","path":"addresses[type eq \"work\"].locality","value":"OSGODHEVDCVD"},
			{"op":"add","path":"addresses[type eq \"work\"].region","value":"YMVMOEMXAYGD"}]}`,
		want: `{"userName":"jdoe@contoso.com","addresses":[
			{"type":"home","locality":"Seattle"},
			{"type":"work","streetAddress":"1 Main St","locality":"OSGODHEVDCVD","region":"YMVMOEMXAYGD","postalCode":"98052","country":"US","formatted":"USZLTUSJXBYV","primary":false}]}`,
		quirks: []quirkAt{},
	},
	{
		name:   "3.5/replace-email-value-filter-no-match-upserts",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","emails":[{"type":"home","value":"jane@home.example"}]}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"jdoe@contoso.com"}]}`,
		want:   `{"userName":"jdoe@contoso.com","emails":[{"type":"home","value":"jane@home.example"},{"type":"work","value":"jdoe@contoso.com"}]}`,
		quirks: []quirkAt{},
		strict: "noTarget",
	},
	{
		name:  "3.5/phone-mobile-value-filter",
		rt:    "User",
		start: `{"userName":"jdoe@contoso.com","phoneNumbers":[{"type":"work","value":"+1 425 555 0100"},{"type":"mobile","value":"+1 425 555 0101"}]}`,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"Replace","path":"phoneNumbers[type eq \"mobile\"].value","value":"55555555555"}]}`,
		// The value is stored exactly as sent (§3.4 round-trip fidelity).
		want:   `{"userName":"jdoe@contoso.com","phoneNumbers":[{"type":"work","value":"+1 425 555 0100"},{"type":"mobile","value":"55555555555"}]}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0)},
	},
	{
		name:   "3.5/add-existing-email-does-not-duplicate",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","emails":[{"primary":true,"type":"work","value":"jdoe@contoso.com"}]}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Add","path":"emails","value":[{"primary":true,"type":"work","value":"jdoe@contoso.com"}]}]}`,
		want:   `{"userName":"jdoe@contoso.com","emails":[{"primary":true,"type":"work","value":"jdoe@contoso.com"}]}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0)},
	},
	{
		name:   "3.5/add-existing-email-without-primary-does-not-duplicate",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","emails":[{"primary":true,"type":"work","value":"jdoe@contoso.com"}]}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"add","path":"emails","value":[{"type":"work","value":"jdoe@contoso.com"}]}]}`,
		want:   `{"userName":"jdoe@contoso.com","emails":[{"primary":true,"type":"work","value":"jdoe@contoso.com"}]}`,
		quirks: []quirkAt{},
	},
	{
		name:  "3.5/add-primary-email-clears-other-primary",
		rt:    "User",
		start: `{"userName":"jdoe@contoso.com","emails":[{"primary":true,"type":"work","value":"jdoe@contoso.com"}]}`,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"add","path":"emails","value":[{"primary":true,"type":"home","value":"jane@home.example"}]}]}`,
		want: `{"userName":"jdoe@contoso.com","emails":[{"primary":false,"type":"work","value":"jdoe@contoso.com"},
			{"primary":true,"type":"home","value":"jane@home.example"}]}`,
		quirks: []quirkAt{},
	},
	{
		name:  "3.5/upsert-primary-element-by-filter-clears-other-primary",
		rt:    "User",
		start: `{"userName":"jdoe@contoso.com","phoneNumbers":[{"primary":true,"type":"work","value":"+1 425 555 0100"}]}`,
		body: `{"schemas":["$OP"],"Operations":[
			{"op":"Add","path":"phoneNumbers[type eq \"mobile\"].value","value":"+1 425 555 0101"},
			{"op":"Add","path":"phoneNumbers[type eq \"mobile\"].primary","value":"True"}]}`,
		want: `{"userName":"jdoe@contoso.com","phoneNumbers":[{"primary":false,"type":"work","value":"+1 425 555 0100"},
			{"primary":true,"type":"mobile","value":"+1 425 555 0101"}]}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkOpCase, 1), qk(patch.QuirkStringBoolean, 1)},
	},

	// ---- §3.6 manager ------------------------------------------------
	{
		name:   "3.6/manager-set-bare-string",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Add","path":"$ENT:manager","value":"271"}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"$ENT":{"manager":{"value":"271"}}}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkBareValue, 0)},
	},
	{
		name:   "3.6/manager-change-replace-new-id",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","$ENT":{"department":"Sales","manager":{"value":"271","$ref":"https://example.com/scim/v2/Users/271","displayName":"Boss"}}}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"$ENT:manager","value":"272"}]}`,
		want:   `{"userName":"jdoe@contoso.com","$ENT":{"department":"Sales","manager":{"value":"272"}}}`,
		quirks: []quirkAt{qk(patch.QuirkBareValue, 0)},
	},
	{
		name:   "3.6/manager-remove-replace-empty-string",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","$ENT":{"manager":{"value":"272"}}}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"$ENT:manager","value":""}]}`,
		want:   `{"userName":"jdoe@contoso.com"}`,
		quirks: []quirkAt{},
	},
	{
		name:   "3.6/manager-remove-replace-empty-string-keeps-other-extension-values",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","$ENT":{"department":"Sales","manager":{"value":"272"}}}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Replace","path":"$ENT:manager","value":""}]}`,
		want:   `{"userName":"jdoe@contoso.com","$ENT":{"department":"Sales"}}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0)},
	},
	{
		name:   "3.6/manager-remove-with-path",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","$ENT":{"manager":{"value":"272"}}}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"$ENT:manager"}]}`,
		want:   `{"userName":"jdoe@contoso.com"}`,
		quirks: []quirkAt{},
	},
	{
		name:   "3.6/manager-older-array-form-unqualified-path",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Add","path":"manager","value":[{"$ref":"http://example.com/scim/v2/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee","value":"00aa00aa-bb11-cc22-dd33-44ee44ee44ee"}]}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"$ENT":{"manager":{"$ref":"http://example.com/scim/v2/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee","value":"00aa00aa-bb11-cc22-dd33-44ee44ee44ee"}}}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkWrappedValue, 0)},
	},
	{
		name:   "3.6/manager-one-element-array",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"add","path":"$ENT:manager","value":[{"value":"271"}]}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"$ENT":{"manager":{"value":"271"}}}`,
		quirks: []quirkAt{qk(patch.QuirkWrappedValue, 0)},
	},
	{
		name:   "3.6/manager-object",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"add","path":"$ENT:manager","value":{"value":"271"}}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"$ENT":{"manager":{"value":"271"}}}`,
		quirks: []quirkAt{},
	},
	{
		name:   "Q7/manager-wrapped-with-null-ref",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Add","path":"$ENT:manager","value":[{"$ref":null,"value":"271"}]}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"$ENT":{"manager":{"value":"271"}}}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkWrappedValue, 0), qk(patch.QuirkNullRef, 0)},
	},

	{
		name:   "Q5/Q7/manager-one-element-array-of-bare-string",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Replace","path":"$ENT:manager","value":["271"]}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"$ENT":{"manager":{"value":"271"}}}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkWrappedValue, 0), qk(patch.QuirkBareValue, 0)},
	},
	{
		name:   "Q7/displayName-wrapped-in-array",
		rt:     "Group",
		start:  groupEmpty,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Replace","path":"displayName","value":["Sales EMEA"]}]}`,
		want:   strings.Replace(groupEmpty, `"Sales"`, `"Sales EMEA"`, 1),
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkWrappedValue, 0)},
	},
	{
		name:   "Q7/displayName-wrapped-as-value-object",
		rt:     "Group",
		start:  groupEmpty,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Replace","path":"displayName","value":[{"$ref":null,"value":"Sales EMEA"}]}]}`,
		want:   strings.Replace(groupEmpty, `"Sales"`, `"Sales EMEA"`, 1),
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkWrappedValue, 0), qk(patch.QuirkWrappedValue, 0)},
	},

	// ---- §3.7 disable / re-enable ------------------------------------
	{
		name:   "3.7/disable-string-False",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":false}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkStringBoolean, 0)},
	},
	{
		name:   "3.7/re-enable-string-True",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","active":false}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkStringBoolean, 0)},
	},
	{
		name:   "3.7/disable-docs-boolean-capitalised-op",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Replace","path":"active","value":false}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":false}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0)},
	},
	{
		name:   "3.7/6.1/disable-flag-form",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"active","value":false}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":false}`,
		quirks: []quirkAt{},
	},

	// ---- §4 groups, steps 4–6 ----------------------------------------
	{
		name:   "4.4/rename-default",
		rt:     "Group",
		start:  groupSales,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Replace","path":"displayName","value":"Sales EMEA"}]}`,
		want:   strings.Replace(groupSales, `"Sales"`, `"Sales EMEA"`, 1),
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0)},
	},
	{
		name:   "4.4/rename-flag",
		rt:     "Group",
		start:  groupSales,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"displayName","value":"Sales EMEA"}]}`,
		want:   strings.Replace(groupSales, `"Sales"`, `"Sales EMEA"`, 1),
		quirks: []quirkAt{},
	},
	{
		name:  "4.5/add-members-default-null-ref-idempotent",
		rt:    "Group",
		start: `{"displayName":"Sales","members":[{"value":"a1b2c3","display":"Alice"}]}`,
		body: `{"schemas":["$OP"],"Operations":[{"op":"Add","path":"members",
			"value":[{"$ref":null,"value":"f648f8d5ea4e4cd38e9c"},{"$ref":null,"value":"a1b2c3"}]}]}`,
		want:   `{"displayName":"Sales","members":[{"value":"a1b2c3","display":"Alice"},{"value":"f648f8d5ea4e4cd38e9c"}]}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkNullRef, 0), qk(patch.QuirkNullRef, 0)},
	},
	{
		name:   "4.5/add-members-to-empty-group",
		rt:     "Group",
		start:  groupEmpty,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"f648f8d5ea4e4cd38e9c"},{"$ref":null,"value":"a1b2c3"}]}]}`,
		want:   `{"displayName":"Sales","externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","members":[{"value":"f648f8d5ea4e4cd38e9c"},{"value":"a1b2c3"}]}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkNullRef, 0), qk(patch.QuirkNullRef, 0)},
	},
	{
		name:   "4.5/add-members-flag",
		rt:     "Group",
		start:  groupEmpty,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"add","path":"members","value":[{"value":"f648f8d5ea4e4cd38e9c"},{"value":"a1b2c3"}]}]}`,
		want:   `{"displayName":"Sales","externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","members":[{"value":"f648f8d5ea4e4cd38e9c"},{"value":"a1b2c3"}]}`,
		quirks: []quirkAt{},
	},
	{
		name:  "4.6/Q6/remove-member-by-value-array-default",
		rt:    "Group",
		start: groupSales,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"f648f8d5ea4e4cd38e9c"}]}]}`,
		want: `{"displayName":"Sales","externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
			"members":[{"value":"a1b2c3"},{"value":"u1091","display":"Uma"}]}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkRemoveByValue, 0)},
	},
	{
		name:  "4.6/Q6/remove-middle-member-by-value-array",
		rt:    "Group",
		start: groupSales,
		body:  `{"schemas":["$OP"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"a1b2c3"}]}]}`,
		want: `{"displayName":"Sales","externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
			"members":[{"value":"f648f8d5ea4e4cd38e9c","display":"Fiona"},{"value":"u1091","display":"Uma"}]}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkRemoveByValue, 0)},
	},
	{
		name:   "4.6/Q6/remove-several-members-by-value-array",
		rt:     "Group",
		start:  groupSales,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"f648f8d5ea4e4cd38e9c"},{"value":"u1091"}]}]}`,
		want:   `{"displayName":"Sales","externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","members":[{"value":"a1b2c3"}]}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkRemoveByValue, 0)},
	},
	{
		name:   "6.1/remove-member-by-value-array-lower-case",
		rt:     "Group",
		start:  `{"displayName":"Sales","members":[{"value":"u1091"},{"value":"u2000"}]}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"u1091"}]}]}`,
		want:   `{"displayName":"Sales","members":[{"value":"u2000"}]}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkRemoveByValue, 0)},
	},
	{
		name:   "4.6/remove-member-by-value-array-not-a-member",
		rt:     "Group",
		start:  groupSales,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"nobody"}]}]}`,
		want:   groupSales,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkRemoveByValue, 0)},
	},
	{
		name:   "4.6/6.1/remove-member-by-filter-flag",
		rt:     "Group",
		start:  `{"displayName":"Sales","members":[{"value":"7f4bc1a3-285e-48ae-8202-5accb43efb0e"},{"value":"a1b2c3"}]}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"remove","path":"members[value eq \"7f4bc1a3-285e-48ae-8202-5accb43efb0e\"]"}]}`,
		want:   `{"displayName":"Sales","members":[{"value":"a1b2c3"}]}`,
		quirks: []quirkAt{},
	},

	// ---- §6 quirk catalogue --------------------------------------------
	{
		name:   "Q2/active-string-in-flag-shaped-op",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"active","value":"False"}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":false}`,
		quirks: []quirkAt{qk(patch.QuirkStringBoolean, 0)},
	},
	{
		name:   "Q2/email-primary-string-true",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","emails":[{"type":"home","value":"jane@home.example","primary":true},{"type":"work","value":"jdoe@contoso.com"}]}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"].primary","value":"true"}]}`,
		want:   `{"userName":"jdoe@contoso.com","emails":[{"type":"home","value":"jane@home.example","primary":false},{"type":"work","value":"jdoe@contoso.com","primary":true}]}`,
		quirks: []quirkAt{qk(patch.QuirkStringBoolean, 0)},
	},
	{
		name:   "6.1/email-primary-boolean-2020-draft",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","emails":[{"type":"home","value":"jane@home.example","primary":true},{"type":"work","value":"jdoe@contoso.com"}]}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"].primary","value":true}]}`,
		want:   `{"userName":"jdoe@contoso.com","emails":[{"type":"home","value":"jane@home.example","primary":false},{"type":"work","value":"jdoe@contoso.com","primary":true}]}`,
		quirks: []quirkAt{},
	},
	{
		// Q2: the filter literal "True" for a boolean sub-attribute is a
		// quirk too; Normalize must report it, and Strict must refuse it.
		name:   "Q2/roles-primary-eq-string-True-filter",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","roles":[{"value":"User","primary":true},{"value":"Reader"}]}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"roles[primary eq \"True\"].value","value":"Admin"}]}`,
		want:   `{"userName":"jdoe@contoso.com","roles":[{"value":"Admin","primary":true},{"value":"Reader"}]}`,
		quirks: []quirkAt{qk(patch.QuirkStringBoolean, 0)},
	},
	{
		name:  "Q3/pathless-replace-flat-keys",
		rt:    "User",
		start: `{"userName":"jdoe@contoso.com","displayName":"Old","name":{"formatted":"Old Name","givenName":"Old","familyName":"Name"},"$ENT":{"department":"D"}}`,
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua",
			"$ENT:employeeNumber":"Aklq"}}]}`,
		want:   `{"userName":"jdoe@contoso.com","displayName":"Bjfe","name":{"formatted":"Old Name","givenName":"Kkom","familyName":"Unua"},"$ENT":{"department":"D","employeeNumber":"Aklq"}}`,
		quirks: []quirkAt{qk(patch.QuirkFlatKey, 0), qk(patch.QuirkFlatKey, 0), qk(patch.QuirkFlatKey, 0)},
	},
	{
		name:  "Q3/pathless-add-flat-keys",
		rt:    "User",
		start: userMinimal,
		body: `{"schemas":["$OP"],"Operations":[{"op":"add","value":{"displayName":"Foo Bar","title":"Bar Foo",
			"name.givenName":"Foo","name.familyName":"Bar","name.formatted":"Foo Bar"}}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"displayName":"Foo Bar","title":"Bar Foo","name":{"givenName":"Foo","familyName":"Bar","formatted":"Foo Bar"}}`,
		quirks: []quirkAt{qk(patch.QuirkFlatKey, 0), qk(patch.QuirkFlatKey, 0), qk(patch.QuirkFlatKey, 0)},
	},
	{
		name:   "Q3/pathless-rfc-nesting",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","name":{"formatted":"Old Name","givenName":"Old"},"$ENT":{"department":"D"}}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","value":{"name":{"givenName":"Kkom"},"$ENT":{"employeeNumber":"Aklq"}}}]}`,
		want:   `{"userName":"jdoe@contoso.com","name":{"formatted":"Old Name","givenName":"Kkom"},"$ENT":{"department":"D","employeeNumber":"Aklq"}}`,
		quirks: []quirkAt{},
	},
	{
		name:   "Q3/pathless-empty-and-null-clear",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","title":"Engineer","nickName":"Babs","displayName":"Jane","$ENT":{"department":"D","costCenter":"42"}}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","value":{"title":"","nickName":null,"displayName":"Jane D","$ENT:department":""}}]}`,
		want:   `{"userName":"jdoe@contoso.com","displayName":"Jane D","$ENT":{"costCenter":"42"}}`,
		quirks: []quirkAt{qk(patch.QuirkFlatKey, 0)},
	},
	{
		// Q3: in a path-less value "" and null clear, dotted keys included.
		name:   "Q3/pathless-dotted-sub-attributes-clear",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","name":{"givenName":"Jane","familyName":"Doe","formatted":"Jane Doe"}}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","value":{"name.givenName":"","name.familyName":null}}]}`,
		want:   `{"userName":"jdoe@contoso.com","name":{"formatted":"Jane Doe"}}`,
		quirks: []quirkAt{qk(patch.QuirkFlatKey, 0), qk(patch.QuirkFlatKey, 0)},
	},
	{
		name:   "Q3/pathless-urn-keys-clear",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","$ENT":{"manager":{"value":"271"},"department":"D","costCenter":"42"}}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","value":{"$ENT:manager":"","$ENT:department":null}}]}`,
		want:   `{"userName":"jdoe@contoso.com","$ENT":{"costCenter":"42"}}`,
		quirks: []quirkAt{qk(patch.QuirkFlatKey, 0), qk(patch.QuirkFlatKey, 0)},
	},
	{
		name:   "Q3/Q5/pathless-manager-bare-string",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"add","value":{"$ENT:manager":"271"}}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"$ENT":{"manager":{"value":"271"}}}`,
		quirks: []quirkAt{qk(patch.QuirkFlatKey, 0), qk(patch.QuirkBareValue, 0)},
	},
	{
		name:   "Q3/pathless-active-string",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","value":{"active":"False"}}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":false}`,
		quirks: []quirkAt{qk(patch.QuirkStringBoolean, 0)},
	},
	{
		name:   "Q8/roles-json-in-string",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Add","path":"roles","value":[{"value":"{\"id\":\"06b07648-ecfe-589f-9d2f-6325724a46ee\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"}]}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"roles":[{"value":"Admin","display":"Admin"}]}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkRoleJSON, 0)},
	},
	{
		name:   "Q8/roles-json-in-string-existing-role-not-duplicated",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","roles":[{"value":"Admin","display":"Admin"}]}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Add","path":"roles","value":[{"value":"{\"id\":\"06b07648-ecfe-589f-9d2f-6325724a46ee\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"}]}]}`,
		want:   `{"userName":"jdoe@contoso.com","roles":[{"value":"Admin","display":"Admin"}]}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkRoleJSON, 0)},
	},
	{
		// AssertiveAppRoleAssignmentsComplex: replace with real objects.
		// "displayName" is not a sub-attribute of roles (RFC 7643 §4.1.2
		// has "display"), so it is dropped like any unknown sub-attribute.
		name:   "Q8/roles-replace-proper-objects",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","roles":[{"value":"Reader"}]}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"roles","value":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","value":"Admin","display":"Admin"}]}]}`,
		want:   `{"userName":"jdoe@contoso.com","roles":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","value":"Admin","display":"Admin"}]}`,
		quirks: []quirkAt{},
	},
	{
		// Roles as POST sends them (§6 Q8) carry "displayName", which is not
		// a sub-attribute of roles (RFC 7643 §4.1.2 has "display"): dropped
		// like any unknown sub-attribute.
		name:   "Q8/roles-replace-post-format",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","roles":[{"value":"Reader"}]}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"roles","value":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","value":"Admin","displayName":"Admin"}]}]}`,
		want:   `{"userName":"jdoe@contoso.com","roles":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","value":"Admin"}]}`,
		quirks: []quirkAt{},
	},
	{
		name:   "Q13/pathless-id-meta-schemas-ignored",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","value":{"id":"2819c223","meta":{"resourceType":"User"},"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"nickName":"Babs"}}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"nickName":"Babs"}`,
		quirks: []quirkAt{qk(patch.QuirkReadOnlyInValue, 0), qk(patch.QuirkReadOnlyInValue, 0), qk(patch.QuirkReadOnlyInValue, 0)},
	},
	{
		name:   "Q14/both-formats-in-one-request",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Replace","path":"active","value":"False"},{"op":"replace","value":{"active":true,"nickName":"Babs"}}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"nickName":"Babs"}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkStringBoolean, 0)},
	},
	{
		name:   "Q9/patch-without-schemas",
		rt:     "User",
		start:  userMinimal,
		body:   `{"Operations":[{"op":"replace","path":"nickName","value":"Babs"}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"nickName":"Babs"}`,
		quirks: []quirkAt{qk(patch.QuirkSchemas, -1)},
	},
	{
		name:   "Q9/patch-with-extra-schema-uri",
		rt:     "Group",
		start:  groupEmpty,
		body:   `{"schemas":["$OP","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"Operations":[{"op":"replace","path":"displayName","value":"Sales EMEA"}]}`,
		want:   strings.Replace(groupEmpty, `"Sales"`, `"Sales EMEA"`, 1),
		quirks: []quirkAt{qk(patch.QuirkSchemas, -1)},
	},
	{
		name:   "Q10/case-variant-sub-attribute-name",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","emails":[{"type":"other","value":"old@other.example"}]}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"emails[type eq \"other\"].Value","value":"new@other.example"}]}`,
		want:   `{"userName":"jdoe@contoso.com","emails":[{"type":"other","value":"new@other.example"}]}`,
		quirks: []quirkAt{},
	},
	{
		name:   "Q10/case-variant-attribute-names",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","addresses":[{"type":"work","formatted":"Old"}]}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"Addresses[Type eq \"work\"].Formatted","value":"Bldg 1"},{"op":"replace","path":"NICKNAME","value":"Babs"}]}`,
		want:   `{"userName":"jdoe@contoso.com","nickName":"Babs","addresses":[{"type":"work","formatted":"Bldg 1"}]}`,
		quirks: []quirkAt{},
	},
	{
		name:   "Q11/legacy-dot-manager",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Add","path":"$ENT.manager","value":"271"}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"$ENT":{"manager":{"value":"271"}}}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0), qk(patch.QuirkLegacyDot, 0), qk(patch.QuirkBareValue, 0)},
	},
	{
		name:   "Q11/legacy-dot-employeeNumber",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"$ENT.employeeNumber","value":"701984"}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"$ENT":{"employeeNumber":"701984"}}`,
		quirks: []quirkAt{qk(patch.QuirkLegacyDot, 0)},
	},
	{
		name:   "Q12/empty-operations",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[]}`,
		want:   userMinimal,
		quirks: []quirkAt{qk(patch.QuirkEmptyOperations, -1)},
	},
	{
		name:   "Q13/Okta-id-in-pathless-value",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","value":{"id":"2819c223-7f76-453a-919d-413861904646","active":false}}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":false}`,
		quirks: []quirkAt{qk(patch.QuirkReadOnlyInValue, 0)},
	},

	// ---- §6.1 table, both columns ---------------------------------------
	{
		name:   "6.1/add-single-valued-string-default",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"Add","path":"nickName","value":"Babs"}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"nickName":"Babs"}`,
		quirks: []quirkAt{qk(patch.QuirkOpCase, 0)},
	},
	{
		name:   "6.1/add-single-valued-string-flag",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"add","path":"nickName","value":"Babs"}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true,"nickName":"Babs"}`,
		quirks: []quirkAt{},
	},
	{
		name:  "6.1/replace-several-flag-pathless-collapse",
		rt:    "User",
		start: userJane,
		body: `{"schemas":["$OP"],"Operations":[
			{"op":"replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@contoso.com"},
			{"op":"replace","value":{"displayName":"Pvlo","externalId":"Eqpj","name.familyName":"updatedFamilyName","$ENT:employeeNumber":"Eqpj"}}]}`,
		want: `{"userName":"jdoe@contoso.com","externalId":"Eqpj","active":true,"displayName":"Pvlo",
			"name":{"formatted":"Jane Doe","familyName":"updatedFamilyName","givenName":"Jane"},
			"emails":[{"primary":true,"type":"work","value":"updatedEmail@contoso.com"},{"type":"home","value":"jane@home.example"}],
			"$ENT":{"employeeNumber":"Eqpj","department":"Tour Operations"}}`,
		quirks: []quirkAt{qk(patch.QuirkFlatKey, 1), qk(patch.QuirkFlatKey, 1)},
	},
	{
		name:   "6.1/pathless-active-and-userName-2020-draft",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","value":{"active":false,"userName":"someone"}}]}`,
		want:   `{"userName":"someone","active":false}`,
		quirks: []quirkAt{},
	},

	// ---- §13 Okta ---------------------------------------------------------
	{
		name:   "13/Okta-deactivate",
		rt:     "User",
		start:  userMinimal,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":false}`,
		quirks: []quirkAt{},
	},
	{
		name:   "13/Okta-activate",
		rt:     "User",
		start:  `{"userName":"jdoe@contoso.com","active":false}`,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","value":{"active":true}}]}`,
		want:   `{"userName":"jdoe@contoso.com","active":true}`,
		quirks: []quirkAt{},
	},
	{
		name:   "13/Okta-group-rename-with-id",
		rt:     "Group",
		start:  groupSales,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","value":{"id":"927fa2c08dcb4a7fae9e","displayName":"Sales EMEA"}}]}`,
		want:   strings.Replace(groupSales, `"Sales"`, `"Sales EMEA"`, 1),
		quirks: []quirkAt{qk(patch.QuirkReadOnlyInValue, 0)},
	},
	{
		name:  "13/Okta-members-remove-by-filter-and-add",
		rt:    "Group",
		start: groupSales,
		body: `{"schemas":["$OP"],"Operations":[
			{"op":"remove","path":"members[value eq \"a1b2c3\"]"},
			{"op":"add","path":"members","value":[{"value":"00u1abcd","display":"new.user@example.com"}]}]}`,
		want: `{"displayName":"Sales","externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
			"members":[{"value":"f648f8d5ea4e4cd38e9c","display":"Fiona"},{"value":"u1091","display":"Uma"},{"value":"00u1abcd","display":"new.user@example.com"}]}`,
		quirks: []quirkAt{},
	},
	{
		name:  "13/Okta-rename-resent-with-membership-update",
		rt:    "Group",
		start: groupSales,
		body: `{"schemas":["$OP"],"Operations":[
			{"op":"replace","value":{"id":"927fa2c08dcb4a7fae9e","displayName":"Sales"}},
			{"op":"add","path":"members","value":[{"value":"00u1abcd","display":"new.user@example.com"}]}]}`,
		want: `{"displayName":"Sales","externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
			"members":[{"value":"f648f8d5ea4e4cd38e9c","display":"Fiona"},{"value":"a1b2c3"},{"value":"u1091","display":"Uma"},{"value":"00u1abcd","display":"new.user@example.com"}]}`,
		quirks: []quirkAt{qk(patch.QuirkReadOnlyInValue, 0)},
	},
	{
		name:  "13/Okta-members-full-replace",
		rt:    "Group",
		start: groupSales,
		body: `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"members",
			"value":[{"value":"a1b2c3","display":"Alice"},{"value":"00u1abcd","display":"new.user@example.com"}]}]}`,
		want: `{"displayName":"Sales","externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
			"members":[{"value":"a1b2c3","display":"Alice"},{"value":"00u1abcd","display":"new.user@example.com"}]}`,
		quirks: []quirkAt{},
	},
	{
		name:   "13/Okta-members-full-replace-with-empty-list",
		rt:     "Group",
		start:  groupSales,
		body:   `{"schemas":["$OP"],"Operations":[{"op":"replace","path":"members","value":[]}]}`,
		want:   groupEmpty,
		quirks: []quirkAt{},
	},
}

func TestCorpus(t *testing.T) {
	for _, tc := range corpus {
		t.Run(tc.name, func(t *testing.T) {
			rt := resourceType(t, tc.rt)
			attrs := decodeObject(t, tc.start)
			want := decodeObject(t, tc.want)
			body := decodeObject(t, tc.body)

			changed, rw, err := runPatch(rt, attrs, body, patch.Compat{})
			if err != nil {
				t.Fatalf("default compat: %v", err)
			}
			if diff := cmp.Diff(want, attrs); diff != "" {
				t.Errorf("attributes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.quirks, quirksOf(rw)); diff != "" {
				t.Errorf("rewrites (-want +got):\n%s\nall: %v", diff, rw)
			}
			if wantChanged := !cmp.Equal(decodeObject(t, tc.start), want); changed != wantChanged {
				t.Errorf("changed = %v, want %v", changed, wantChanged)
			}
		})
	}
}

func TestCorpusStrict(t *testing.T) {
	for _, tc := range corpus {
		t.Run(tc.name, func(t *testing.T) {
			rt := resourceType(t, tc.rt)
			attrs := decodeObject(t, tc.start)
			before := decodeObject(t, tc.start)
			body := decodeObject(t, tc.body)
			_, _, err := runPatch(rt, attrs, body, patch.Compat{Strict: true})

			wantErr := tc.strict
			if wantErr == "" && len(tc.quirks) > 0 {
				wantErr = "*"
			}
			if wantErr == "" || wantErr == "ok" {
				if err != nil {
					t.Fatalf("strict compat: %v; this body is RFC 7644 and must be accepted", err)
				}
				if diff := cmp.Diff(decodeObject(t, tc.want), attrs); diff != "" {
					t.Errorf("strict attributes (-want +got):\n%s", diff)
				}
				return
			}
			if err == nil {
				t.Fatalf("strict compat accepted a non-RFC body; want a *patch.Error (%s)", wantErr)
			}
			if got := scimTypeOf(t, err); wantErr != "*" && got != wantErr {
				t.Errorf("strict scimType = %q, want %q (%v)", got, wantErr, err)
			}
			if diff := cmp.Diff(before, attrs); diff != "" {
				t.Errorf("rejected PATCH changed the attributes (-before +after):\n%s", diff)
			}
		})
	}
}

// TestCorpusSequences replays Entra's multi-request flows on one resource.
func TestCorpusSequences(t *testing.T) {
	type step struct {
		body, want string
	}
	for _, tc := range []struct {
		name  string
		rt    string
		start string
		steps []step
	}{
		{
			// Microsoft's validation workflow: set, change, remove (§3.6).
			name:  "manager-set-change-remove",
			rt:    "User",
			start: userMinimal,
			steps: []step{
				{`{"schemas":["$OP"],"Operations":[{"op":"Add","path":"$ENT:manager","value":"271"}]}`,
					`{"userName":"jdoe@contoso.com","active":true,"$ENT":{"manager":{"value":"271"}}}`},
				{`{"schemas":["$OP"],"Operations":[{"op":"replace","path":"$ENT:manager","value":"272"}]}`,
					`{"userName":"jdoe@contoso.com","active":true,"$ENT":{"manager":{"value":"272"}}}`},
				{`{"schemas":["$OP"],"Operations":[{"op":"replace","path":"$ENT:manager","value":""}]}`,
					`{"userName":"jdoe@contoso.com","active":true}`},
			},
		},
		{
			name:  "disable-re-enable",
			rt:    "User",
			start: userMinimal,
			steps: []step{
				{`{"schemas":["$OP"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
					`{"userName":"jdoe@contoso.com","active":false}`},
				{`{"schemas":["$OP"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}`,
					`{"userName":"jdoe@contoso.com","active":true}`},
			},
		},
		{
			name:  "group-create-add-remove-both-formats",
			rt:    "Group",
			start: groupEmpty,
			steps: []step{
				{`{"schemas":["$OP"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"u1"},{"$ref":null,"value":"u2"},{"$ref":null,"value":"u3"}]}]}`,
					`{"displayName":"Sales","externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","members":[{"value":"u1"},{"value":"u2"},{"value":"u3"}]}`},
				{`{"schemas":["$OP"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"u2"}]}]}`,
					`{"displayName":"Sales","externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","members":[{"value":"u1"},{"value":"u3"}]}`},
				{`{"schemas":["$OP"],"Operations":[{"op":"remove","path":"members[value eq \"u1\"]"}]}`,
					`{"displayName":"Sales","externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","members":[{"value":"u3"}]}`},
				{`{"schemas":["$OP"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"u3"}]}]}`,
					`{"displayName":"Sales","externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","members":[{"value":"u3"}]}`},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := resourceType(t, tc.rt)
			attrs := decodeObject(t, tc.start)
			for i, s := range tc.steps {
				if _, _, err := runPatch(rt, attrs, decodeObject(t, s.body), patch.Compat{}); err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if diff := cmp.Diff(decodeObject(t, s.want), attrs); diff != "" {
					t.Fatalf("step %d attributes (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}
