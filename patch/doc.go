// Package patch implements SCIM PATCH (RFC 7644 §3.5.2) the way real
// provisioning clients send it.
//
// Normalize turns what Microsoft Entra ID (both its default format and the
// aadOptscim062020 one — the same tenant can send both), Okta and RFC
// clients send into RFC form, driven by the resource's schema, and reports
// every rewrite it made: capitalised ops, "True"/"False" strings for
// booleans, path-less values with dotted or URN-qualified keys, manager
// sent as a bare id, single values wrapped in arrays, roles as JSON inside
// a string, members removed by a value array, and so on. Apply then runs
// the operations on a resource's attributes, all or none.
//
//	req, err := patch.Parse(body)
//	req, rewrites, err := patch.Normalize(req, rt, patch.Compat{})
//	changed, err := patch.Apply(attrs, req.Operations, rt, patch.Compat{}, patch.Limits{})
//
// Errors are *Error values carrying the RFC 7644 scimType (invalidSyntax,
// invalidPath, invalidValue, noTarget, mutability).
package patch
