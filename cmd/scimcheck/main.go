// Command scimcheck proves that a live SCIM 2.0 endpoint works before
// Microsoft Entra ID tries it, and explains every failure in the words of
// Entra's provisioning log:
//
//	go install github.com/scimkit/scimkit/cmd/scimcheck@latest
//	scimcheck -url https://scim.example.com/scim/v2 -token "$TOKEN"          # read-only checks
//	scimcheck -url https://scim.example.com/scim/v2 -token "$TOKEN" -write   # + full provisioning cycles
//	scimcheck token "$JWT" -tenant 72f988bf-86f1-41af-91ab-2d7cd011db47     # explain a bearer token
//
// The read-only checks are TLS (1.2+, complete and trusted chain,
// hostname, expiry within 30 days warned), reachability and latency, Test
// Connection exactly as Entra sends it, the discovery endpoints, every
// attribute of Entra's default mappings (and of -mapping FILE, -attr,
// -group-attr) in /Schemas, the 401 answered without a token, and
// excludedAttributes=members. -write adds the provisioning cycles of Entra
// (default PATCH format and aadOptscim062020) and Okta; every object they
// create is named with -prefix and deleted at the end, also on Ctrl-C.
//
// Each check prints PASS, FAIL, WARN or SKIP; a failure shows the request
// and an excerpt of the answer, the code Entra's provisioning log shows
// for it and the fix. -json prints one JSON report for CI; -v prints every
// exchange in full. The exit status is 0 only when nothing failed (1: a
// check failed or the run was interrupted; 2: bad usage).
//
// The checks live in package github.com/scimkit/scimkit/scim/scimcheck,
// which scim/scimtest shares.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/scimkit/scimkit/scim/scimcheck"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, isTerminal(os.Stderr)))
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// run is the command; it returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, terminal bool) int {
	if len(args) > 0 && args[0] == "token" {
		return runToken(ctx, args[1:], stdin, stdout, stderr)
	}
	fs := flag.NewFlagSet("scimcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: scimcheck -url https://host/scim/v2 -token TOKEN [-write] [flags]\n       scimcheck token [flags] <JWT|->\n\n")
		fs.PrintDefaults()
	}
	url := fs.String("url", os.Getenv("SCIMCHECK_URL"), "the Tenant URL given to Entra, e.g. https://scim.example.com/scim/v2 (default $SCIMCHECK_URL)")
	token := fs.String("token", os.Getenv("SCIMCHECK_TOKEN"), "the Secret Token given to Entra (default $SCIMCHECK_TOKEN)")
	write := fs.Bool("write", false, "also run the full provisioning cycles of Entra and Okta (creates, changes and deletes prefixed users and groups)")
	asJSON := fs.Bool("json", false, "print one JSON report (for CI)")
	verbose := fs.Bool("v", false, "print every request and answer in full")
	timeout := fs.Duration("timeout", 30*time.Second, "limit of each request")
	prefix := fs.String("prefix", "scimcheck-", "start of the names of the objects -write creates")
	caFile := fs.String("ca", "", "PEM file of CAs to trust instead of the system roots (a private CA: Entra itself will not trust it)")
	var mappings, attrs, groupAttrs multi
	fs.Var(&mappings, "mapping", "a file of mapped target attributes that must be in /Schemas: Entra's provisioning schema JSON, or one attribute a line (\"Group displayName\" for groups); repeatable")
	fs.Var(&attrs, "attr", "a user attribute that must be in /Schemas, as Entra names it (e.g. urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:tag); repeatable")
	fs.Var(&groupAttrs, "group-attr", "a group attribute that must be in /Schemas; repeatable")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *url == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	cfg := scimcheck.Config{URL: *url, Token: *token, Write: *write, Timeout: *timeout, NamePrefix: *prefix}
	if *caFile != "" {
		pool, err := loadCAs(*caFile)
		if err != nil {
			fmt.Fprintln(stderr, "scimcheck:", err)
			return exitUsage
		}
		cfg.RootCAs = pool
	}
	for _, f := range mappings {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(stderr, "scimcheck:", err)
			return exitUsage
		}
		as, err := scimcheck.ParseMapping(data)
		if err != nil {
			fmt.Fprintf(stderr, "scimcheck: -mapping %s: %v\n", f, err)
			return exitUsage
		}
		cfg.Attributes = append(cfg.Attributes, as...)
	}
	for _, a := range attrs {
		cfg.Attributes = append(cfg.Attributes, scimcheck.Attribute{Resource: "User", Name: a})
	}
	for _, a := range groupAttrs {
		cfg.Attributes = append(cfg.Attributes, scimcheck.Attribute{Resource: "Group", Name: a})
	}

	p := &printer{ctx: ctx, w: stdout, progress: stderr, terminal: terminal, verbose: *verbose}
	if !*asJSON {
		mode := "read-only checks"
		if *write {
			mode = "read-only checks and provisioning cycles (-write)"
		}
		fmt.Fprintf(stdout, "scimcheck %s: %s\n\n", strings.SplitN(*url, "?", 2)[0], mode)
		cfg.Progress = p.result
	} else {
		cfg.Progress = p.progressOnly
	}
	start := time.Now()
	rep, err := scimcheck.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "scimcheck:", err)
		return exitUsage
	}
	p.clear()
	if *asJSON {
		if err := writeJSON(stdout, rep); err != nil {
			fmt.Fprintln(stderr, "scimcheck:", err)
			return exitFailed
		}
	} else {
		p.summary(rep, time.Since(start))
	}
	if rep.Failed() || rep.Interrupted {
		return exitFailed
	}
	return exitOK
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }
