package entramix

import (
	"encoding/json"
	"fmt"
)

// userBody appends the body Entra POSTs to /Users (entra-behaviour.md
// §3.3) for the user name, externalId ext and number n.
func userBody(dst []byte, name, ext string, n int) []byte {
	first, last := givenNames[n%len(givenNames)], familyNames[(n/len(givenNames))%len(familyNames)]
	return fmt.Appendf(dst, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],`+
		`"externalId":%[1]q,"userName":%[2]q,"active":true,"displayName":"%[3]s %[4]s","title":"Engineer","preferredLanguage":"en-US",`+
		`"emails":[{"primary":true,"type":"work","value":%[2]q}],`+
		`"name":{"formatted":"%[3]s %[4]s","familyName":%[4]q,"givenName":%[3]q},`+
		`"addresses":[{"type":"work","streetAddress":"1 Main St","locality":"Redmond","region":"WA","postalCode":"98052","country":"US","formatted":"Bldg 1","primary":false}],`+
		`"phoneNumbers":[{"type":"work","value":"+1 425 555 0100"},{"type":"mobile","value":"+1 425 555 0101"}],`+
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"%[5]d","department":"Tour Operations"},`+
		`"meta":{"resourceType":"User"},"roles":[]}`,
		ext, name, first, last, 700000+n)
}

var (
	givenNames  = []string{"Jane", "John", "Ana", "Wei", "Fatima", "Lars", "Priya", "Kofi"}
	familyNames = []string{"Doe", "Smith", "García", "Chen", "Haddad", "Nielsen", "Patel", "Mensah", "Kowalski"}
)

// patchBody appends Entra's default-format PATCH of user number n: five
// operations, "Replace" capitalised as Entra sends it.
func patchBody(dst []byte, n int) []byte {
	return fmt.Appendf(dst, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+
		`{"op":"Replace","path":"displayName","value":"Updated User %[1]d"},`+
		`{"op":"Replace","path":"title","value":"Senior Engineer"},`+
		`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updated.%[1]d@contoso.com"},`+
		`{"op":"Replace","path":"name.familyName","value":"Updated%[1]d"},`+
		`{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Department %[2]d"}]}`,
		n, n%50)
}

// groupBody is Entra's POST /Groups body, with %[1]q the externalId and
// %[2]q the displayName.
const groupBody = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],` +
	`"externalId":%[1]q,"displayName":%[2]q,"meta":{"resourceType":"Group"}}`

// membersBody appends Entra's PATCH adding the users ids to a group.
func membersBody(dst []byte, ids ...string) []byte {
	dst = append(dst, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[`...)
	for i, id := range ids {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"$ref":null,"value":`...)
		dst = appendJSONString(dst, id)
		dst = append(dst, '}')
	}
	return append(dst, `]}]}`...)
}

// appendJSONString appends s as a JSON string.
func appendJSONString(dst []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return append(dst, b...)
}
