package scimtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim/scimtest"
)

// runFake replays Entra against h with a fakeT and returns it.
func runFake(h http.Handler) *fakeT {
	ft := &fakeT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { _ = recover() }()
		scimtest.Entra(ft, h, scimtest.Options{Token: "t0ken", Prefix: "/scim/v2"})
	}()
	<-done
	return ft
}

// A passing replay logs each exchange of each step.
func TestReplayLogsExchanges(t *testing.T) {
	ft := runFake(newHandler(t))
	if ft.failed {
		t.Fatalf("replay failed: %s", ft.msg)
	}
	var posts int
	for _, l := range ft.logs {
		if !strings.HasPrefix(l, "scimtest: entra: ") {
			t.Errorf("log line %q", l)
		}
		if strings.Contains(l, " POST /Users → 201") {
			posts++
		}
	}
	if posts == 0 {
		t.Errorf("no POST /Users logged in %d lines", len(ft.logs))
	}
}

// A failed replay says what Entra logs, the last exchange with its
// response (cut at 600 bytes), and the fix.
func TestReplayFailureMessage(t *testing.T) {
	errBody := func(n int) string {
		b := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"`
		return b + strings.Repeat("x", n-len(b)-2) + `"}`
	}
	for _, tc := range []struct {
		name    string
		body    string
		want    []string
		notWant string
	}{
		{"600-byte body", errBody(600), []string{"(Entra logs ", "\n\tresponse 404: " + errBody(600) + "\n", "\n\tfix: "}, "…"},
		{"601-byte body", errBody(601), []string{"\n\tresponse 404: " + errBody(601)[:600] + "…\n"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t)
			ft := runFake(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("filter") != "" {
					w.Header().Set("Content-Type", "application/scim+json")
					w.WriteHeader(http.StatusNotFound)
					_, _ = w.Write([]byte(tc.body))
					return
				}
				h.ServeHTTP(w, r)
			}))
			if !ft.failed {
				t.Fatal("the replay passed")
			}
			for _, w := range tc.want {
				if !strings.Contains(ft.msg, w) {
					t.Errorf("message %q\nwant %q in it", ft.msg, w)
				}
			}
			if tc.notWant != "" && strings.Contains(ft.msg, tc.notWant) {
				t.Errorf("message %q has %q", ft.msg, tc.notWant)
			}
		})
	}
}
