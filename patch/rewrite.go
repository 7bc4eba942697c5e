package patch

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/scimkit/scimkit/internal/clip"
)

// Quirk names a non-RFC form Normalize rewrote. The Q-numbers refer to
// the quirk catalogue scimkit keeps of Entra's behaviour.
type Quirk string

// The quirks Normalize knows.
const (
	QuirkOpCase          Quirk = "op-case"            // Q1: "Replace" for "replace"
	QuirkStringBoolean   Quirk = "string-boolean"     // Q2: "True"/"False" for a boolean
	QuirkFlatKey         Quirk = "flat-key"           // Q3: path-less value keyed "name.givenName" or "urn:…:User:employeeNumber"
	QuirkBareValue       Quirk = "bare-value"         // Q5: manager (a complex attribute) sent as a bare id
	QuirkRemoveByValue   Quirk = "remove-by-value"    // Q6: remove with path "members" and a value array
	QuirkWrappedValue    Quirk = "wrapped-value"      // Q7: a single value wrapped in a one-element array
	QuirkUnwrappedMulti  Quirk = "unwrapped-multi"    // a single value for a multi-valued attribute
	QuirkRoleJSON        Quirk = "role-json"          // Q8: a role given as JSON inside a string
	QuirkSchemas         Quirk = "schemas"            // Q9: "schemas" missing the PatchOp URN or carrying others
	QuirkLegacyDot       Quirk = "legacy-dot"         // Q11: "urn:…:User.manager" for "urn:…:User:manager"
	QuirkEmptyOperations Quirk = "empty-operations"   // Q12: no operations at all
	QuirkReadOnlyInValue Quirk = "read-only-in-value" // Okta's id (or meta, schemas) inside a path-less value
	QuirkNullRef         Quirk = "null-ref"           // "$ref": null beside a value
	QuirkSchemaPath      Quirk = "schema-path"        // a schema URN as the path: the extension as a whole
)

// Rewrite is one change Normalize made, for the log line an admin reads.
type Rewrite struct {
	Quirk  Quirk
	Op     int    // index of the operation in the request as sent (-1: the request)
	Before string // what was sent (compact JSON, cut after MaxRewriteText bytes)
	After  string // what it became (likewise)
}

func (r Rewrite) String() string {
	return "op " + strconv.Itoa(r.Op) + " " + string(r.Quirk) + ": " + r.Before + " → " + r.After
}

// MaxRewriteText bounds Rewrite.Before and After: a longer rendering is cut
// after that many bytes and ends in "…", so a request cannot make a log
// line of its own size.
const MaxRewriteText = 96

func compact(v any) string {
	return clip.String(render(v), MaxRewriteText)
}

func render(v any) string {
	switch t := v.(type) {
	case bool:
		if t {
			return "true"
		}
		return "false"
	case string:
		plain := true
		for i := 0; i < len(t) && plain; i++ {
			c := t[i]
			plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
		}
		if plain {
			return `"` + t + `"`
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
