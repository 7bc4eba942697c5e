package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/scimkit/scimkit/store"
)

// columns are a resource row's columns (alias r), in scanResource's order;
// the refs column (refsSQL) follows them.
const columns = `r.id, r.unique_values, r.display_name, r.external_id, r.attributes, r.schemas, r.created_ns, r.modified_ns, r.version`

// refsSQL is the expression, in a statement reading resources of type typ
// as r, that brings each row's references along in the same statement: a
// group's members as [id, type, display] arrays, in the order they were
// added, or a user's groups as [id, displayName] arrays, in id order. It is
// NULL for other types.
func (d Dialect) refsSQL(typ string) string {
	switch {
	case typ == store.Group && d.name == "postgres":
		return `(SELECT json_agg(json_build_array(m.member_id, m.member_type, CASE WHEN m.display <> '' THEN m.display ELSE COALESCE(x.display_name, '') END) ORDER BY m.added_ns, m.member_id)::text
			FROM scimkit_members m LEFT JOIN scimkit_resources x ON x.tenant = m.tenant AND x.type = m.member_type AND x.id = m.member_id
			WHERE m.tenant = r.tenant AND m.group_id = r.id)`
	case typ == store.Group:
		return `(SELECT json_group_array(json_array(member_id, member_type, display)) FROM (
			SELECT m.member_id, m.member_type, CASE WHEN m.display <> '' THEN m.display ELSE COALESCE(x.display_name, '') END AS display
			FROM scimkit_members m LEFT JOIN scimkit_resources x ON x.tenant = m.tenant AND x.type = m.member_type AND x.id = m.member_id
			WHERE m.tenant = r.tenant AND m.group_id = r.id ORDER BY m.added_ns, m.member_id))`
	case typ == store.User && d.name == "postgres":
		return `(SELECT json_agg(json_build_array(g.id, g.display_name) ORDER BY g.id)::text
			FROM scimkit_members m JOIN scimkit_resources g ON g.tenant = m.tenant AND g.type = 'Group' AND g.id = m.group_id
			WHERE m.tenant = r.tenant AND m.member_id = r.id)`
	case typ == store.User:
		return `(SELECT json_group_array(json_array(id, display_name)) FROM (
			SELECT g.id, g.display_name
			FROM scimkit_members m JOIN scimkit_resources g ON g.tenant = m.tenant AND g.type = 'Group' AND g.id = m.group_id
			WHERE m.tenant = r.tenant AND m.member_id = r.id ORDER BY g.id))`
	}
	return `NULL`
}

// scanResource reads a row of columns and the refs column.
func scanResource(typ string, row interface{ Scan(...any) error }) (*store.Resource, error) {
	r := &store.Resource{Type: typ}
	var unique, attrs, schemas string
	var refs sql.NullString
	var created, modified, version int64
	if err := row.Scan(&r.ID, &unique, &r.Display, &r.ExternalID, &attrs, &schemas, &created, &modified, &version, &refs); err != nil {
		return nil, err
	}
	r.Unique = decodeUnique(unique)
	r.Attributes = json.RawMessage(attrs)
	r.Schemas = decodeSchemas(schemas)
	r.Created = time.Unix(0, created).UTC()
	r.LastModified = time.Unix(0, modified).UTC()
	r.Version = strconv.FormatInt(version, 10)
	if refs.Valid && refs.String != "" && refs.String != "[]" {
		var list [][]string
		if err := json.Unmarshal([]byte(refs.String), &list); err != nil {
			return nil, fmt.Errorf("reading the references of %s %s: %w", typ, r.ID, err)
		}
		for _, e := range list {
			switch {
			case typ == store.Group && len(e) == 3:
				r.Members = append(r.Members, store.Member{Value: e[0], Type: e[1], Display: e[2]})
			case typ == store.User && len(e) == 2:
				r.Groups = append(r.Groups, store.GroupRef{Value: e[0], Display: e[1]})
			}
		}
	}
	return r, nil
}

// load reads one resource with its members (groups) or groups (users), in
// one statement; lock takes the row lock until q's transaction ends.
func (s *Store) load(ctx context.Context, q querier, tenant, typ, id string, lock bool) (*store.Resource, error) {
	if !storable(id) {
		return nil, notFound(typ, id)
	}
	query := `SELECT ` + columns + `, ` + s.d.refsSQL(typ) + ` FROM scimkit_resources r WHERE r.tenant = ? AND r.type = ? AND r.id = ?`
	if lock {
		query += s.d.forUpdate
	}
	r, err := scanResource(typ, q.QueryRowContext(ctx, s.sql(query), tenant, typ, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(typ, id)
	}
	if err != nil {
		return nil, s.fault("reading "+typ+" "+id, err)
	}
	return r, nil
}

// Get implements store.Store: one statement.
func (s *Store) Get(ctx context.Context, typ, id string) (_ *store.Resource, err error) {
	defer s.classify(ctx, "Get", &err)
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkType(typ); err != nil {
		return nil, err
	}
	var r *store.Resource
	err = s.readAgain(ctx, func() (err error) {
		r, err = s.load(ctx, s.db, tenant, typ, id, false)
		return err
	})
	return r, err
}
