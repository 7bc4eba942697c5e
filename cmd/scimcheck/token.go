package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/scimkit/scimkit/scim/scimcheck"
)

// runToken is "scimcheck token": it explains a bearer token.
func runToken(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scimcheck token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: scimcheck token [flags] <JWT|->   (- reads the token from stdin)\n\n")
		fs.PrintDefaults()
	}
	var tenants, audiences multi
	fs.Var(&tenants, "tenant", "a tenant ID the endpoint allows (entra.Config.Tenants); repeatable")
	fs.Var(&audiences, "audience", "an accepted aud (default the custom-app 8adf8e6e-67b2-4cf2-a259-e3dc5476c621); repeatable")
	authority := fs.String("authority-host", "", "where the signing keys are: {host}/{tenant}/discovery/keys (default https://login.microsoftonline.com)")
	issuer := fs.String("issuer-host", "", "the v1 issuer prefix (default https://sts.windows.net)")
	offline := fs.Bool("offline", false, "do not fetch the tenant's signing keys (no kid check, no entra.New verdict)")
	asJSON := fs.Bool("json", false, "print a JSON report")
	timeout := fs.Duration("timeout", 10*time.Second, "limit of the key fetch")
	// Flags may come after the token too.
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitOK
			}
			return exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(rest) != 1 {
		fs.Usage()
		return exitUsage
	}
	raw := rest[0]
	if raw == "-" {
		data, err := io.ReadAll(io.LimitReader(stdin, 64<<10))
		if err != nil {
			fmt.Fprintln(stderr, "scimcheck token:", err)
			return exitUsage
		}
		raw = string(data)
	}
	rep, err := scimcheck.ExplainToken(ctx, raw, scimcheck.TokenConfig{
		Tenants: tenants, Audiences: audiences, AuthorityHost: *authority, IssuerHost: *issuer,
		Offline: *offline, HTTPClient: &http.Client{Timeout: *timeout},
	})
	if err != nil {
		fmt.Fprintln(stderr, "scimcheck token:", err)
		return exitFailed
	}
	if *asJSON {
		if err := writeJSON(stdout, rep); err != nil {
			return exitFailed
		}
	} else {
		fmt.Fprintln(stdout, "header:")
		writeIndentedJSON(stdout, rep.Token.Header)
		fmt.Fprintln(stdout, "claims:")
		writeIndentedJSON(stdout, rep.Token.Claims)
		fmt.Fprintln(stdout)
		for _, r := range rep.Results {
			fmt.Fprintf(stdout, "%-4s  %-14s %s\n", r.Status, r.Check, r.Message)
			if r.EntraCode != "" {
				fmt.Fprintf(stdout, "      Entra logs: %s\n", r.EntraCode)
			}
			if r.Fix != "" && r.Status != scimcheck.Pass {
				fmt.Fprintf(stdout, "      fix: %s\n", r.Fix)
			}
		}
	}
	if rep.Failed() {
		return exitFailed
	}
	return exitOK
}

func writeIndentedJSON(w io.Writer, v any) {
	var b strings.Builder
	_ = writeJSON(&b, v)
	fmt.Fprint(w, "  "+strings.ReplaceAll(strings.TrimSpace(b.String()), "\n", "\n  ")+"\n")
}
