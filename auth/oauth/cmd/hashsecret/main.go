// Command hashsecret prints the hash of a client secret for the clients
// file of package auth/oauth, so that no plaintext secret sits in a file.
//
//	go run ./auth/oauth/cmd/hashsecret            # generates a secret, prints it and its hash
//	go run ./auth/oauth/cmd/hashsecret -stdin     # hashes the secret read from standard input
//
// Give the secret to the customer (Entra's Client Secret field) and put
// only the hash in the clients file.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/scimkit/scimkit/auth/oauth"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hashsecret:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("hashsecret", flag.ContinueOnError)
	fromStdin := fs.Bool("stdin", false, "hash the secret read from standard input (one line) instead of generating one")
	iterations := fs.Int("iterations", oauth.DefaultIterations, "PBKDF2-SHA256 iterations")
	if err := fs.Parse(args); err != nil {
		return err
	}
	secret := ""
	if *fromStdin {
		line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
		if err != nil && err != io.EOF {
			return err
		}
		secret = strings.TrimRight(line, "\r\n")
	} else {
		secret = oauth.GenerateSecret()
		fmt.Fprintf(stdout, "secret: %s\n", secret)
	}
	h, err := oauth.HashSecretCost(secret, *iterations)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "hash:   %s\n", h)
	return nil
}
