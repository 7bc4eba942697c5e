// Package scimkit turns any net/http service into a SCIM 2.0 endpoint that
// Microsoft Entra ID provisioning, Okta and any RFC 7643/7644 client
// provision without errors.
//
// The pieces:
//
//   - scim: the Handler — users, groups, discovery endpoints, filters,
//     paging, projection and RFC 7644 errors. Start here.
//   - scim/schema: the resource model (core User and Group, the enterprise
//     User extension, your own extensions).
//   - scim/scimtest: replays of Entra (both PATCH formats) and Okta to run
//     against your own Handler in your tests.
//   - patch: Entra and Okta PATCH quirks rewritten to RFC 7644, and the
//     RFC 7644 §3.5.2 engine.
//   - auth: who is calling — static secret tokens (Entra's Secret Token
//     field) and Entra-issued JWTs, each mapped to a tenant; auth/authtest
//     is a fake Entra issuer.
//   - store: the small Store interface the Handler persists through;
//     store/memory (the embedded default), store/sqlstore (PostgreSQL and
//     SQLite), and store/storetest, the suite any Store must pass.
//
// The shortest working program is examples/quickstart:
//
//	go run ./examples/quickstart
//
// This package itself holds no code; it documents the module.
package scimkit
