package patch

import "github.com/scimkit/scimkit/scim/schema"

// ApplyScanning is Apply with every value filter scanning its attribute's
// elements, no index: the reference the indexes are held to.
func ApplyScanning(attrs map[string]any, ops []Operation, rt *schema.ResourceType, c Compat, lim Limits) (bool, error) {
	return apply(attrs, ops, rt, c, lim, false)
}
