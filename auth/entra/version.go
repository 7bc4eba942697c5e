package entra

import "fmt"

// Version is the family of Entra tokens an Authenticator accepts: each
// has its own issuer and its own JWKS URL, so each Authenticator is
// configured with exactly one (use auth.Any to accept both).
type Version int

const (
	// V1 tokens are what Entra sends to a SCIM endpoint whose Secret Token
	// is blank: iss {IssuerHost}/{tenant}/ (default
	// https://sts.windows.net), keys at
	// {AuthorityHost}/{tenant}/discovery/keys.
	V1 Version = 1
	// V2 tokens are the client assertions of workload identity
	// federation: iss {IssuerHost}/{tenant}/v2.0 (default
	// https://login.microsoftonline.com), keys at
	// {AuthorityHost}/{tenant}/discovery/v2.0/keys.
	V2 Version = 2
)

func (v Version) String() string {
	switch v {
	case V1:
		return "v1"
	case V2:
		return "v2"
	}
	return fmt.Sprintf("Version(%d)", int(v))
}
