package entra

import (
	"context"

	"github.com/scimkit/scimkit/auth/oauth"
)

// VerifyAssertion verifies a client assertion for an OAuth token
// endpoint (workload identity federation), as Verify does, and returns
// what the endpoint matches against its clients: it makes an
// Authenticator of Version V2 an oauth.AssertionVerifier.
func (e *Authenticator) VerifyAssertion(ctx context.Context, assertion string) (oauth.Assertion, error) {
	t, err := e.Verify(ctx, assertion)
	if err != nil {
		return oauth.Assertion{}, err
	}
	return oauth.Assertion{Tenant: t.Tenant, Subject: t.Subject, Audience: t.Audience, ID: t.ID, Expiry: t.Expiry}, nil
}

var _ oauth.AssertionVerifier = (*Authenticator)(nil)
