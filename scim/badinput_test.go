package scim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store/memory"
)

func TestMalformedJSONIsInvalidSyntax(t *testing.T) {
	h := newHandler(t)
	id := createUser(t, h, userBody("exists@example.com"))
	bodies := map[string]string{
		"truncated":        `{"userName":"a@example.com"`,
		"trailing comma":   `{"userName":"a@example.com",}`,
		"single quotes":    `{'userName':'a@example.com'}`,
		"bare word":        `userName=a`,
		"unquoted key":     `{userName:"a"}`,
		"array":            `[{"userName":"a@example.com"}]`,
		"null":             `null`,
		"string":           `"a@example.com"`,
		"number":           `12`,
		"trailing garbage": `{"userName":"a@example.com"} garbage`,
		"two objects":      `{"userName":"a@example.com"}{"userName":"b@example.com"}`,
		"trailing brace":   `{"userName":"a@example.com"}}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			for _, target := range []struct{ method, path string }{
				{http.MethodPost, "/Users"},
				{http.MethodPut, "/Users/" + id},
				{http.MethodPost, "/Groups"},
				{http.MethodPost, "/Users/.search"},
			} {
				r := do(t, h, target.method, target.path, body)
				if r.status != http.StatusBadRequest {
					t.Errorf("%s %s %q = %s, want 400", target.method, target.path, body, r)
					continue
				}
				checkError(t, r, http.StatusBadRequest, "invalidSyntax")
			}
		})
	}
	// Nothing was created or changed by all that.
	r := do(t, h, http.MethodGet, "/Users", "")
	if num(r.body, "totalResults") != 1 || str(r.body, "Resources.0.userName") != "exists@example.com" {
		t.Errorf("store changed by malformed bodies: %s", r.raw)
	}
}

func TestEmptyBodyIs400(t *testing.T) {
	h := newHandler(t)
	id := createUser(t, h, userBody("e@example.com"))
	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, "/Users", ""},
		{http.MethodPost, "/Users", "   \n"},
		{http.MethodPut, "/Users/" + id, ""},
		{http.MethodPost, "/Groups", ""},
	} {
		r := do(t, h, c.method, c.path, c.body)
		checkError(t, r, http.StatusBadRequest, "invalidSyntax")
	}
	// An empty object is valid JSON but lacks userName.
	checkError(t, do(t, h, http.MethodPost, "/Users", `{}`), http.StatusBadRequest, "invalidValue", "userName")
}

func TestBodyTooLarge(t *testing.T) {
	// Stored resources are limited too (128 KiB by default): lift that
	// limit to see the body's.
	h := newHandler(t, func(c *scim.Config) { c.Limits.MaxResourceBytes = 2 << 20 })
	big := fmt.Sprintf(`{"userName":"big@example.com","title":%q}`, strings.Repeat("x", 1<<20))
	checkError(t, do(t, h, http.MethodPost, "/Users", big), http.StatusRequestEntityTooLarge, "")
	// Just under the limit is fine.
	ok := fmt.Sprintf(`{"userName":"big@example.com","title":%q}`, strings.Repeat("x", 1<<20-100))
	if r := do(t, h, http.MethodPost, "/Users", ok); r.status != http.StatusCreated {
		t.Errorf("POST of %d bytes = %d, want 201 (under 1 MiB)", len(ok), r.status)
	}
	// Invalid JSON over the limit is still 413, not 400.
	checkError(t, do(t, h, http.MethodPost, "/Users", `{"title":"`+strings.Repeat("x", 2<<20)), http.StatusRequestEntityTooLarge, "")

	small := newHandler(t, func(c *scim.Config) { c.Limits.MaxBodyBytes = 200 })
	body := fmt.Sprintf(`{"userName":"s@example.com","title":%q}`, strings.Repeat("y", 300))
	checkError(t, do(t, small, http.MethodPost, "/Users", body), http.StatusRequestEntityTooLarge, "", "200")
	if r := do(t, small, http.MethodPost, "/Users", userBody("s@example.com")); r.status != http.StatusCreated {
		t.Errorf("small body with MaxBodyBytes 200 = %s, want 201", r)
	}
	id := createUser(t, small, userBody("s2@example.com"))
	checkError(t, do(t, small, http.MethodPut, "/Users/"+id, body), http.StatusRequestEntityTooLarge, "")
	checkError(t, do(t, small, http.MethodPost, "/Users/.search", fmt.Sprintf(`{"filter":%q}`, strings.Repeat("z", 300))), http.StatusRequestEntityTooLarge, "")
}

func TestWrongTypesAreInvalidValue(t *testing.T) {
	h := newHandler(t)
	cases := []struct {
		name, body string
		mention    string // the attribute the detail must name
	}{
		{"active number", `{"userName":"a@example.com","active":5}`, "active"},
		{"active word", `{"userName":"a@example.com","active":"yes"}`, "active"},
		{"userName number", `{"userName":12}`, "userName"},
		{"userName object", `{"userName":{"v":"a"}}`, "userName"},
		{"name string", `{"userName":"a@example.com","name":"Jane Doe"}`, "name"},
		{"name.givenName number", `{"userName":"a@example.com","name":{"givenName":7}}`, "givenName"},
		{"emails value number", `{"userName":"a@example.com","emails":[{"value":5,"type":"work"}]}`, "emails.value"},
		{"emails primary string", `{"userName":"a@example.com","emails":[{"value":"a@example.com","primary":"sure"}]}`, "primary"},
		{"emails element number", `{"userName":"a@example.com","emails":[5]}`, "emails"},
		{"displayName array", `{"userName":"a@example.com","displayName":["a","b"]}`, "displayName"},
		{"enterprise not object", fmt.Sprintf(`{"userName":"a@example.com",%q:"x"}`, enterpriseURN), enterpriseURN},
		{"employeeNumber number", fmt.Sprintf(`{"userName":"a@example.com",%q:{"employeeNumber":701984}}`, enterpriseURN), "employeeNumber"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := do(t, h, http.MethodPost, "/Users", c.body)
			checkError(t, r, http.StatusBadRequest, "invalidValue", c.mention)
		})
	}
	if r := do(t, h, http.MethodGet, "/Users", ""); num(r.body, "totalResults") != 0 {
		t.Errorf("refused bodies created users: %s", r.raw)
	}
	// Groups too.
	checkError(t, do(t, h, http.MethodPost, "/Groups", `{"displayName":5}`), http.StatusBadRequest, "invalidValue", "displayName")
	checkError(t, do(t, h, http.MethodPost, "/Groups", `{"displayName":"G","members":[{"value":5}]}`), http.StatusBadRequest, "invalidValue", "members")
}

func TestStringBooleansCoerced(t *testing.T) {
	h := newHandler(t)
	for i, c := range []struct {
		sent string
		want bool
	}{{`"True"`, true}, {`"False"`, false}, {`"false"`, false}, {`"TRUE"`, true}, {`true`, true}, {`false`, false}} {
		r := do(t, h, http.MethodPost, "/Users", fmt.Sprintf(`{"userName":"b%d@example.com","active":%s,"emails":[{"value":"b%d@example.com","primary":%s}]}`, i, c.sent, i, c.sent))
		wantStatus(t, r, http.StatusCreated, "POST active "+c.sent)
		g := do(t, h, http.MethodGet, "/Users/"+str(r.body, "id"), "")
		if g.body["active"] != c.want {
			t.Errorf("active sent as %s: GET shows %#v, want JSON %v", c.sent, g.body["active"], c.want)
		}
		if get(g.body, "emails.0.primary") != c.want {
			t.Errorf("emails[0].primary sent as %s: GET shows %#v, want JSON %v", c.sent, get(g.body, "emails.0.primary"), c.want)
		}
		if !strings.Contains(g.raw, fmt.Sprintf(`"active":%v`, c.want)) {
			t.Errorf("raw body does not carry the JSON boolean: %s", g.raw)
		}
	}
}

func TestRequiredAttributes(t *testing.T) {
	h := newHandler(t)
	for _, body := range []string{`{"displayName":"No Name"}`, `{"userName":""}`, `{"userName":null}`, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}`} {
		checkError(t, do(t, h, http.MethodPost, "/Users", body), http.StatusBadRequest, "invalidValue", "userName")
	}
	for _, body := range []string{`{"externalId":"x"}`, `{"displayName":""}`, `{"members":[]}`} {
		checkError(t, do(t, h, http.MethodPost, "/Groups", body), http.StatusBadRequest, "invalidValue", "displayName")
	}
	// PUT must carry them too.
	id := createUser(t, h, userBody("req@example.com"))
	checkError(t, do(t, h, http.MethodPut, "/Users/"+id, `{"displayName":"x"}`), http.StatusBadRequest, "invalidValue", "userName")
	if g := do(t, h, http.MethodGet, "/Users/"+id, ""); str(g.body, "userName") != "req@example.com" {
		t.Errorf("refused PUT changed the user: %s", g.raw)
	}
}

func TestUnknownAttributes(t *testing.T) {
	h := newHandler(t)
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:unregistered"],"userName":"u@example.com","favoriteColor":"blue","name":{"givenName":"A","middle2":"x"},"urn:example:unregistered":{"x":1}}`
	r := do(t, h, http.MethodPost, "/Users", body)
	wantStatus(t, r, http.StatusCreated, "POST with unknown attributes")
	g := do(t, h, http.MethodGet, "/Users/"+str(r.body, "id"), "")
	for _, k := range []string{"favoriteColor", "urn:example:unregistered"} {
		if _, ok := g.body[k]; ok {
			t.Errorf("unknown attribute %s stored: %s", k, g.raw)
		}
	}
	if get(g.body, "name.middle2") != nil {
		t.Errorf("unknown sub-attribute stored: %s", g.raw)
	}
	if str(g.body, "name.givenName") != "A" {
		t.Errorf("known sub-attribute lost: %s", g.raw)
	}
	for _, s := range list(g.body, "schemas") {
		if s == "urn:example:unregistered" {
			t.Errorf("unregistered schema URN echoed in schemas: %v", list(g.body, "schemas"))
		}
	}
	// Entra's private group schema URN is accepted.
	createGroup(t, h, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"displayName":"MS"}`)

	strict := newHandler(t, func(c *scim.Config) { c.StrictAttributes = true })
	checkError(t, do(t, strict, http.MethodPost, "/Users", `{"userName":"u@example.com","favoriteColor":"blue"}`), http.StatusBadRequest, "invalidValue", "favoriteColor")
	checkError(t, do(t, strict, http.MethodPost, "/Users", `{"userName":"u@example.com","name":{"middle2":"x"}}`), http.StatusBadRequest, "invalidValue", "middle2")
	checkError(t, do(t, strict, http.MethodPost, "/Groups", `{"displayName":"G","owner":"x"}`), http.StatusBadRequest, "invalidValue", "owner")
	if r := do(t, strict, http.MethodPost, "/Users", `{"userName":"u@example.com","name":{"givenName":"A"}}`); r.status != http.StatusCreated {
		t.Errorf("strict handler refused a valid body: %s", r)
	}
}

func TestBadFiltersAreInvalidFilter(t *testing.T) {
	h := newHandler(t)
	createUser(t, h, userBody("f@example.com"))
	cases := []struct {
		filter string
		where  string // what the detail must mention to say where
	}{
		{`userName eq`, "offset"},
		{`userName xx "a"`, "offset"},
		{`(userName eq "a"`, "offset"},
		{`userName eq "a")`, "offset"},
		{`((userName eq "a") or (userName eq "b")`, "offset"},
		{`userName eq "a`, "offset"},
		{`userName eq "a" and`, "offset"},
		{`emails[type eq "work"`, "offset"},
		{`active gt true`, "active"},
		{`active eq "maybe"`, "active"},
		{`meta.created gt "yesterday"`, "created"},
		{`name eq "x"`, "name"},
	}
	for _, c := range cases {
		t.Run(c.filter, func(t *testing.T) {
			r := do(t, h, http.MethodGet, "/Users?filter="+urlq(c.filter), "")
			checkError(t, r, http.StatusBadRequest, "invalidFilter", c.where)
			r = do(t, h, http.MethodPost, "/Users/.search", fmt.Sprintf(`{"filter":%q}`, c.filter))
			checkError(t, r, http.StatusBadRequest, "invalidFilter", c.where)
		})
	}
	long := newHandler(t, func(c *scim.Config) { c.Limits.MaxFilterLength = 50 })
	checkError(t, do(t, long, http.MethodGet, "/Users?filter="+urlq(`userName eq "`+strings.Repeat("a", 60)+`"`), ""), http.StatusBadRequest, "invalidFilter", "50")
}

func TestNonNumericPagingIs400(t *testing.T) {
	h := newHandler(t)
	// A value given empty cannot be read either: it is an error, not "none".
	for _, q := range []string{"startIndex=abc", "count=ten", "startIndex=1.5", "count=", "startIndex=", "count=1e3"} {
		r := do(t, h, http.MethodGet, "/Users?"+q, "")
		name := strings.SplitN(q, "=", 2)[0]
		checkError(t, r, http.StatusBadRequest, "", name)
	}
	checkError(t, do(t, h, http.MethodPost, "/Users/.search", `{"count":"many"}`), http.StatusBadRequest, "", "count")
	checkError(t, do(t, h, http.MethodGet, "/Users?sortOrder=sideways", ""), http.StatusBadRequest, "", "sortOrder")
}

func TestStorePanicIs500AndServingContinues(t *testing.T) {
	st := &countingStore{Store: memory.New()}
	h := newHandler(t, func(c *scim.Config) { c.Store = st })
	id := createUser(t, h, userBody("p@example.com"))
	st.panicList.Store(true)
	r := do(t, h, http.MethodGet, "/Users", "")
	checkError(t, r, http.StatusInternalServerError, "")
	if strings.Contains(r.raw, "exploded") || strings.Contains(r.raw, "goroutine") {
		t.Errorf("500 body leaks the panic: %s", r.raw)
	}
	r = do(t, h, http.MethodPost, "/Users/.search", `{}`)
	checkError(t, r, http.StatusInternalServerError, "")
	// Other requests keep working while List panics, and List again after.
	if g := do(t, h, http.MethodGet, "/Users/"+id, ""); g.status != http.StatusOK {
		t.Errorf("GET after a panic = %s, want 200", g)
	}
	st.panicList.Store(false)
	if g := do(t, h, http.MethodGet, "/Users", ""); g.status != http.StatusOK || num(g.body, "totalResults") != 1 {
		t.Errorf("list after a panic = %s, want 200 with the user", g)
	}
}

func TestDuplicateUserNameIs409(t *testing.T) {
	h := newHandler(t)
	createUser(t, h, userBody("jdoe@contoso.com"))
	for _, dup := range []string{"jdoe@contoso.com", "JDoe@Contoso.com", "JDOE@CONTOSO.COM"} {
		r := do(t, h, http.MethodPost, "/Users", userBody(dup))
		checkError(t, r, http.StatusConflict, "uniqueness", "userName", dup)
	}
	// PUT onto another user's userName.
	other := createUser(t, h, userBody("other@contoso.com"))
	r := do(t, h, http.MethodPut, "/Users/"+other, userBody("Jdoe@contoso.com"))
	checkError(t, r, http.StatusConflict, "uniqueness", "userName", "Jdoe@contoso.com")
	if g := do(t, h, http.MethodGet, "/Users/"+other, ""); str(g.body, "userName") != "other@contoso.com" {
		t.Errorf("refused PUT changed the user: %s", g.raw)
	}
	// A user may change the case of its own userName.
	if r := do(t, h, http.MethodPut, "/Users/"+other, userBody("Other@Contoso.com")); r.status != http.StatusOK {
		t.Errorf("PUT changing only the case of its own userName = %s, want 200", r)
	}
	lr := do(t, h, http.MethodGet, "/Users?filter="+urlq(`userName eq "jdoe@contoso.com"`), "")
	if num(lr.body, "totalResults") != 1 {
		t.Errorf("after refused duplicates: %s, want exactly one jdoe", lr.raw)
	}
}

func TestDuplicateGroupDisplayNameIs409(t *testing.T) {
	h := newHandler(t)
	createGroup(t, h, `{"displayName":"Sales"}`)
	for _, dup := range []string{"Sales", "sales", "SALES"} {
		r := do(t, h, http.MethodPost, "/Groups", fmt.Sprintf(`{"displayName":%q}`, dup))
		checkError(t, r, http.StatusConflict, "uniqueness", "displayName", dup)
	}
	g2 := createGroup(t, h, `{"displayName":"Marketing"}`)
	checkError(t, do(t, h, http.MethodPut, "/Groups/"+g2, `{"displayName":"sales"}`), http.StatusConflict, "uniqueness", "displayName")
	// Users and groups do not clash with each other.
	createUser(t, h, `{"userName":"Sales","displayName":"Sales"}`)
}
