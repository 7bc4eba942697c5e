package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/internal/entramix"
)

func TestRun(t *testing.T) {
	srv, base := entramix.Serve(entramix.Canned("secret"))
	defer srv.Close()
	var out, errs bytes.Buffer
	if err := run([]string{"-url", base, "-token", "secret", "-clients", "2", "-steps", "30", "-duration", "0", "-seed-users", "10", "-seed-groups", "2"}, &out, &errs); err != nil {
		t.Fatalf("%v\n%s%s", err, out.String(), errs.String())
	}
	for _, want := range []string{"seeded 10 users in 2 groups", "filter-miss", "add-member", "153 requests, 30 steps, 0 errors"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := run([]string{"-url", base, "-token", "wrong", "-steps", "5"}, &out, &errs); err == nil {
		t.Error("a wrong token: no error")
	}
	if err := run([]string{"-url", "http://example.com/scim/v2", "-steps", "5"}, &out, &errs); err == nil {
		t.Error("a remote URL: no error")
	}
}
