package main

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

const enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// account is one row of the product's accounts table. The product's code
// reads these columns; SCIM users are mapped onto them here, and only
// here.
type account struct {
	ID          string
	Tenant      string
	UserName    string         // the login; SCIM userName
	ExternalID  sql.NullString // the identity provider's id for the person; SCIM externalId
	DisplayName sql.NullString // SCIM displayName
	GivenName   sql.NullString // SCIM name.givenName
	FamilyName  sql.NullString // SCIM name.familyName
	Email       sql.NullString // a copy of the primary (else first) of SCIM emails
	Active      sql.NullBool   // SCIM active; NULL (never sent) counts as active
	ManagerID   sql.NullString // SCIM enterprise extension's manager.value
	Extra       string         // every other attribute, as a JSON object
	Created     time.Time
	Updated     time.Time
	Revision    int64 // the SCIM version (ETag); +1 on every write
}

// The columns, in the order scan reads them.
const accountColumns = `id, tenant, user_name, external_id, display_name, given_name, family_name, email, active, manager_id, scim_extra, created, updated, revision`

type scanner interface{ Scan(dest ...any) error }

func (a *account) scan(row scanner) error {
	return row.Scan(&a.ID, &a.Tenant, &a.UserName, &a.ExternalID, &a.DisplayName, &a.GivenName,
		&a.FamilyName, &a.Email, &a.Active, &a.ManagerID, &a.Extra, &a.Created, &a.Updated, &a.Revision)
}

// isActive is how the product reads the active column.
func (a *account) isActive() bool { return !a.Active.Valid || a.Active.Bool }

// errNoUserName: the login column needs a userName it can hold (not one
// with a NUL or a lone UTF-16 surrogate).
// It is a *scim.Error, so the Handler answers it as it is: 400
// invalidValue, not a 500.
var errNoUserName error = &scim.Error{Status: http.StatusBadRequest, ScimType: scim.InvalidValue, Detail: "userName must not contain NUL or invalid UTF-8: the accounts table cannot hold it"}

// setFromSCIM maps the SCIM user r onto a's columns, keeping a's ID,
// tenant and timestamps.
func (a *account) setFromSCIM(r *store.Resource) error {
	o, err := parseObject(r.Attributes)
	if err != nil {
		return err
	}
	a.Email = o.firstEmail() // a copy: read before emails could be taken
	userName := o.takeString("userName")
	if !userName.Valid {
		return errNoUserName
	}
	a.UserName = userName.String
	a.ExternalID = o.takeString("externalId")
	a.DisplayName = o.takeString("displayName")
	a.GivenName = o.takeString("name", "givenName")
	a.FamilyName = o.takeString("name", "familyName")
	a.Active = o.takeBool("active")
	a.ManagerID = o.takeString(enterpriseURN, "manager", "value")
	a.Extra = string(o.marshal())
	return nil
}

// userNameKey is what the unique index on accounts compares: the login,
// case-folded as SCIM's case-insensitive userName compares.
func (a *account) userNameKey() string { return store.FoldKey(a.UserName) }

// resource maps a back to a SCIM user. groups are the teams it is a
// direct member of.
func (a *account) resource(groups []store.GroupRef) (*store.Resource, error) {
	o, err := parseObject([]byte(a.Extra))
	if err != nil {
		return nil, err
	}
	o.putString(sql.NullString{String: a.UserName, Valid: true}, "userName")
	o.putString(a.ExternalID, "externalId")
	o.putString(a.DisplayName, "displayName")
	o.putString(a.GivenName, "name", "givenName")
	o.putString(a.FamilyName, "name", "familyName")
	o.putBool(a.Active, "active")
	o.putString(a.ManagerID, enterpriseURN, "manager", "value")
	r := &store.Resource{
		Type:         store.User,
		ID:           a.ID,
		Unique:       []store.Unique{{Attribute: "userName", Value: a.UserName}},
		Display:      a.UserName,
		ExternalID:   a.ExternalID.String,
		Attributes:   o.marshal(),
		Schemas:      o.extensions(),
		Groups:       groups,
		Created:      a.Created,
		LastModified: a.Updated,
		Version:      strconv.FormatInt(a.Revision, 10),
	}
	if a.DisplayName.Valid && a.DisplayName.String != "" {
		r.Display = a.DisplayName.String
	}
	return r, nil
}

// isActive reports whether r's attributes say active (absent: active).
func isActive(r *store.Resource) bool {
	var v struct {
		Active *bool `json:"active"`
	}
	if json.Unmarshal(r.Attributes, &v) != nil || v.Active == nil {
		return true
	}
	return *v.Active
}
