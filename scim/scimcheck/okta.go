package scimcheck

import (
	"fmt"
	"net/http"

	"github.com/scimkit/scimkit/internal/entracode"
)

// okta is Okta's SCIM 2.0 client: the paging test connection, match,
// create (with password and an empty groups array), profile updates by
// PUT, deactivation by a path-less PATCH, imports paging through /Users,
// and group push (create, rename with id in the value, member add,
// remove and full replace, delete).
func okta(s *session) {
	suffix := randomHex(4)
	name := s.r.namePrefix() + suffix
	login := name + ".okta@example.com"
	group := name + " okta"

	s.begin("test connection", entracode.TestConnection)
	s.list("/Users?startIndex=1&count=2")

	s.begin("match user (none yet)", entracode.Match)
	if res := s.list("/Users?filter=" + q(`userName eq "`+login+`"`) + "&startIndex=1&count=100"); total(res) != 0 {
		s.matchFail(res, "the filter found users before the create: it is not evaluated")
	}
	s.begin("create user", entracode.Create)
	body := map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName":    login,
		"name":        map[string]any{"givenName": "Okta", "familyName": "User"},
		"emails":      []any{map[string]any{"primary": true, "value": login, "type": "work"}},
		"displayName": "Okta User",
		"locale":      "en-US",
		"externalId":  "00u" + suffix,
		"groups":      []any{},
		"password":    "Tr0ub4dor&3",
		"active":      true,
	}
	uid := s.create("/Users", body)
	s.begin("create duplicate user", entracode.Create)
	if res := s.do(http.MethodPost, "/Users", body); res.status != http.StatusConflict {
		s.failWith(res, entracode.For(entracode.Create, res.status, res.scimType()), "enforce the uniqueness of userName and answer a duplicate with 409",
			"a second user with the same userName got %d, want 409", res.status)
	}
	s.begin("read user", entracode.Get)
	u := s.get("/Users/" + uid)
	if u["password"] != nil {
		s.failWith(nil, "", "never return password (RFC 7643 §4.1.1: returned never)", "the password came back in the user")
	}

	s.begin("update profile (PUT)", entracode.Update)
	u["name"] = map[string]any{"givenName": "Okta", "familyName": "Renamed"}
	delete(u, "meta")
	res := s.do(http.MethodPut, "/Users/"+uid, u)
	s.expectStatus(res, http.StatusOK)
	if field(res.body, "name", "familyName") != "Renamed" || res.body["active"] != true {
		s.fail(res, "PUT must replace the profile and keep active true")
	}

	s.begin("deactivate user", entracode.Disable)
	s.patchOK("/Users/"+uid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)
	if u = s.get("/Users/" + uid); u["active"] != false {
		s.fail(nil, "active = %#v after deactivation", u["active"])
	}
	s.begin("reactivate user", entracode.Enable)
	s.patchOK("/Users/"+uid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`)

	s.begin("import users", entracode.List)
	res = s.list("/Users?startIndex=1&count=100")
	found := false
	for _, r := range resources(res) {
		found = found || r["id"] == uid
	}
	if !found && total(res) <= 100 {
		s.fail(res, "the import page does not list the user")
	}

	s.begin("push group", entracode.Create)
	gid := s.create("/Groups", map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"displayName": group,
		"members":     []any{},
	})
	s.begin("rename group (id in value)", entracode.GroupRename)
	s.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"replace","value":{"id":"%s","displayName":"%s renamed"}}]}`, gid, group))
	s.begin("add member", entracode.MemberAdd)
	s.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"add","path":"members","value":[{"value":"%s","display":"%s"}]}]}`, uid, login))
	g := s.get("/Groups/" + gid)
	if g["displayName"] != group+" renamed" || len(elements(g, "members", "value", uid)) != 1 {
		s.fail(nil, "group = %v, want the new name and the member", g)
	}
	s.begin("remove member", entracode.MemberRemove)
	s.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"remove","path":"members[value eq \"%s\"]"}]}`, uid))
	if g = s.get("/Groups/" + gid); len(elements(g, "members", "value", uid)) != 0 {
		s.fail(nil, "members = %v after the remove", g["members"])
	}
	s.begin("replace members", entracode.MemberAdd)
	s.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"replace","path":"members","value":[{"value":"%s"}]}]}`, uid))
	if g = s.get("/Groups/" + gid); len(elements(g, "members", "value", uid)) != 1 {
		s.fail(nil, "members = %v after the replace", g["members"])
	}
	s.begin("delete group", entracode.Delete)
	s.deleteOK("/Groups/" + gid)
}
