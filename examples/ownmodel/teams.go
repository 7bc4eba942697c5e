package main

import (
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/scimkit/scimkit/store"
)

// team is one row of the product's teams table: a SCIM group. Its members
// are rows of team_members (members.go).
type team struct {
	ID         string
	Tenant     string
	Name       string         // SCIM displayName
	ExternalID sql.NullString // SCIM externalId
	Extra      string         // every other attribute, as a JSON object
	Created    time.Time
	Updated    time.Time
	Revision   int64
}

const teamColumns = `id, tenant, name, external_id, scim_extra, created, updated, revision`

func (t *team) scan(row scanner) error {
	return row.Scan(&t.ID, &t.Tenant, &t.Name, &t.ExternalID, &t.Extra, &t.Created, &t.Updated, &t.Revision)
}

var errNoDisplayName = errors.New("ownmodel: a group needs a displayName")

// setFromSCIM maps the SCIM group r (but its members) onto t's columns.
func (t *team) setFromSCIM(r *store.Resource) error {
	o, err := parseObject(r.Attributes)
	if err != nil {
		return err
	}
	name := o.takeString("displayName")
	if !name.Valid {
		return errNoDisplayName
	}
	t.Name = name.String
	t.ExternalID = o.takeString("externalId")
	t.Extra = string(o.marshal())
	return nil
}

func (t *team) version() string { return strconv.FormatInt(t.Revision, 10) }

// nameKey is what the unique index on teams compares.
func (t *team) nameKey() string { return store.FoldKey(t.Name) }

// resource maps t and its members back to a SCIM group.
func (t *team) resource(members []store.Member) (*store.Resource, error) {
	o, err := parseObject([]byte(t.Extra))
	if err != nil {
		return nil, err
	}
	o.putString(sql.NullString{String: t.Name, Valid: true}, "displayName")
	o.putString(t.ExternalID, "externalId")
	return &store.Resource{
		Type:         store.Group,
		ID:           t.ID,
		Unique:       []store.Unique{{Attribute: "displayName", Value: t.Name}},
		Display:      t.Name,
		ExternalID:   t.ExternalID.String,
		Attributes:   o.marshal(),
		Schemas:      o.extensions(),
		Members:      members,
		Created:      t.Created,
		LastModified: t.Updated,
		Version:      t.version(),
	}, nil
}
