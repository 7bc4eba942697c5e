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
// The Handler serves /Users, /Groups and the endpoint of every resource
// type registered in Config.Schemas (each with /{id} and /.search), the
// root /.search across them, /Bulk, /ServiceProviderConfig, /Schemas and
// /ResourceTypes, with resource names matched case-insensitively, a
// trailing slash tolerated and unknown query parameters (Entra's
// aadOptscim062020) ignored. /Me answers 501.
//
// Lists page by startIndex (RFC 7644 §3.4.2.4, the default) or, over a
// Store that implements store.CursorPager, by cursor (RFC 9865): a cursor
// parameter, empty for the first page, and the response's nextCursor for
// the next, on an endpoint, its /.search and the root /.search alike. A
// cursor is a position (the sort key and creation order of the last
// resource sent), so a walk stays exact while resources are created and
// deleted; cursors do not expire. cursor with startIndex is 400
// invalidValue, a cursor that is garbage or was made for another resource
// type, sortBy or sortOrder 400 invalidCursor, and a cursor over a Store
// that does not page by cursor 501. /ServiceProviderConfig advertises both
// in its pagination object.
//
// In production set Config.BaseURL to the public URL clients reach: the
// URLs in responses (meta.location, Location, $ref) are built from it.
// Without it they are built from each request's Host header, for that
// request's own response only; no URL is ever stored.
//
// What it absorbs for you: string booleans ("True"), values wrapped in or
// missing arrays, manager sent as a bare id, extension data whose URN is
// missing from "schemas", unknown attributes (dropped unless
// Config.StrictAttributes), filters in Entra's non-RFC forms, and
// case-insensitive attribute names everywhere. Every failure is an RFC 7644
// §3.12 error body with the status as a string; a panic becomes a logged
// 500 and the server keeps serving.
//
// What it refuses, whoever holds a token: Config.Limits is the cost model
// (body, resource and response sizes, values per attribute, attributes
// items, PATCH operations, and the work of filters and PATCH value
// filters), so that no request costs more than linear in its own size; a
// query string it cannot read whole is 400, never a silently dropped
// filter. Attributes whose returned characteristic is "never" (password)
// are accepted and dropped on every write: never stored, returned,
// filtered or sorted on. 401s are logged once a minute per source, with
// the count of the others.
//
// Every request carries its authenticated auth.Principal
// (auth.PrincipalFrom) and a request id (store.RequestID: the client's
// X-Request-ID when it is a sane one, else a new one, echoed in the
// response's X-Request-ID) in the context the Store and Hooks get.
// Config.Hooks sees every write before it is stored (and may refuse it)
// and after it is committed, with what it means as store.Events; a Store
// that is a store.Feed keeps the same events durably for consumers.
package scim
