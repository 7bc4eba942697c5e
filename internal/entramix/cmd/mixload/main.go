// Command mixload replays Entra ID's provisioning mix (package entramix)
// against a SCIM endpoint running on this machine and prints req/s and the
// latency of each operation:
//
//	go run ./examples/quickstart -store memory -token secret &
//	go run ./internal/entramix/cmd/mixload -url http://127.0.0.1:8080/scim/v2 -token secret -duration 20s
//
// The URL's host must be a loopback IP address. -seed-users N (and
// -seed-groups) first create a population that is not measured. It exits
// with status 1 when any request failed, after printing the first
// failures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/scimkit/scimkit/internal/entramix"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mixload:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mixload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "", "SCIM base URL on a loopback address, e.g. http://127.0.0.1:8080/scim/v2")
	token := fs.String("token", os.Getenv("SCIMKIT_TOKEN"), "bearer token (default $SCIMKIT_TOKEN)")
	clients := fs.Int("clients", 16, "concurrent clients")
	duration := fs.Duration("duration", 20*time.Second, "how long to replay the mix (0: bounded by -steps only)")
	steps := fs.Int("steps", 0, "how many steps to replay at most (0: bounded by -duration only)")
	groups := fs.Int("groups", 4, "groups created for the member adds")
	seedUsers := fs.Int("seed-users", 0, "users to create first, unmeasured")
	seedGroups := fs.Int("seed-groups", 0, "groups to create first, unmeasured, holding the seeded users")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *duration <= 0 && *steps <= 0 {
		return errors.New("set -duration or -steps")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	d, err := entramix.NewDriver(ctx, entramix.Config{BaseURL: *base, Token: *token, Clients: *clients, Groups: *groups})
	if err != nil {
		return err
	}
	defer d.Close()
	if *seedUsers > 0 || *seedGroups > 0 {
		start := time.Now()
		if _, err := d.Seed(ctx, *seedUsers, *seedGroups); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "seeded %d users in %d groups in %s\n", *seedUsers, *seedGroups, time.Since(start).Round(time.Millisecond))
	}
	res, err := d.Run(ctx, *steps, *duration)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, res)
	if res.Errors > 0 {
		fmt.Fprintln(stdout, "first failures:")
		for _, s := range res.Samples {
			fmt.Fprintln(stdout, " ", s)
		}
		return fmt.Errorf("%d requests failed", res.Errors)
	}
	return nil
}
