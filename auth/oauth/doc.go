// Package oauth is an OAuth 2.0 token endpoint for SCIM provisioning, and
// the Authenticator of the access tokens it issues: what Microsoft asks of
// an application listed in the Entra gallery, which may no longer
// authenticate provisioning with a long-lived secret token.
//
//	clients, _ := oauth.NewClients(oauth.Client{ID: "contoso", Tenant: "contoso",
//		Secrets: []oauth.Secret{{Hash: hash, Expires: in2Years}}})
//	srv, _ := oauth.NewServer(oauth.Config{Clients: clients,
//		Issuer: "https://scim.example.com", SigningKey: key})
//	mux.Handle("POST /oauth/token", srv)
//	h, _ := scim.NewHandler(scim.Config{Auth: srv.Authenticator(), …})
//
// # Token endpoint
//
// Server implements RFC 6749 §4.4 (client credentials) with the client
// authenticated by client_secret_basic or client_secret_post, or by an
// RFC 7523 client assertion (client_assertion_type
// urn:ietf:params:oauth:client-assertion-type:jwt-bearer): an Entra v2
// token, for workload identity federation, checked by an
// AssertionVerifier (an *entra.Authenticator with Version entra.V2) and
// then against the client's Federation (tenant, audience api://…,
// subject), its jti (or uti) remembered until it expires so that it is
// accepted once (per process: behind several replicas an assertion can be
// replayed at most once per replica, within its lifetime of about an hour). Input is a form-encoded body only, at most MaxBodyBytes,
// each parameter once. Responses are RFC 6749 §5.1/§5.2 JSON with
// Cache-Control: no-store; the error_description of a failed client
// authentication does not say why, the log (Warn, with the request's
// context) does.
//
// # Clients and secrets
//
// Each Client is bound to a tenant and has several secrets (rotation with
// overlap), each with an optional expiry (Microsoft asks for one to three
// years). Secrets are stored only as PBKDF2-HMAC-SHA256 hashes (600,000
// iterations, 16-byte salt) from the standard library's crypto/pbkdf2 and
// compared in constant time: no dependency, FIPS 140-3 approved, and the
// iteration count is stored per hash so it can be raised later. Argon2id
// (golang.org/x/crypto) is memory-hard, which matters for passwords people
// choose; client secrets are 32 random bytes (GenerateSecret), beyond any
// guessing, and the slow hash only protects a leaked clients file. Clients
// come from Go (NewClients) or from a JSON file (LoadClients); HashSecret or
// `go run ./auth/oauth/cmd/hashsecret` hash a secret so that no plaintext
// sits in a file. A client can be disabled (Client.Disabled,
// Clients.SetDisabled).
//
// Failed client authentications are rate-limited in process, per client
// id (of clients that exist) and per source address (IPv6 by /64), with
// bounded memory: a key may fail Burst times, then once per Every; over
// the limit the endpoint answers 429 without computing a hash. A client
// under attack is thus also refused for its right secret until its limit
// refills: the price of bounding guesses per client.
//
// # Access tokens
//
// Tokens are JWTs signed with HMAC-SHA256 under keys from configuration
// (Config.SigningKey, Config.VerifyingKeys, rotated by kid), with iss and
// aud this service, sub and client_id the client, tenant the client's
// tenant, a lifetime within Microsoft's 60 minutes to 6 hours (default 1
// hour). Every replica with the same configuration validates every
// replica's tokens without a shared store. HMAC because the verifier is
// the issuer: a public key would protect nothing more, and HMAC verifies
// in about a microsecond.
//
// Revocation: disabling a client or removing (or expiring) a secret stops
// new tokens at once. The Authenticator looks each token's client and
// secret up in the in-memory registry on every request, so the tokens
// already issued are refused at once by every replica whose registry has
// the change, and by the others when they reload it; at the latest, a
// token ends with its lifetime.
package oauth
