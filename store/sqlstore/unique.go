package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/scimkit/scimkit/store"
)

// uniqueJSON is how a resource's Unique values are kept in its row.
type uniqueJSON struct {
	Attribute string `json:"attribute"`
	Value     string `json:"value"`
	CaseExact bool   `json:"caseExact"`
}

func encodeUnique(us []store.Unique) string {
	if len(us) == 0 {
		return ""
	}
	out := make([]uniqueJSON, len(us))
	for i, u := range us {
		out[i] = uniqueJSON(u)
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func decodeUnique(s string) []store.Unique {
	if s == "" {
		return nil
	}
	var in []uniqueJSON
	_ = json.Unmarshal([]byte(s), &in)
	out := make([]store.Unique, len(in))
	for i, u := range in {
		out[i] = store.Unique(u)
	}
	return out
}

// claimUnique records r's unique values in scimkit_unique, whose primary
// key makes a second holder of a value fail: that is the uniqueness
// check, atomic across transactions and replicas. have are the values r
// holds already (an Update); only the others are claimed, and those of
// have that r no longer holds are released.
func (s *Store) claimUnique(ctx context.Context, tx *sql.Tx, tenant string, r *store.Resource, have []store.Unique) error {
	type slot struct{ attr, key string }
	keep := map[slot]bool{}
	for _, u := range r.Unique {
		keep[slot{u.Attribute, u.Key()}] = true
	}
	had := map[slot]bool{}
	for _, u := range have {
		k := slot{u.Attribute, u.Key()}
		had[k] = true
		if keep[k] {
			continue
		}
		if _, err := tx.ExecContext(ctx, s.sql(`DELETE FROM scimkit_unique WHERE tenant = ? AND type = ? AND attribute = ? AND key = ? AND id = ?`),
			tenant, r.Type, u.Attribute, s.d.indexKey(u.Key()), r.ID); err != nil {
			return fmt.Errorf("sqlstore: releasing %s of %s %s: %w", u.Attribute, r.Type, r.ID, err)
		}
	}
	for _, u := range r.Unique {
		if had[slot{u.Attribute, u.Key()}] {
			continue
		}
		if _, err := tx.ExecContext(ctx, s.sql(`INSERT INTO scimkit_unique (tenant, type, attribute, key, id) VALUES (?, ?, ?, ?, ?)`),
			tenant, r.Type, u.Attribute, s.d.indexKey(u.Key()), r.ID); err != nil {
			if s.d.isUnique(err) {
				return &store.ConflictError{Attribute: u.Attribute, Value: u.Value}
			}
			return fmt.Errorf("sqlstore: recording %s of %s %s: %w", u.Attribute, r.Type, r.ID, err)
		}
	}
	return nil
}

func encodeSchemas(s []string) string {
	if len(s) == 0 {
		return ""
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func decodeSchemas(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	_ = json.Unmarshal([]byte(s), &out)
	return out
}
