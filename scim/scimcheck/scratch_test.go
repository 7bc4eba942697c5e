package scimcheck_test

import (
	"context"
	"testing"

	"github.com/scimkit/scimkit/scim/scimcheck"
)

func TestScratch(t *testing.T) {
	u, pool := serveTLS(t, newQuickstart(t))
	rep, err := scimcheck.Run(context.Background(), scimcheck.Config{URL: u, Token: token, RootCAs: pool, Write: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		t.Logf("%s %s: %s %s | %s %s", r.Status, r.Client, r.Check, r.Message, r.EntraCode, r.Fix)
		if r.Status == scimcheck.Fail && len(r.Exchanges) > 0 {
			e := r.Exchanges[len(r.Exchanges)-1]
			t.Logf("   %s %s -> %d %s", e.Method, e.URL, e.Status, e.ResponseBody)
		}
	}
}
