package scim_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/scimkit/scimkit/scim"
)

// A query string is read whole or refused: a pair Go's URL.Query would
// drop (a raw ";", a bad %-escape), a parameter given twice or a filter
// given empty never turns a filtered list into an unfiltered one.
func TestQueryReadWholeOrRefused(t *testing.T) {
	h := newHandler(t)
	createUser(t, h, userBody("o'brien;x@example.com"))
	createUser(t, h, userBody("other@example.com"))
	for _, c := range []struct {
		query, scimType, word string
	}{
		{`filter=userName%20eq%20"o'brien;x@example.com"`, "invalidFilter", "%3B"},
		{`filter=userName+eq+%22o'brien;x@example.com%22`, "invalidFilter", "%3B"},
		{`filter=userName%20eq%20%22a%22&count=5;startIndex=2`, "invalidSyntax", "count"},
		{`filter=userName%20eq%20%zz`, "invalidFilter", "encoded"},
		{`x;y=1&filter=userName%20eq%20%22a%22`, "invalidSyntax", "%3B"},
		{`filter=userName%20eq%20%22a%22&filter=userName%20eq%20%22b%22`, "invalidFilter", "more than once"},
		{`Filter=userName%20eq%20%22a%22&filter=userName%20eq%20%22b%22`, "invalidFilter", "more than once"},
		{`count=1&COUNT=2`, "invalidSyntax", "more than once"},
		{`filter=`, "invalidFilter", "empty"},
		{`filter=%20%20`, "invalidFilter", "empty"},
	} {
		r := do(t, h, http.MethodGet, "/Users?"+c.query, "")
		checkError(t, r, http.StatusBadRequest, c.scimType, c.word)
		if list(r.body, "Resources") != nil {
			t.Errorf("?%s answered a list: %s", c.query, r.raw)
		}
	}
	// Encoded, the same filter finds exactly that user; unknown parameters
	// (Entra's aadOptscim062020 flag) are ignored.
	r := do(t, h, http.MethodGet, "/Users?aadOptscim062020&filter="+urlq(`userName eq "o'brien;x@example.com"`), "")
	wantStatus(t, r, http.StatusOK, "encoded ;")
	if num(r.body, "totalResults") != 1 || str(r.body, "Resources.0.userName") != "o'brien;x@example.com" {
		t.Errorf("encoded filter = %s, want the one user", r.raw)
	}
	// The same rules for a /.search body: members matched case-insensitively,
	// each once, of the right type.
	for _, body := range []string{
		`{"filter":"userName eq \"a\"","FILTER":"userName eq \"b\""}`,
		`{"filter":12}`,
		`{"filter":{"userName":"a"}}`,
		`{"filter":""}`,
		`{"attributes":["userName",7]}`,
		`{"count":true}`,
	} {
		r := do(t, h, http.MethodPost, "/Users/.search", body)
		if r.status != http.StatusBadRequest || list(r.body, "Resources") != nil {
			t.Errorf(".search %s = %s, want 400", body, r)
		}
	}
	r = do(t, h, http.MethodPost, "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"Filter":"userName eq \"other@example.com\"","attributes":["userName"],"count":10}`)
	if num(r.body, "totalResults") != 1 || str(r.body, "Resources.0.userName") != "other@example.com" {
		t.Errorf(".search = %s, want the one user", r)
	}
}

// attributes and excludedAttributes take up to Limits.MaxAttributes items;
// excluding an extension's last attribute leaves no empty extension.
func TestProjectionItems(t *testing.T) {
	h := newHandler(t, func(c *scim.Config) { c.Limits.MaxAttributes = 3 })
	id := createUser(t, h, fmt.Sprintf(`{"userName":"p@example.com","title":"T",%q:{"department":"D"}}`, enterpriseURN))
	if r := do(t, h, http.MethodGet, "/Users/"+id+"?attributes=userName,title,userName", ""); r.status != http.StatusOK || str(r.body, "title") != "T" {
		t.Errorf("3 items: %s", r)
	}
	checkError(t, do(t, h, http.MethodGet, "/Users/"+id+"?attributes=userName,title,userName,title", ""), http.StatusBadRequest, "invalidValue", "4 items")
	checkError(t, do(t, h, http.MethodGet, "/Users?excludedAttributes=a,b,c,d", ""), http.StatusBadRequest, "invalidValue", "excludedAttributes")
	r := do(t, h, http.MethodGet, "/Users/"+id+"?excludedAttributes="+urlq(enterpriseURN+":department"), "")
	if _, ok := r.body[enterpriseURN]; ok || str(r.body, "title") != "T" {
		t.Errorf("excluding the extension's only attribute: %s", r.raw)
	}
}
