package scimcheck

import (
	"crypto/x509"
	"net/http"
	"time"
)

// Client is a provisioning client whose cycle Replay reproduces.
type Client string

// The clients.
const (
	Entra        Client = "entra"                   // Entra ID, default PATCH format
	EntraFlagged Client = "entra(aadOptscim062020)" // Entra ID with the aadOptscim062020 flag
	Okta         Client = "okta"                    // Okta's SCIM 2.0 client
)

// Config configures Run and Replay. URL is required; every other field
// has a useful zero value.
type Config struct {
	// URL is the Tenant URL an admin gives Entra, e.g.
	// https://scim.example.com/scim/v2; /Users, /Groups … are appended.
	// A query string (such as ?aadOptscim062020) is dropped.
	URL string

	// Token is sent as "Authorization: Bearer <Token>".
	Token string

	// HTTPClient sends the requests. Nil: a client that trusts RootCAs and
	// speaks TLS 1.2 or later, as Entra does.
	HTTPClient *http.Client

	// RootCAs are the CAs trusted by the TLS check (and by the default
	// HTTPClient). Nil: the system roots, like Entra's public CA list.
	RootCAs *x509.CertPool

	// Write adds the provisioning cycles of Clients to Run: it creates,
	// changes and deletes users and groups.
	Write bool

	// Clients are the cycles Run replays with Write. Nil: Entra,
	// EntraFlagged and Okta.
	Clients []Client

	// NamePrefix starts the userName and displayName of every object a
	// cycle creates (with a random run id after it), so they are easy to
	// recognise and are swept at the end. Empty: "scimcheck-".
	NamePrefix string

	// Attributes are checked in /Schemas besides Entra's default
	// mappings (DefaultAttributes), e.g. from ParseMapping.
	Attributes []Attribute

	// Timeout limits each request. Zero: 30 seconds.
	Timeout time.Duration

	// SlowRequest is the latency above which reachability warns. Zero: 3
	// seconds.
	SlowRequest time.Duration

	// Clock returns the current time (certificate expiry). Nil: time.Now.
	Clock func() time.Time

	// Progress, when set, is called with each result as soon as it is
	// known, and with Status "" and the name of each check when it starts.
	Progress func(Result)
}

func (c *Config) now() time.Time {
	if c.Clock != nil {
		return c.Clock()
	}
	return time.Now()
}

func (c *Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return 30 * time.Second
}

func (c *Config) slow() time.Duration {
	if c.SlowRequest > 0 {
		return c.SlowRequest
	}
	return 3 * time.Second
}

func (c *Config) clients() []Client {
	if c.Clients != nil {
		return c.Clients
	}
	return []Client{Entra, EntraFlagged, Okta}
}

func (c *Config) prefix() string {
	if c.NamePrefix != "" {
		return c.NamePrefix
	}
	return "scimcheck-"
}
