package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim/scimtest"
)

// Entra and Okta provision through the service, on SQLite.
func TestProvisioning(t *testing.T) {
	db, d := openSQLite(t)
	h, err := newService(db, d, config{Token: "t", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	o := scimtest.Options{Token: "t", Prefix: "/scim/v2"}
	scimtest.Entra(t, h, o)
	scimtest.EntraFlagged(t, h, o)
	scimtest.Okta(t, h, o)
}

// go run ./examples/ownmodel: it prints the endpoint and a token that
// works, serves until its context ends, and keeps its SQLite file.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, w := io.Pipe()
	path := filepath.Join(t.TempDir(), "ownmodel.db")
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-db", "sqlite:" + path, "-seats", "5"}, w, io.Discard)
		w.Close()
	}()
	lines := bufio.NewScanner(out)
	printed := map[string]string{}
	for len(printed) < 2 && lines.Scan() {
		if k, v, ok := strings.Cut(lines.Text(), ":"); ok {
			printed[k] = strings.TrimSpace(v)
		}
	}
	go io.Copy(io.Discard, out)
	endpoint, token := printed["SCIM endpoint"], printed["Bearer token"]
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") || len(token) < 20 {
		t.Fatalf("printed %q, want the SCIM endpoint and a random token", printed)
	}
	req, _ := http.NewRequest("GET", endpoint+"/Users?filter="+url.QueryEscape(`userName eq "7f3c2a51-0e7b-4c77-9c1d-2f2a9d0c9a1e"`), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"totalResults":0`) {
		t.Errorf("Entra's Test Connection with the printed token: %d %s, want 200 and no results", res.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after its context ended: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the SQLite file: %v", err)
	}
}

func TestParseDB(t *testing.T) {
	for _, tc := range []struct {
		spec, driver string
		ok           bool
	}{
		{"sqlite:ownmodel.db", "sqlite", true},
		{"sqlite:/var/lib/app/accounts.db", "sqlite", true},
		{"postgres://u@h:5432/db?sslmode=disable", "pgx", true},
		{"postgresql://u@h/db", "pgx", true},
		{"sqlite:", "", false},
		{"sqlite:x.db?_pragma=foreign_keys(OFF)", "", false},
		{"mysql://u@h/db", "", false},
		{"ownmodel.db", "", false},
		{"", "", false},
	} {
		driver, _, _, err := parseDB(tc.spec)
		if (err == nil) != tc.ok || driver != tc.driver {
			t.Errorf("parseDB(%q) = %q, %v; want driver %q, ok %t", tc.spec, driver, err, tc.driver, tc.ok)
		}
	}
}
