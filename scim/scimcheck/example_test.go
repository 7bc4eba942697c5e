package scimcheck_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/scimkit/scimkit/scim/scimcheck"
)

// Check a deployment before giving its URL to Entra, and fail a CI job
// when a check fails.
func ExampleRun() {
	rep, err := scimcheck.Run(context.Background(), scimcheck.Config{
		URL:   "https://scim.example.com/scim/v2",
		Token: os.Getenv("SCIM_TOKEN"),
		Write: true, // also replay Entra's and Okta's provisioning cycles
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Status == scimcheck.Fail {
			fmt.Printf("%s %s: %s (Entra logs %s)\n  fix: %s\n", r.Client, r.Check, r.Message, r.EntraCode, r.Fix)
		}
	}
	if rep.Failed() {
		os.Exit(1)
	}
}

func ExampleParseMapping() {
	attrs, err := scimcheck.ParseMapping([]byte(`userName
urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:tag
Group displayName
`))
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range attrs {
		fmt.Println(a)
	}
	// Output:
	// User userName
	// User urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:tag
	// Group displayName
}
