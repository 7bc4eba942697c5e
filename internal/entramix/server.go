package entramix

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// Serve starts h on 127.0.0.1 (an httptest.Server) mounted at /scim/v2/
// the way the quickstart mounts a Handler, and returns the server and the
// base URL the driver takes. Close the server when done.
func Serve(h http.Handler) (*httptest.Server, string) {
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	srv := httptest.NewServer(mux)
	return srv, srv.URL + "/scim/v2"
}

// The floors' answers.
const (
	listSchema  = `"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"]`
	contentType = "application/scim+json"
)

// authorized reports whether r carries "Bearer <token>" and answers 401
// when it does not.
func authorized(w http.ResponseWriter, r *http.Request, want string) bool {
	if r.Header.Get("Authorization") == want {
		return true
	}
	writeError(w, http.StatusUnauthorized, "")
	return false
}

// writeError answers an RFC 7644 error.
func writeError(w http.ResponseWriter, status int, scimType string) {
	b := []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"`)
	b = appendInt(b, status)
	b = append(b, '"')
	if scimType != "" {
		b = append(b, `,"scimType":`...)
		b = appendJSONString(b, scimType)
	}
	b = append(b, '}')
	write(w, status, b)
}

func write(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// appendList appends a ListResponse holding the resources docs.
func appendList(dst []byte, docs ...[]byte) []byte {
	dst = append(dst, '{')
	dst = append(dst, listSchema...)
	dst = append(dst, `,"totalResults":`...)
	dst = appendInt(dst, len(docs))
	dst = append(dst, `,"startIndex":1,"itemsPerPage":`...)
	dst = appendInt(dst, len(docs))
	dst = append(dst, `,"Resources":[`...)
	for i, d := range docs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, d...)
	}
	return append(dst, "]}"...)
}

func appendInt(dst []byte, n int) []byte {
	return strconv.AppendInt(dst, int64(n), 10)
}

// userNameFilter returns x from the filter userName eq "x", the only one
// the floors answer.
func userNameFilter(r *http.Request) (string, bool) {
	f := r.URL.Query().Get("filter")
	const prefix = `userName eq "`
	if len(f) < len(prefix)+1 || !strings.EqualFold(f[:len(prefix)], prefix) || f[len(f)-1] != '"' {
		return "", false
	}
	return f[len(prefix) : len(f)-1], true
}
