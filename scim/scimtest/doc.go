// Package scimtest replays real provisioning clients against any SCIM
// http.Handler, in the spirit of net/http/httptest and testing/fstest.
//
// Each replay is the sequence of requests the client really sends — with
// its exact bodies, quirks included — checked the way the client checks
// the answers, and reported step by step like a provisioning log line:
//
//	func TestEntraProvisioning(t *testing.T) {
//		h := newMyHandler(t) // your scim.Handler over your own Store
//		scimtest.Entra(t, h, scimtest.Options{Token: "test-token"})
//	}
//
// The sequences are those of package scimcheck (which the scimcheck
// command runs against live endpoints): one source of truth for what each
// client sends. Entra replays Microsoft Entra ID in its default PATCH format,
// EntraFlagged the aadOptscim062020 format (one tenant can send both),
// and Okta Okta's SCIM 2.0 client. Each creates its own users and groups
// with random names and deletes what it created.
package scimtest
