// Package scim turns a store.Store into a SCIM 2.0 endpoint (RFC 7643 and
// RFC 7644) that Microsoft Entra ID provisioning, Okta and any RFC client
// provision without errors.
//
// Build one Handler and mount it next to your own routes:
//
//	h, err := scim.NewHandler(scim.Config{
//		Store: memory.New(),
//		Auth:  auth.StaticTokens(auth.Token{Secret: secret, Tenant: "acme"}),
//	})
//	if err != nil { … }
//	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
//
// The Handler serves /Users, /Users/{id}, /Groups, /Groups/{id},
// /ServiceProviderConfig, /Schemas, /Schemas/{id}, /ResourceTypes and
// /ResourceTypes/{name}, with resource names matched case-insensitively, a
// trailing slash tolerated and unknown query parameters (Entra's
// aadOptscim062020) ignored.
//
// What it absorbs for you: string booleans ("True"), values wrapped in or
// missing arrays, manager sent as a bare id, extension data whose URN is
// missing from "schemas", unknown attributes (dropped unless
// Config.StrictAttributes), filters in Entra's non-RFC forms, and
// case-insensitive attribute names everywhere. Every failure is an RFC 7644
// §3.12 error body with the status as a string; a panic becomes a logged
// 500 and the server keeps serving.
package scim
