package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/scimkit/scimkit/store"
)

// Create implements store.Store. In PostgreSQL a user (or any resource
// without members) is one statement: the row and its unique values are
// inserted together, and the answer is built from what was written, not
// read back. A group with members, and every create in SQLite, is one
// transaction.
func (s *Store) Create(ctx context.Context, r *store.Resource) (_ *store.Resource, err error) {
	defer s.classify(ctx, "Create", &err)
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkType(r.Type); err != nil {
		return nil, err
	}
	out := &store.Resource{
		Type: r.Type, ID: store.NewID(), Unique: slices.Clone(r.Unique), Display: r.Display, ExternalID: r.ExternalID,
		Attributes: slices.Clone(r.Attributes), Schemas: slices.Clone(r.Schemas), Version: "1",
	}
	ins := func(q querier, ns int64) error {
		_, err := q.ExecContext(ctx, s.sql(`INSERT INTO scimkit_resources
			(tenant, type, id, unique_key, unique_values, user_name, display_name, external_id, attributes, schemas, created_ns, modified_ns, version)
			VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, 1)`),
			tenant, r.Type, out.ID, encodeUnique(r.Unique), r.UniqueValue("userName"), r.Display, r.ExternalID, string(r.Attributes), encodeSchemas(r.Schemas), ns, ns)
		return err
	}
	stamped := func(ns int64) {
		out.Created = time.Unix(0, ns).UTC()
		out.LastModified = out.Created
	}
	want := s.wantEvents(ctx)
	var evs []store.Event
	if s.d.name == "postgres" && len(r.Members) == 0 {
		err := s.retry(ctx, func() error {
			ns := s.stamp()
			stamped(ns)
			args := []any{tenant, r.Type, out.ID, s.uniqueKeys(r.Unique),
				tenant, r.Type, out.ID, encodeUnique(r.Unique), r.UniqueValue("userName"), r.Display, r.ExternalID, string(r.Attributes), encodeSchemas(r.Schemas), ns, ns}
			q := createSQL
			if want {
				evs = s.events(ctx, ns, nil, out)
			}
			if s.feeding(evs) {
				q = createFeedSQL.For(evs)
				args = append(args, s.feedArgs(tenant, ns, evs)...)
			}
			_, err := s.db.ExecContext(ctx, s.sql(q), args...)
			return err
		})
		if err != nil {
			if s.d.isUnique(err) {
				return nil, s.conflict(ctx, s.db, tenant, r.Type, r.Unique)
			}
			return nil, s.fault("creating "+r.Type, commitFailed(err)) // one statement: its own commit
		}
		if want {
			s.committed(ctx, evs)
		}
		return out, nil
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		members, err := s.resolveMembers(ctx, tx, tenant, r.Members)
		if err != nil {
			return err
		}
		ns := s.stamp()
		if err := ins(tx, ns); err != nil {
			return s.fault("creating "+r.Type, err)
		}
		if err := s.claimUnique(ctx, tx, tenant, out, nil); err != nil {
			return err
		}
		if err := s.addMembers(ctx, tx, tenant, out.ID, members); err != nil {
			return err
		}
		stamped(ns)
		out.Members = shownMembers(members)
		if want {
			evs = s.events(ctx, ns, nil, out)
			if err := s.appendEvents(ctx, tx, tenant, ns, evs); err != nil {
				return s.fault("creating "+r.Type, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if want {
		s.committed(ctx, evs)
	}
	return out, nil
}

// createSQL inserts a resource and its unique values in one PostgreSQL
// statement.
const createSQL = `WITH u AS (
		INSERT INTO scimkit_unique (tenant, type, attribute, key, id)
		SELECT ?, ?, x.attribute, x.key, ? FROM json_to_recordset(?::text::json) AS x(attribute text, key text))
	INSERT INTO scimkit_resources
	(tenant, type, id, unique_key, unique_values, user_name, display_name, external_id, attributes, schemas, created_ns, modified_ns, version)
	VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, 1)`

// createFeedSQL is createSQL appending the events (feedCTE) in the same
// statement, after the rows are written: the tenant's head is locked
// last, so no writer holding it waits for a lock another one holds.
var createFeedSQL = newFeedStatements("r, (SELECT count(*) FROM u) uc", func(cte string) string {
	return `WITH u AS (
		INSERT INTO scimkit_unique (tenant, type, attribute, key, id)
		SELECT ?, ?, x.attribute, x.key, ? FROM json_to_recordset(?::text::json) AS x(attribute text, key text)
		RETURNING 1),
	r AS (
		INSERT INTO scimkit_resources
		(tenant, type, id, unique_key, unique_values, user_name, display_name, external_id, attributes, schemas, created_ns, modified_ns, version)
		VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, 1)
		RETURNING 1),
	` + cte + `
	SELECT 1`
})

// shownMembers is how resolved members read back: the display they were
// given, else the member's own.
func shownMembers(ms []resolved) []store.Member {
	if len(ms) == 0 {
		return nil
	}
	out := make([]store.Member, len(ms))
	for i, m := range ms {
		out[i] = m.Member
		if out[i].Display == "" {
			out[i].Display = m.derived
		}
	}
	return out
}

// uniqueKeys is the JSON array of {attribute, key} records of us, as
// scimkit_unique holds them.
func (s *Store) uniqueKeys(us []store.Unique) string {
	type rec struct {
		Attribute string `json:"attribute"`
		Key       string `json:"key"`
	}
	out := make([]rec, len(us))
	for i, u := range us {
		out[i] = rec{u.Attribute, s.d.indexKey(u.Key())}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// conflict finds which of us another resource holds, after the database
// refused one of them.
func (s *Store) conflict(ctx context.Context, q querier, tenant, typ string, us []store.Unique) error {
	for _, u := range us {
		var holder string
		err := q.QueryRowContext(ctx, s.sql(`SELECT id FROM scimkit_unique WHERE tenant = ? AND type = ? AND attribute = ? AND key = ?`),
			tenant, typ, u.Attribute, s.d.indexKey(u.Key())).Scan(&holder)
		if err == nil {
			return &store.ConflictError{Attribute: u.Attribute, Value: u.Value}
		}
	}
	if len(us) > 0 {
		return &store.ConflictError{Attribute: us[0].Attribute, Value: us[0].Value}
	}
	return fmt.Errorf("%w: %s", store.ErrConflict, typ)
}

// retry runs a statement outside a transaction again when the database
// aborted it for a deadlock or a serialisation failure.
func (s *Store) retry(ctx context.Context, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt == 5 || !s.d.retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt*attempt) * time.Millisecond)
	}
}
