package entramix

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"sync"
)

// Canned returns the canned floor: a bare net/http handler answering the
// mix's routes (relative to the base URL, as under Serve) with the status
// codes scimkit answers and canned bodies, for requests bearing token.
//
// It stores nothing but a map from userName to id, so that the filter
// after a create finds the user, and creates refuse a userName taken (409);
// GET and PATCH of any id answer the same canned user with that id, a
// member add answers 204 without looking.
func Canned(token string) http.Handler {
	c := &canned{auth: "Bearer " + token}
	c.mux.HandleFunc("GET /Users", c.list)
	c.mux.HandleFunc("POST /Users", c.create)
	c.mux.HandleFunc("GET /Users/{id}", c.get)
	c.mux.HandleFunc("PATCH /Users/{id}", c.patch)
	c.mux.HandleFunc("POST /Groups", c.createGroup)
	c.mux.HandleFunc("PATCH /Groups/{id}", c.patchGroup)
	return c
}

type canned struct {
	auth  string
	mux   http.ServeMux
	names sync.Map // userName → id
}

func (c *canned) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if authorized(w, r, c.auth) {
		c.mux.ServeHTTP(w, r)
	}
}

func (c *canned) list(w http.ResponseWriter, r *http.Request) {
	name, ok := userNameFilter(r)
	if !ok {
		writeError(w, http.StatusBadRequest, "invalidFilter")
		return
	}
	if id, ok := c.names.Load(name); ok {
		write(w, http.StatusOK, appendList(nil, cannedUser(nil, id.(string), name)))
		return
	}
	write(w, http.StatusOK, appendList(nil))
}

func (c *canned) create(w http.ResponseWriter, r *http.Request) {
	var u struct {
		UserName string `json:"userName"`
	}
	if !decode(w, r, &u) {
		return
	}
	if u.UserName == "" {
		writeError(w, http.StatusBadRequest, "invalidValue")
		return
	}
	id := rand.Text()
	if _, taken := c.names.LoadOrStore(u.UserName, id); taken {
		writeError(w, http.StatusConflict, "uniqueness")
		return
	}
	w.Header().Set("Location", "https://scim.example.com/scim/v2/Users/"+id)
	write(w, http.StatusCreated, cannedUser(nil, id, u.UserName))
}

func (c *canned) get(w http.ResponseWriter, r *http.Request) {
	write(w, http.StatusOK, cannedUser(nil, r.PathValue("id"), "jdoe@contoso.com"))
}

func (c *canned) patch(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	write(w, http.StatusOK, cannedUser(nil, r.PathValue("id"), "jdoe@contoso.com"))
}

func (c *canned) createGroup(w http.ResponseWriter, r *http.Request) {
	var g struct {
		DisplayName string `json:"displayName"`
	}
	if !decode(w, r, &g) {
		return
	}
	id := rand.Text()
	b := []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":`)
	b = appendJSONString(b, id)
	b = append(b, `,"displayName":`...)
	b = appendJSONString(b, g.DisplayName)
	b = append(b, `,"members":[],"meta":{"resourceType":"Group","created":"2026-01-01T00:00:00Z","lastModified":"2026-01-01T00:00:00Z","version":"W/\"1\""}}`...)
	write(w, http.StatusCreated, b)
}

func (c *canned) patchGroup(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.WriteHeader(http.StatusNoContent)
}

// decode reads r's JSON body into v, answering 400 when it is not JSON.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalidSyntax")
		return false
	}
	return true
}

// cannedUser appends the canned user: Entra's create body as scimkit
// returns it, with id and userName.
func cannedUser(dst []byte, id, userName string) []byte {
	dst = append(dst, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":`...)
	dst = appendJSONString(dst, id)
	dst = append(dst, `,"externalId":"jdoe","userName":`...)
	dst = appendJSONString(dst, userName)
	dst = append(dst, `,"active":true,"displayName":"Jane Doe","title":"Engineer","preferredLanguage":"en-US",`+
		`"emails":[{"primary":true,"type":"work","value":"jdoe@contoso.com"}],`+
		`"name":{"formatted":"Jane Doe","familyName":"Doe","givenName":"Jane"},`+
		`"addresses":[{"type":"work","streetAddress":"1 Main St","locality":"Redmond","region":"WA","postalCode":"98052","country":"US","formatted":"Bldg 1","primary":false}],`+
		`"phoneNumbers":[{"type":"work","value":"+1 425 555 0100"},{"type":"mobile","value":"+1 425 555 0101"}],`+
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","department":"Tour Operations"},`+
		`"meta":{"resourceType":"User","created":"2026-01-01T00:00:00Z","lastModified":"2026-01-01T00:00:00Z","location":`...)
	dst = appendJSONString(dst, "https://scim.example.com/scim/v2/Users/"+id)
	return append(dst, `,"version":"W/\"1\""}}`...)
}
