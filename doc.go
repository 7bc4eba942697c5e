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
//   - auth: who is calling — static secret tokens (Entra's Secret Token
//     field), each mapped to a tenant.
//   - store: the small Store interface the Handler persists through, and
//     store/memory, the embedded default.
//
// The shortest working program is examples/quickstart:
//
//	go run ./examples/quickstart
//
// This package itself holds no code; it documents the module.
package scimkit
