// Package scimcheck proves that a live SCIM 2.0 endpoint works before
// Microsoft Entra ID (or Okta) tries it, and explains every failure in the
// words of Entra's provisioning log.
//
// Run makes the read-only checks: TLS (version, chain, trust, hostname,
// expiry), reachability and latency, Test Connection exactly as Entra
// sends it, the discovery endpoints, that every attribute of Entra's
// default mappings (and any attribute you name) appears in /Schemas, the
// shape of the 401 answered without a token, and excludedAttributes=members.
// With Config.Write it also replays the full provisioning cycles of Entra
// (default PATCH format and aadOptscim062020) and Okta, creating objects
// whose names carry Config.NamePrefix and deleting all of them at the end,
// also when ctx is cancelled.
//
// Each check gives a Result: PASS, FAIL, WARN or SKIP, with the exchange
// that failed, the provisioning-log code Entra would show for the answer
// and the fix in an operator's terms. The command cmd/scimcheck prints
// them; package scim/scimtest runs the same sequences (Replay) against an
// http.Handler inside a test, so "what Entra does" is written once.
//
// ExplainToken decodes a bearer token and says what an Entra-facing
// validator (entra.New) will think of it.
package scimcheck
