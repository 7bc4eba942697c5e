package scimtest

import (
	"fmt"
	"net/http"
	"testing"
)

// Okta replays Okta's SCIM 2.0 client: the paging test connection, match,
// create (with password and an empty groups array), profile updates by
// PUT, deactivation by a path-less PATCH, imports paging through /Users,
// and group push (create, rename with id in the value, member add,
// remove and full replace, delete).
func Okta(t testing.TB, h http.Handler, o Options) {
	t.Helper()
	c := &client{t: t, h: h, o: o, client: "okta"}
	suffix := randomHex(4)
	login := fmt.Sprintf("scimtest.okta.%s@example.com", suffix)

	c.step = "test connection"
	c.list("/Users?startIndex=1&count=2")

	c.step = "match user (none yet)"
	if res := c.list("/Users?filter=" + q(`userName eq "`+login+`"`) + "&startIndex=1&count=100"); total(res) != 0 {
		c.fail(res, "want no match before the create")
	}
	c.step = "create user"
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
	uid := c.create("/Users", body)
	defer func() {
		c.step = "cleanup user"
		c.do(http.MethodDelete, "/Users/"+uid, nil)
	}()
	c.step = "create duplicate user"
	if res := c.do(http.MethodPost, "/Users", body); res.status != http.StatusConflict {
		c.fail(res, "a second user with the same userName must get 409")
	}
	c.step = "read user"
	u := c.get("/Users/" + uid)
	if u["password"] != nil {
		c.fail(nil, "the password came back in the user")
	}

	c.step = "update profile (PUT)"
	u["name"] = map[string]any{"givenName": "Okta", "familyName": "Renamed"}
	delete(u, "meta")
	res := c.do(http.MethodPut, "/Users/"+uid, u)
	c.expectStatus(res, http.StatusOK)
	if field(res.body, "name", "familyName") != "Renamed" || res.body["active"] != true {
		c.fail(res, "PUT must replace the profile and keep active true")
	}

	c.step = "deactivate user"
	c.patchOK("/Users/"+uid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)
	if u = c.get("/Users/" + uid); u["active"] != false {
		c.fail(nil, "active = %#v after deactivation", u["active"])
	}
	c.step = "reactivate user"
	c.patchOK("/Users/"+uid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`)

	c.step = "import users"
	res = c.list("/Users?startIndex=1&count=100")
	found := false
	for _, r := range resources(res) {
		found = found || r["id"] == uid
	}
	if !found && total(res) <= 100 {
		c.fail(res, "the import page does not list the user")
	}

	c.step = "push group"
	gid := c.create("/Groups", map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"displayName": "scimtest okta " + suffix,
		"members":     []any{},
	})
	defer func() {
		c.step = "cleanup group"
		c.do(http.MethodDelete, "/Groups/"+gid, nil)
	}()
	c.step = "rename group (id in value)"
	c.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"replace","value":{"id":"%s","displayName":"scimtest okta renamed %s"}}]}`, gid, suffix))
	c.step = "add member"
	c.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"add","path":"members","value":[{"value":"%s","display":"%s"}]}]}`, uid, login))
	g := c.get("/Groups/" + gid)
	if g["displayName"] != "scimtest okta renamed "+suffix || len(elements(g, "members", "value", uid)) != 1 {
		c.fail(nil, "group = %v, want the new name and the member", g)
	}
	c.step = "remove member"
	c.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"remove","path":"members[value eq \"%s\"]"}]}`, uid))
	if g = c.get("/Groups/" + gid); len(elements(g, "members", "value", uid)) != 0 {
		c.fail(nil, "members = %v after the remove", g["members"])
	}
	c.step = "replace members"
	c.patchOK("/Groups/"+gid, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
 "Operations":[{"op":"replace","path":"members","value":[{"value":"%s"}]}]}`, uid))
	if g = c.get("/Groups/" + gid); len(elements(g, "members", "value", uid)) != 1 {
		c.fail(nil, "members = %v after the replace", g["members"])
	}
	c.step = "delete group"
	c.deleteOK("/Groups/" + gid)
}
