package scimcheck

import (
	"fmt"
	"net/http"

	"github.com/scimkit/scimkit/internal/entracode"
)

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// entraCycle is Microsoft Entra ID's provisioning cycle, in its default
// PATCH format or (flagged) with aadOptscim062020: Test Connection, user
// match, create, update, the manager pass (set, change, remove), disable
// and re-enable, groups with members added and removed, rename, and
// deletes.
func entraCycle(flagged bool) func(*session) {
	return func(s *session) { entra(s, flagged) }
}

func entra(s *session, flagged bool) {
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
	name := s.r.namePrefix() + suffix
	upn := name + ".jdoe@contoso.example"
	mgrUPN := name + ".manager@contoso.example"
	group := name + " group"

	s.begin("test connection", entracode.TestConnection)
	if res := s.list("/Users?filter=" + q(`userName eq "`+guid()+`"`)); total(res) != 0 || len(resources(res)) != 0 {
		s.matchFail(res, "a filter on a random GUID must find nothing (200, totalResults 0)")
	}
	s.begin("test connection (groups)", entracode.TestConnection)
	if res := s.list("/Groups?excludedAttributes=members&filter=" + q(`displayName eq "`+guid()+`"`)); total(res) != 0 {
		s.matchFail(res, "a filter on a random GUID must find nothing (200, totalResults 0)")
	}

	s.begin("match user (none yet)", entracode.Match)
	if res := s.list("/Users?filter=" + q(`userName eq "`+upn+`"`)); total(res) != 0 {
		s.matchFail(res, "the filter found users before the create: it is not evaluated")
	}
	s.begin("create user", entracode.Create)
	uid := s.create("/Users", entraUser(upn, "jdoe"+suffix))
	s.begin("create duplicate user", entracode.Create)
	if res := s.do(http.MethodPost, "/Users", entraUser(upn, "other"+suffix)); res.status != http.StatusConflict {
		s.failWith(res, entracode.For(entracode.Create, res.status, res.scimType()), "enforce the uniqueness of userName (case-insensitive) and answer a duplicate with 409 and scimType \"uniqueness\"",
			"a second user with the same userName got %d, want 409 uniqueness (Entra would later find two and log %s)", res.status, entracode.DuplicateTargets)
	} else if res.scimType() != "uniqueness" {
		s.failWith(res, entracode.Conflict, `answer a duplicate with scimType "uniqueness"`, `the 409 must carry scimType "uniqueness"`)
	}
	s.begin("match user (case-insensitive)", entracode.Match)
	res := s.list("/Users?filter=" + q(`userName eq "`+upperASCII(upn)+`"`))
	if total(res) != 1 || len(resources(res)) != 1 || resources(res)[0]["id"] != uid {
		s.matchFail(res, "userName matches case-insensitively and must find the created user exactly once")
	}
	s.begin("match user by work email", entracode.Match)
	if res := s.list("/Users?filter=" + q(`emails[type eq "work"].value eq "`+upn+`"`)); total(res) != 1 {
		s.matchFail(res, `emails[type eq "work"].value eq … must find the user exactly once`)
	}
	s.begin("read user", entracode.Get)
	u := s.get("/Users/" + uid)
	if u["active"] != true {
		s.fail(nil, "active = %v after create, want true", u["active"])
	}

	s.begin("update user (one op per attribute)", entracode.Update)
	s.patchOK("/Users/"+uid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[
   {"op":"%[1]s","path":"emails[type eq \"work\"].value","value":"updated.%[2]s"},
   {"op":"%[1]s","path":"name.familyName","value":"updatedFamilyName"},
   {"op":"%[1]s","path":"displayName","value":"Pvlo"},
   {"op":"%[1]s","path":"externalId","value":"Eqpj%[3]s"},
   {"op":"%[1]s","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"Eqpj"}]}`, op("Replace"), upn, suffix))
	if flagged {
		s.begin("update user (path-less, flattened keys)", entracode.Update)
		s.patchOK("/Users/"+uid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"replace","value":{"displayName":"Pvlo","name.givenName":"Kkom","name.familyName":"updatedFamilyName",
   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Eqpj"}}]}`)
	}
	s.begin("read user after update", entracode.Get)
	u = s.get("/Users/" + uid)
	work := elements(u, "emails", "type", "work")
	switch {
	case len(work) != 1 || work[0]["value"] != "updated."+upn:
		s.fail(nil, "emails[type eq \"work\"] = %v, want one element with the new value", work)
	case field(u, "name", "familyName") != "updatedFamilyName":
		s.fail(nil, "name.familyName = %v", field(u, "name", "familyName"))
	case u["displayName"] != "Pvlo" || u["externalId"] != "Eqpj"+suffix:
		s.fail(nil, "displayName/externalId = %v/%v", u["displayName"], u["externalId"])
	case field(u, enterprise, "employeeNumber") != "Eqpj":
		s.fail(nil, "employeeNumber = %v", field(u, enterprise, "employeeNumber"))
	}
	if flagged && field(u, "name", "givenName") != "Kkom" {
		s.fail(nil, "name.givenName = %v after the path-less replace", field(u, "name", "givenName"))
	}

	s.begin("add to empty address", entracode.Update)
	s.patchOK("/Users/"+uid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[
   {"op":"%[1]s","path":"addresses[type eq \"home\"].formatted","value":"USZLTUSJXBYV"},
   {"op":"%[1]s","path":"addresses[type eq \"home\"].locality","value":"OSGODHEVDCVD"},
   {"op":"%[1]s","path":"addresses[type eq \"home\"].region","value":"YMVMOEMXAYGD"},
   {"op":"%[1]s","path":"nickName","value":"Babs"}]}`, op("Add")))
	u = s.get("/Users/" + uid)
	if home := elements(u, "addresses", "type", "home"); len(home) != 1 || home[0]["locality"] != "OSGODHEVDCVD" || home[0]["region"] != "YMVMOEMXAYGD" {
		s.fail(nil, "addresses[type eq \"home\"] = %v, want ONE element holding formatted, locality and region", home)
	}

	s.begin("create manager", entracode.Create)
	mid := s.create("/Users", entraUser(mgrUPN, "mgr"+suffix))
	s.begin("set manager (bare id)", entracode.Update)
	s.patchOK("/Users/"+uid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"%s","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"%s"}]}`, op("Add"), mid))
	u = s.get("/Users/" + uid)
	if v, ok := field(u, enterprise, "manager").(map[string]any); !ok || v["value"] != mid {
		s.failWith(nil, entracode.ServiceIncompatible, "return manager as a complex attribute {\"value\": \"<id>\", \"$ref\": …}, never as a string",
			"manager = %#v, want an object {\"value\": %q}", field(u, enterprise, "manager"), mid)
	}
	s.begin("reference check", entracode.Match)
	if res := s.list("/Users?attributes=id&filter=" + q(`id eq "`+uid+`" and manager eq "`+mid+`"`)); total(res) != 1 {
		s.matchFail(res, "id eq … and manager eq … must find the user exactly once")
	}
	s.begin("create second manager", entracode.Create)
	mid2 := s.create("/Users", entraUser(name+".manager2@contoso.example", "mgr2"+suffix))
	s.begin("change manager", entracode.Update)
	s.patchOK("/Users/"+uid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"%s","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"%s"}]}`, op("Replace"), mid2))
	u = s.get("/Users/" + uid)
	if v, ok := field(u, enterprise, "manager").(map[string]any); !ok || v["value"] != mid2 {
		s.failWith(nil, entracode.ServiceIncompatible, "replace the manager with the new id and return it as {\"value\": \"<id>\"}",
			"manager = %#v after the change, want {\"value\": %q}", field(u, enterprise, "manager"), mid2)
	}
	s.begin("remove manager", entracode.Update)
	s.patchOK("/Users/"+uid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"%s","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":""}]}`, op("Replace")))
	if u = s.get("/Users/" + uid); field(u, enterprise, "manager") != nil {
		s.fail(nil, "manager = %v after replace with \"\", want absent", field(u, enterprise, "manager"))
	}

	s.begin("disable user", entracode.Disable)
	s.patchOK("/Users/"+uid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"%s","path":"active","value":%s}]}`, op("Replace"), boolean(false)))
	if u = s.get("/Users/" + uid); u["active"] != false {
		s.fail(nil, "active = %#v after disable, want the boolean false", u["active"])
	}
	s.begin("match disabled user", entracode.Match)
	if res := s.list("/Users?filter=" + q(`userName eq "`+upn+`"`)); total(res) != 1 {
		s.matchFail(res, "a disabled user must still be found, exactly once (else Entra creates it again)")
	}
	s.begin("re-enable user", entracode.Enable)
	s.patchOK("/Users/"+uid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"%s","path":"active","value":%s}]}`, op("Replace"), boolean(true)))
	if u = s.get("/Users/" + uid); u["active"] != true {
		s.fail(nil, "active = %#v after re-enable, want the boolean true", u["active"])
	}

	s.begin("match group (none yet)", entracode.Match)
	if res := s.list("/Groups?excludedAttributes=members&filter=" + q(`displayName eq "`+group+`"`)); total(res) != 0 {
		s.matchFail(res, "the filter found groups before the create: it is not evaluated")
	}
	s.begin("create group", entracode.Create)
	gid := s.create("/Groups", map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"},
		"externalId":  guid(),
		"displayName": group,
		"meta":        map[string]any{"resourceType": "Group"},
	})
	s.begin("add members", entracode.MemberAdd)
	s.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"%s","path":"members","value":[{"$ref":null,"value":"%s"},{"$ref":null,"value":"%s"}]}]}`, op("Add"), uid, mid))
	s.begin("add member again (idempotent)", entracode.MemberAdd)
	s.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"%s","path":"members","value":[{"$ref":null,"value":"%s"}]}]}`, op("Add"), uid))
	s.begin("read group without members", entracode.Get)
	if g := s.get("/Groups/" + gid + "?excludedAttributes=members"); g["members"] != nil {
		s.failWith(nil, entracode.MultipleEntries, "honour excludedAttributes=members on GET /Groups and /Groups/{id}",
			"excludedAttributes=members returned members")
	}
	s.begin("rename group", entracode.GroupRename)
	s.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"%s","path":"displayName","value":"%s"}]}`, op("Replace"), group+" EMEA"))
	s.begin("remove member", entracode.MemberRemove)
	if flagged {
		s.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"remove","path":"members[value eq \"%s\"]"}]}`, uid))
	} else {
		s.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"Remove","path":"members","value":[{"value":"%s"}]}]}`, uid))
	}
	s.begin("read group", entracode.Get)
	g := s.get("/Groups/" + gid)
	members, _ := g["members"].([]any)
	if g["displayName"] != group+" EMEA" {
		s.fail(nil, "displayName = %v after the rename", g["displayName"])
	}
	if len(members) != 1 || field(members[0].(map[string]any), "value") != mid {
		s.fail(nil, "members = %v, want only the manager left (removing one member must not remove the others)", members)
	}
	s.begin("read user groups", entracode.Get)
	if m := s.get("/Users/" + mid); len(elements(m, "groups", "value", gid)) != 1 {
		s.fail(nil, "groups of the member = %v, want the group", m["groups"])
	}

	s.begin("delete group", entracode.Delete)
	s.deleteOK("/Groups/" + gid)
	s.begin("delete user", entracode.Delete)
	s.deleteOK("/Users/" + uid)
	s.begin("delete manager", entracode.Delete)
	s.deleteOK("/Users/" + mid)
	s.deleteOK("/Users/" + mid2)
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
