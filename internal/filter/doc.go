// Package filter parses SCIM filters (RFC 7644 §3.4.2.2) into the AST of
// github.com/scim2/filter-parser/v2.
//
// It replaces that module's parser on scimkit's request path: the upstream
// parser costs about 0.1 ms and 2,000 allocations a filter, leaves string
// escapes undecoded ("a\"b" stays a\"b), rejects \u escapes, and reports
// errors without a usable position. This one yields the same AST (a
// differential fuzz target checks it against upstream), plus:
//
//   - Entra's non-RFC form emails[type eq "work"].value eq "x", parsed as
//     emails[type eq "work" and value eq "x"];
//   - unquoted values (userName eq bjensen), taken as strings unless they
//     read as true, false, null or a number — old Entra docs and
//     Microsoft's reference tests send them;
//   - errors of type *SyntaxError giving the byte offset and what was
//     expected there.
package filter
