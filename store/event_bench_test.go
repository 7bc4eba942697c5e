package store_test

import (
	"encoding/json"
	"testing"

	"github.com/scimkit/scimkit/store"
)

// An Entra user as the Handler stores it, before and after Entra's
// disable PATCH.
const (
	benchUserBefore = `{"userName":"ada.lovelace@contoso.com","externalId":"2a7f1c9e-4a51-4e0e-9c7a-1f3b8e2d6c40","active":true,"displayName":"Ada Lovelace","title":"Countess","preferredLanguage":"en-GB","name":{"formatted":"Ada Lovelace","familyName":"Lovelace","givenName":"Ada"},"emails":[{"value":"ada.lovelace@contoso.com","type":"work","primary":true}],"addresses":[{"type":"work","streetAddress":"12 St James's Square","locality":"London","postalCode":"SW1Y 4JH","country":"GB","primary":true}],"phoneNumbers":[{"value":"+44 20 7946 0000","type":"work"},{"value":"+44 7700 900000","type":"mobile"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1815","department":"Analytical Engines","costCenter":"CC-42","organization":"Contoso","manager":{"value":"b3c4d5e6-0000-4000-8000-000000000001"}}}`
	benchUserAfter  = `{"userName":"ada.lovelace@contoso.com","externalId":"2a7f1c9e-4a51-4e0e-9c7a-1f3b8e2d6c40","active":false,"displayName":"Ada Lovelace","title":"Countess","preferredLanguage":"en-GB","name":{"formatted":"Ada Lovelace","familyName":"Lovelace","givenName":"Ada"},"emails":[{"value":"ada.lovelace@contoso.com","type":"work","primary":true}],"addresses":[{"type":"work","streetAddress":"12 St James's Square","locality":"London","postalCode":"SW1Y 4JH","country":"GB","primary":true}],"phoneNumbers":[{"value":"+44 20 7946 0000","type":"work"},{"value":"+44 7700 900000","type":"mobile"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1815","department":"Analytical Engines","costCenter":"CC-42","organization":"Contoso","manager":{"value":"b3c4d5e6-0000-4000-8000-000000000001"}}}`
)

func BenchmarkChanges(b *testing.B) {
	before := &store.Resource{Type: store.User, ID: "u", Version: "1", Attributes: json.RawMessage(benchUserBefore)}
	after := &store.Resource{Type: store.User, ID: "u", Version: "2", Attributes: json.RawMessage(benchUserAfter)}
	b.ReportAllocs()
	for b.Loop() {
		evs := store.Changes(before, after)
		if len(evs) != 1 || evs[0].Kind != store.Deactivated {
			b.Fatal(evs)
		}
	}
}

// benchStoredBefore is an Entra user as PostgreSQL's jsonb gives it back
// (keys reordered, spaced), and benchWrittenAfter the same user with a
// new title as a PATCH writes it: no member is equal byte for byte.
const (
	benchStoredBefore = `{"name": {"formatted": "Jane Doe", "givenName": "Jane", "familyName": "Doe"}, "title": "Engineer", "active": true, "emails": [{"type": "work", "value": "jdoe1@contoso.com", "primary": true}], "userName": "jdoe1@contoso.com", "addresses": [{"type": "work", "region": "WA", "country": "US", "primary": false, "locality": "Redmond", "formatted": "Bldg 1", "postalCode": "98052", "streetAddress": "1 Main St"}], "externalId": "jdoe1", "displayName": "Jane Doe", "phoneNumbers": [{"type": "work", "value": "+1 425 555 0100"}, {"type": "mobile", "value": "+1 425 555 0101"}], "preferredLanguage": "en-US", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tour Operations", "employeeNumber": "701984"}}`
	benchWrittenAfter = `{"active":true,"addresses":[{"country":"US","formatted":"Bldg 1","locality":"Redmond","postalCode":"98052","primary":false,"region":"WA","streetAddress":"1 Main St","type":"work"}],"displayName":"Jane Doe","emails":[{"primary":true,"type":"work","value":"jdoe1@contoso.com"}],"externalId":"jdoe1","name":{"familyName":"Doe","formatted":"Jane Doe","givenName":"Jane"},"phoneNumbers":[{"type":"work","value":"+1 425 555 0100"},{"type":"mobile","value":"+1 425 555 0101"}],"preferredLanguage":"en-US","title":"Engineer 2","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tour Operations","employeeNumber":"701984"},"userName":"jdoe1@contoso.com"}`
)

// BenchmarkChangesStoredForm: the diff of a PATCH on PostgreSQL, whose
// before document comes back from jsonb reordered and spaced.
func BenchmarkChangesStoredForm(b *testing.B) {
	before := &store.Resource{Type: store.User, ID: "u", Version: "1", Attributes: json.RawMessage(benchStoredBefore)}
	after := &store.Resource{Type: store.User, ID: "u", Version: "2", Attributes: json.RawMessage(benchWrittenAfter)}
	b.ReportAllocs()
	for b.Loop() {
		evs := store.Changes(before, after)
		if len(evs) != 1 || evs[0].Kind != store.Updated || len(evs[0].Paths) != 1 || evs[0].Paths[0] != "title" {
			b.Fatal(evs)
		}
	}
}

// BenchmarkParseFloor: one json.Unmarshal of the user into a map of raw
// values, the least any diff must do per document.
func BenchmarkParseFloor(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(benchUserBefore), &m); err != nil {
			b.Fatal(err)
		}
	}
}
