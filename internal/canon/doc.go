// Package canon brings attribute values to scimkit's canonical form and
// checks them against a resource type's schemas: what the Handler, the
// PATCH engine and the filter evaluator share and users never call.
//
// Canonicalize validates a POST or PUT body; CanonicalValue one value of
// one attribute (PATCH); MissingRequired and ChangedImmutable check a
// whole resource; SplitURN splits "urn:…:User:manager" into its schema and
// attribute; Bool and ParseDateTime read SCIM's booleans and dateTimes.
package canon
