// Package schema is scimkit's resource model: the attribute definitions of
// RFC 7643 compiled for fast, case-insensitive lookup, the resource types
// (User, Group, and any of your own) with their extensions, and the
// Registry a Handler serves them and its discovery endpoints from.
//
// Definitions come from github.com/elimity-com/scim/schema, so any schema
// built with that package, or loaded from an RFC 7643 schema JSON document,
// can be registered:
//
//	reg := schema.NewRegistry()            // User, Group, enterprise User
//	err := reg.AddExtensionJSON("User", acmeSchemaJSON)
//	err = reg.AddResourceTypeJSON(deviceJSON) // a resource type of your own
//
// Attributes with uniqueness "server" are kept unique per tenant by every
// shipped store; scimkit's Group schema marks displayName so.
//
// A Registry is safe for concurrent reads once it is handed to a Handler;
// register everything before that.
package schema
