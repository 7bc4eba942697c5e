package scim

import (
	"net/http"

	"github.com/scimkit/scimkit/store"
)

// maxRequestID is the longest X-Request-ID taken from a client.
const maxRequestID = 128

// requestID returns the id of request r: its X-Request-ID header when
// that is 1 to 128 visible ASCII characters, else a new random one. The
// Handler returns it in its own X-Request-ID header and puts it in the
// request's context (store.RequestID).
func requestID(r *http.Request) string {
	if v := r.Header["X-Request-Id"]; len(v) == 1 && validRequestID(v[0]) {
		return v[0]
	}
	return store.NewID()
}

func validRequestID(s string) bool {
	if s == "" || len(s) > maxRequestID {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
