package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/store"
)

// deviceType is a resource type of the suite's own, as an application
// registers it (schema.Registry.AddResourceTypeJSON): a Device has a
// unique serialNumber compared case-insensitively, and its extension a
// unique assetTag compared exactly.
const deviceType = `{
  "resourceType": {"name": "Device", "endpoint": "/Devices", "description": "Device",
    "schema": "urn:scimkit:storetest:schemas:Device",
    "schemaExtensions": [{"schema": "urn:scimkit:storetest:schemas:extension:Asset", "required": false}]},
  "schemas": [
    {"id": "urn:scimkit:storetest:schemas:Device", "name": "Device", "attributes": [
      {"name": "serialNumber", "type": "string", "multiValued": false, "required": true, "caseExact": false,
       "mutability": "readWrite", "returned": "default", "uniqueness": "server"},
      {"name": "model", "type": "string", "multiValued": false, "required": false, "caseExact": false,
       "mutability": "readWrite", "returned": "default", "uniqueness": "none"}]},
    {"id": "urn:scimkit:storetest:schemas:extension:Asset", "name": "Asset", "attributes": [
      {"name": "assetTag", "type": "string", "multiValued": false, "required": false, "caseExact": true,
       "mutability": "readWrite", "returned": "default", "uniqueness": "server"}]}]}`

const (
	deviceTypeName = "Device"
	assetURN       = "urn:scimkit:storetest:schemas:extension:Asset"
	assetTagAttr   = assetURN + ":assetTag"
)

func newDevice(a attrs) *store.Resource { return newResource(deviceTypeName, a) }

func withAssetTag(serial, tag string) *store.Resource {
	return newDevice(attrs{"serialNumber": serial, assetURN: attrs{"assetTag": tag}})
}

