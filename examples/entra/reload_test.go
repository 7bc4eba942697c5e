//go:build unix

package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/scimkit/scimkit/auth/oauth"
)

// TestClientsFileReloadsOnSIGHUP: a secret rotated in the clients file
// works after SIGHUP, and the removed one stops working; a broken file
// changes nothing.
func TestClientsFileReloadsOnSIGHUP(t *testing.T) {
	const old, rotated = "old-secret-0123456789abcdef", "new-secret-0123456789abcdef"
	file := filepath.Join(t.TempDir(), "clients.json")
	write := func(content string) {
		t.Helper()
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	clientWith := func(secret string) string {
		t.Helper()
		h, err := oauth.HashSecretCost(secret, oauth.MinIterations)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf(`{"clients":[{"id":"svc","tenant":"acme","secrets":[{"hash":%q}]}]}`, h)
	}
	write(clientWith(old))
	out := start(t, 4, "-mode", "client-credentials", "-clients", file)
	tokenURL := out["Token endpoint"]
	if out["Reload"] == "" {
		t.Errorf("printed %v, want how to reload", out)
	}
	cc := url.Values{"grant_type": {"client_credentials"}}
	works := func(secret string) bool {
		code, _ := getToken(t, tokenURL, cc, "svc", secret)
		return code == http.StatusOK
	}
	if !works(old) || works(rotated) {
		t.Fatal("before the rotation: want the old secret only")
	}
	// eventually waits for the reload the signal asked for.
	eventually := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("after SIGHUP: %s never held", what)
			}
		}
	}
	hup := func() {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}

	write(clientWith(rotated))
	hup()
	eventually("the new secret works", func() bool { return works(rotated) })
	if works(old) {
		t.Error("the removed secret still buys tokens")
	}

	write(`{"clients":[{"id":"svc","tenant":"acme","secrets":[{"hash":"not a hash"}]}]}`)
	hup()
	time.Sleep(200 * time.Millisecond) // a reload, if it happened, is done
	write(`{"clients":[`)
	hup()
	time.Sleep(200 * time.Millisecond)
	if !works(rotated) || works(old) {
		t.Error("after broken files: want the clients in use unchanged")
	}
}
