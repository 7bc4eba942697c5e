package scimtest

import (
	"fmt"
	"net/http"
	"testing"
)

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// Entra replays Microsoft Entra ID provisioning in its default format:
// Test Connection, user match/create/update/disable/re-enable, the manager
// reference pass, groups with members added and removed, and deletes.
func Entra(t testing.TB, h http.Handler, o Options) {
	t.Helper()
	entra(t, h, o, false)
}

// EntraFlagged replays Entra with the aadOptscim062020 flag: lower-case
// ops, real booleans, path-less replaces with dotted and URN keys, and
// members removed by a value filter.
func EntraFlagged(t testing.TB, h http.Handler, o Options) {
	t.Helper()
	entra(t, h, o, true)
}

func entra(t testing.TB, h http.Handler, o Options, flagged bool) {
	t.Helper()
	c := &client{t: t, h: h, o: o, client: "entra"}
	if flagged {
		c.client = "entra(aadOptscim062020)"
	}
	op := func(name string) string {
		if flagged {
			return map[string]string{"Add": "add", "Replace": "replace", "Remove": "remove"}[name]
		}
		return name
	}
	boolean := func(b bool) string {
		switch {
		case flagged && b:
			return "true"
		case flagged:
			return "false"
		case b:
			return `"True"`
		}
		return `"False"`
	}
	suffix := randomHex(4)
	upn := fmt.Sprintf("scimtest.%s@contoso.example", suffix)
	mgrUPN := fmt.Sprintf("scimtest.manager.%s@contoso.example", suffix)
	group := "scimtest group " + suffix

	c.step = "test connection"
	if res := c.list("/Users?filter=" + q(`userName eq "`+guid()+`"`)); total(res) != 0 || len(resources(res)) != 0 {
		c.fail(res, "a filter that matches nothing must answer 200 with totalResults 0")
	}
	c.step = "test connection (groups)"
	if res := c.list("/Groups?excludedAttributes=members&filter=" + q(`displayName eq "`+guid()+`"`)); total(res) != 0 {
		c.fail(res, "a filter that matches nothing must answer 200 with totalResults 0")
	}

	c.step = "match user (none yet)"
	if res := c.list("/Users?filter=" + q(`userName eq "`+upn+`"`)); total(res) != 0 {
		c.fail(res, "want no match before the create")
	}
	c.step = "create user"
	uid := c.create("/Users", entraUser(upn, "jdoe"+suffix))
	defer func() {
		c.step = "cleanup user"
		c.do(http.MethodDelete, "/Users/"+uid, nil)
	}()
	c.step = "create duplicate user"
	if res := c.do(http.MethodPost, "/Users", entraUser(upn, "other"+suffix)); res.status != http.StatusConflict {
		c.fail(res, "a second user with the same userName must get 409 uniqueness")
	} else if res.body["scimType"] != "uniqueness" {
		c.fail(res, `the 409 must carry scimType "uniqueness"`)
	}
	c.step = "match user (case-insensitive)"
	res := c.list("/Users?filter=" + q(`userName eq "`+upperASCII(upn)+`"`))
	if total(res) != 1 || resources(res)[0]["id"] != uid {
		c.fail(res, "userName matches case-insensitively and must find the created user exactly once")
	}
	c.step = "match user by work email"
	if res := c.list("/Users?filter=" + q(`emails[type eq "work"].value eq "`+upn+`"`)); total(res) != 1 {
		c.fail(res, `emails[type eq "work"].value eq … must find the user`)
	}
	c.step = "read user"
	u := c.get("/Users/" + uid)
	if u["active"] != true {
		c.fail(nil, "active = %v after create, want true", u["active"])
	}

	c.step = "update user (one op per attribute)"
	c.patchOK("/Users/"+uid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[
   {"op":"%[1]s","path":"emails[type eq \"work\"].value","value":"updated.%[2]s"},
   {"op":"%[1]s","path":"name.familyName","value":"updatedFamilyName"},
   {"op":"%[1]s","path":"displayName","value":"Pvlo"},
   {"op":"%[1]s","path":"externalId","value":"Eqpj%[3]s"},
   {"op":"%[1]s","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"Eqpj"}]}`, op("Replace"), upn, suffix))
	if flagged {
		c.step = "update user (path-less, flattened keys)"
		c.patchOK("/Users/"+uid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"replace","value":{"displayName":"Pvlo","name.givenName":"Kkom","name.familyName":"updatedFamilyName",
   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Eqpj"}}]}`)
	}
	c.step = "read user after update"
	u = c.get("/Users/" + uid)
	work := elements(u, "emails", "type", "work")
	switch {
	case len(work) != 1 || work[0]["value"] != "updated."+upn:
		c.fail(nil, "emails[type eq \"work\"] = %v, want one element with the new value", work)
	case field(u, "name", "familyName") != "updatedFamilyName":
		c.fail(nil, "name.familyName = %v", field(u, "name", "familyName"))
	case u["displayName"] != "Pvlo" || u["externalId"] != "Eqpj"+suffix:
		c.fail(nil, "displayName/externalId = %v/%v", u["displayName"], u["externalId"])
	case field(u, enterprise, "employeeNumber") != "Eqpj":
		c.fail(nil, "employeeNumber = %v", field(u, enterprise, "employeeNumber"))
	}
	if flagged && field(u, "name", "givenName") != "Kkom" {
		c.fail(nil, "name.givenName = %v after the path-less replace", field(u, "name", "givenName"))
	}

	c.step = "add to empty address"
	c.patchOK("/Users/"+uid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[
   {"op":"%[1]s","path":"addresses[type eq \"home\"].formatted","value":"USZLTUSJXBYV"},
   {"op":"%[1]s","path":"addresses[type eq \"home\"].locality","value":"OSGODHEVDCVD"},
   {"op":"%[1]s","path":"addresses[type eq \"home\"].region","value":"YMVMOEMXAYGD"},
   {"op":"%[1]s","path":"nickName","value":"Babs"}]}`, op("Add")))
	u = c.get("/Users/" + uid)
	if home := elements(u, "addresses", "type", "home"); len(home) != 1 || home[0]["locality"] != "OSGODHEVDCVD" || home[0]["region"] != "YMVMOEMXAYGD" {
		c.fail(nil, "addresses[type eq \"home\"] = %v, want ONE element holding formatted, locality and region", home)
	}

	c.step = "create manager"
	mid := c.create("/Users", entraUser(mgrUPN, "mgr"+suffix))
	defer func() {
		c.step = "cleanup manager"
		c.do(http.MethodDelete, "/Users/"+mid, nil)
	}()
	c.step = "set manager (bare id)"
	c.patchOK("/Users/"+uid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"%s","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"%s"}]}`, op("Add"), mid))
	u = c.get("/Users/" + uid)
	if v, ok := field(u, enterprise, "manager").(map[string]any); !ok || v["value"] != mid {
		c.fail(nil, "manager = %#v, want an object {\"value\": %q} (a string makes Entra fail with ServiceIncompatible)", field(u, enterprise, "manager"), mid)
	}
	c.step = "reference check"
	if res := c.list("/Users?attributes=id&filter=" + q(`id eq "`+uid+`" and manager eq "`+mid+`"`)); total(res) != 1 {
		c.fail(res, "id eq … and manager eq … must find the user")
	}
	c.step = "remove manager"
	c.patchOK("/Users/"+uid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"%s","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":""}]}`, op("Replace")))
	if u = c.get("/Users/" + uid); field(u, enterprise, "manager") != nil {
		c.fail(nil, "manager = %v after replace with \"\", want absent", field(u, enterprise, "manager"))
	}

	c.step = "disable user"
	c.patchOK("/Users/"+uid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"%s","path":"active","value":%s}]}`, op("Replace"), boolean(false)))
	if u = c.get("/Users/" + uid); u["active"] != false {
		c.fail(nil, "active = %#v after disable, want the boolean false", u["active"])
	}
	c.step = "match disabled user"
	if res := c.list("/Users?filter=" + q(`userName eq "`+upn+`"`)); total(res) != 1 {
		c.fail(res, "a disabled user must still be found")
	}
	c.step = "re-enable user"
	c.patchOK("/Users/"+uid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"%s","path":"active","value":%s}]}`, op("Replace"), boolean(true)))
	if u = c.get("/Users/" + uid); u["active"] != true {
		c.fail(nil, "active = %#v after re-enable, want the boolean true", u["active"])
	}

	c.step = "match group (none yet)"
	if res := c.list("/Groups?excludedAttributes=members&filter=" + q(`displayName eq "`+group+`"`)); total(res) != 0 {
		c.fail(res, "want no group before the create")
	}
	c.step = "create group"
	gid := c.create("/Groups", map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"},
		"externalId":  guid(),
		"displayName": group,
		"meta":        map[string]any{"resourceType": "Group"},
	})
	defer func() {
		c.step = "cleanup group"
		c.do(http.MethodDelete, "/Groups/"+gid, nil)
	}()
	c.step = "add members"
	c.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"%s","path":"members","value":[{"$ref":null,"value":"%s"},{"$ref":null,"value":"%s"}]}]}`, op("Add"), uid, mid))
	c.step = "add member again (idempotent)"
	c.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"%s","path":"members","value":[{"$ref":null,"value":"%s"}]}]}`, op("Add"), uid))
	c.step = "read group without members"
	if g := c.get("/Groups/" + gid + "?excludedAttributes=members"); g["members"] != nil {
		c.fail(nil, "excludedAttributes=members returned members (Entra logs MultipleEntriesInResponse)")
	}
	c.step = "rename group"
	c.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"%s","path":"displayName","value":"%s"}]}`, op("Replace"), group+" EMEA"))
	c.step = "remove member"
	if flagged {
		c.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"remove","path":"members[value eq \"%s\"]"}]}`, uid))
	} else {
		c.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"Remove","path":"members","value":[{"value":"%s"}]}]}`, uid))
	}
	c.step = "read group"
	g := c.get("/Groups/" + gid)
	members, _ := g["members"].([]any)
	if g["displayName"] != group+" EMEA" {
		c.fail(nil, "displayName = %v after the rename", g["displayName"])
	}
	if len(members) != 1 || field(members[0].(map[string]any), "value") != mid {
		c.fail(nil, "members = %v, want only the manager left (removing one member must not remove the others)", members)
	}
	c.step = "read user groups"
	if m := c.get("/Users/" + mid); len(elements(m, "groups", "value", gid)) != 1 {
		c.fail(nil, "groups of the member = %v, want the group", m["groups"])
	}

	c.step = "delete group"
	c.deleteOK("/Groups/" + gid)
	c.step = "delete user"
	c.deleteOK("/Users/" + uid)
	c.step = "delete manager"
	c.deleteOK("/Users/" + mid)
}

// entraUser is the create body of Entra's default mapping.
func entraUser(upn, externalID string) map[string]any {
	return map[string]any{
		"schemas":           []string{"urn:ietf:params:scim:schemas:core:2.0:User", enterprise},
		"externalId":        externalID,
		"userName":          upn,
		"active":            true,
		"displayName":       "Jane Doe",
		"title":             "Engineer",
		"preferredLanguage": "en-US",
		"emails":            []any{map[string]any{"primary": true, "type": "work", "value": upn}},
		"name":              map[string]any{"formatted": "Jane Doe", "familyName": "Doe", "givenName": "Jane"},
		"addresses": []any{map[string]any{"type": "work", "streetAddress": "1 Main St", "locality": "Redmond",
			"region": "WA", "postalCode": "98052", "country": "US", "formatted": "Bldg 1", "primary": false}},
		"phoneNumbers": []any{map[string]any{"type": "work", "value": "+1 425 555 0100"},
			map[string]any{"type": "mobile", "value": "+1 425 555 0101"}},
		enterprise: map[string]any{"employeeNumber": "701984", "department": "Tour Operations"},
		"meta":     map[string]any{"resourceType": "User"},
		"roles":    []any{},
	}
}

func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