func (s *suite) testCustomTypes(t *testing.T) {
	s.skipUnlessAnyType(t)
	t.Run("CRUD", func(t *testing.T) {
		e := s.env(t)
		in := newDevice(attrs{"serialNumber": "SN-1", "model": "X1"})
		d := e.create(t, in)
		checkWritten(t, "Create Device", in, d)
		checkWritten(t, "Get Device", in, e.get(t, deviceTypeName, d.ID))
		up := e.update(t, deviceTypeName, d.ID, setUpdate(attrs{"serialNumber": "SN-1", "model": "X2"}))
		if decode(t, up)["model"] != "X2" {
			t.Errorf("Update Device: %s", up.Attributes)
		}
		if ids := e.allIDs(t, deviceTypeName); len(ids) != 1 || ids[0] != d.ID {
			t.Errorf("List Device = %v", ids)
		}
		if err := e.s.Delete(e.ctx, deviceTypeName, d.ID, ""); err != nil {
			t.Fatalf("Delete Device: %v", err)
		}
		e.checkDeleted(t, d)
	})

	t.Run("unique attribute, case-insensitive", func(t *testing.T) {
		e := s.env(t)
		first := e.create(t, newDevice(attrs{"serialNumber": "Sn-Abc"}))
		for _, dup := range []string{"Sn-Abc", "sn-abc", "SN-ABC"} {
			_, err := e.s.Create(e.ctx, newDevice(attrs{"serialNumber": dup}))
			checkConflict(t, "Create Device "+dup, err, "serialNumber")
		}
		other := e.create(t, newDevice(attrs{"serialNumber": "other"}))
		_, err := e.s.Update(e.ctx, deviceTypeName, other.ID, "", setUpdate(attrs{"serialNumber": "SN-abc"}))
		checkConflict(t, "Update Device into a taken serialNumber", err, "serialNumber")
		e.checkUnchanged(t, "a conflicting Update", other)
		// Unique per type and per tenant: a user and another tenant's
		// device may hold the value.
		e.create(t, newUser(attrs{"userName": "sn-abc"}))
		mustCreate(t, e.tenant(tenantB), e.s, newDevice(attrs{"serialNumber": "SN-ABC"}))
		// Freed by a rename or a delete, the value is free again.
		e.update(t, deviceTypeName, first.ID, setUpdate(attrs{"serialNumber": "renamed"}))
		again := e.create(t, newDevice(attrs{"serialNumber": "sn-ABC"}))
		if err := e.s.Delete(e.ctx, deviceTypeName, again.ID, ""); err != nil {
			t.Fatal(err)
		}
		e.create(t, newDevice(attrs{"serialNumber": "SN-abc"}))
	})

	t.Run("unique extension attribute, case-exact", func(t *testing.T) {
		e := s.env(t)
		e.create(t, withAssetTag("d1", "AT-1"))
		e.create(t, withAssetTag("d2", "at-1")) // another case: another value
		_, err := e.s.Create(e.ctx, withAssetTag("d3", "AT-1"))
		checkConflict(t, "Create Device with a taken assetTag", err, assetTagAttr)
		e.create(t, newDevice(attrs{"serialNumber": "d4"})) // no assetTag: nothing to clash
		e.create(t, newDevice(attrs{"serialNumber": "d5"}))
	})

	t.Run("filter on a unique attribute", func(t *testing.T) {
		e := s.env(t)
		var want string
		for i := range 20 {
			d := e.create(t, withAssetTag(fmt.Sprintf("sn-%02d", i), fmt.Sprintf("AT-%02d", i)))
			if i == 7 {
				want = d.ID
			}
		}
		for _, f := range []string{
			`serialNumber eq "SN-07"`,
			`serialNumber eq "sn-07" and model pr or serialNumber eq "sn-07"`,
			assetTagAttr + ` eq "AT-07"`,
			`serialNumber eq "sn-07" and ` + assetTagAttr + ` eq "AT-07"`,
		} {
			got := e.all(t, deviceTypeName, store.Query{Filter: compileFilter(t, deviceTypeName, f), Count: 100})
			if len(got) != 1 || got[0].ID != want {
				t.Errorf("filter %s: %d devices, want device 7", f, len(got))
			}
		}
		for _, f := range []string{assetTagAttr + ` eq "at-07"`, `serialNumber eq "sn-07" and model eq "none"`, `serialNumber eq "sn-99"`} {
			if got := e.all(t, deviceTypeName, store.Query{Filter: compileFilter(t, deviceTypeName, f), Count: 100}); len(got) != 0 {
				t.Errorf("filter %s matched %d devices, want none", f, len(got))
			}
		}
	})

	t.Run("concurrent creates of one serialNumber", func(t *testing.T) {
		e := s.env(t)
		var wg sync.WaitGroup
		var mu sync.Mutex
		created, conflicts := 0, 0
		for i := range 16 {
			wg.Go(func() {
				_, err := e.s.Create(e.ctx, newDevice(attrs{"serialNumber": fmt.Sprintf("RACE-%c", "aA"[i%2])}))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					created++
				case isConflict(err):
					conflicts++
				default:
					t.Errorf("Create: %v", err)
				}
			})
		}
		wg.Wait()
		if created != 1 || conflicts != 15 {
			t.Errorf("16 concurrent creates of one serialNumber: %d created, %d conflicts; want 1 and 15", created, conflicts)
		}
	})
}

// skipUnlessAnyType skips t when the store answers a Device with
// store.ErrUnsupportedType: it persists only the types it models.
func (s *suite) skipUnlessAnyType(t *testing.T) {
	t.Helper()
	e := s.env(t)
	_, err := e.s.Create(e.ctx, newDevice(attrs{"serialNumber": "probe"}))
	if errors.Is(err, store.ErrUnsupportedType) {
		t.Skip("the store persists only the resource types it models (store.ErrUnsupportedType)")
	}
	if err != nil {
		t.Fatalf("Create Device: %v", err)
	}
}

func isConflict(err error) bool {
	var ce *store.ConflictError
	return errors.As(err, &ce)
}
