package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/store"
)

// wantEvents reports whether a write made with ctx works out its events:
// for the feed, or for store.Committed.
func (s *Store) wantEvents(ctx context.Context) bool {
	return s.feed.on || store.WantsCommitted(ctx)
}

// events returns the stamped events of the change from before to after,
// made at ns.
func (s *Store) events(ctx context.Context, ns int64, before, after *store.Resource) []store.Event {
	evs := store.Changes(before, after)
	store.StampEvents(ctx, time.Unix(0, ns).UTC(), evs)
	return evs
}

// feeding reports whether a write's events go into the feed.
func (s *Store) feeding(evs []store.Event) bool { return s.feed.on && len(evs) > 0 }

// committed reports the events of a write just committed: to this
// Store's waiting consumers, and to store.Committed.
func (s *Store) committed(ctx context.Context, evs []store.Event) {
	if s.feeding(evs) {
		s.feed.notify()
	}
	store.Committed(ctx, evs)
}

// feedRecord is an event as a write's statement receives it (a JSON
// array of them: one parameter, whatever the number of events).
type feedRecord struct {
	Ord       int    `json:"ord"`
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Type      string `json:"type"`
	RID       string `json:"rid"`
	Version   string `json:"version"`
	Paths     string `json:"paths"`
	Member    string `json:"member"`
	Before    string `json:"before"`
	After     string `json:"after"`
	Principal string `json:"principal"`
	Req       string `json:"req"`
}

type storedMember struct {
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Display string `json:"display,omitempty"`
}

// feedRecords encodes evs as the JSON array the statements read.
func (s *Store) feedRecords(evs []store.Event) string {
	recs := make([]feedRecord, len(evs))
	for i, e := range evs {
		recs[i] = s.feedRecord(e)
		recs[i].Ord = i + 1
	}
	b, _ := json.Marshal(recs)
	return string(b)
}

// feedRecord is e as the feed stores it.
func (s *Store) feedRecord(e store.Event) feedRecord {
	r := feedRecord{ID: e.ID, Kind: string(e.Kind), Type: e.Type, RID: e.ResourceID, Version: e.Version, Req: e.RequestID}
	if len(e.Paths) > 0 {
		b, _ := json.Marshal(e.Paths)
		r.Paths = string(b)
	}
	if e.Member != nil {
		b, _ := json.Marshal(storedMember(*e.Member))
		r.Member = string(b)
	}
	if s.feed.values {
		r.Before, r.After = string(e.Before), string(e.After)
	}
	r.Principal = s.principalJSON(e.Principal)
	return r
}

// principalJSON is p as the feed stores it ("" for none).
func (s *Store) principalJSON(p auth.Principal) string {
	if p == (auth.Principal{}) {
		return ""
	}
	b, _ := json.Marshal(storedPrincipal(p))
	return string(b)
}

// feedCTE is, in PostgreSQL, the CTEs that append a write's events: h
// bumps the tenant's head by the number of events — its row lock, held
// until the write commits, makes the tenant's writers take their Seqs in
// commit order — and notifies the consumers (pg_notify: delivered on
// commit); fe inserts the events. from, when not empty, is the FROM
// clause of h: the rows that say the write was made (no row: no events).
// With one, fe takes the one event's columns as parameters (most writes
// make one event; json_to_recordset costs PostgreSQL more than the
// insert). Its arguments are feedArgs.
func feedCTE(from string, one bool) string {
	if from != "" {
		from = " FROM " + from + " LIMIT 1"
	}
	rows := `?::text, h.seq - ?::bigint + e.ord, e.id, e.kind, e.type, e.rid, e.version, e.paths, e.member, e.before, e.after, e.principal, e.req, ?::bigint
		FROM h, json_to_recordset(?::text::json) AS e(ord bigint, id text, kind text, type text, rid text, version text, paths text, member text, before text, after text, principal text, req text)`
	if one {
		rows = `?::text, h.seq, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text, ?::bigint FROM h`
	}
	return `h AS (
		INSERT INTO scimkit_feed_heads (tenant, seq) SELECT ?::text, ?::bigint` + from + `
		ON CONFLICT (tenant) DO UPDATE SET seq = scimkit_feed_heads.seq + excluded.seq
		RETURNING seq, pg_notify('` + feedChannel + `', tenant)),
	fe AS (
		INSERT INTO scimkit_feed (tenant, seq, id, kind, type, resource_id, version, paths, member, before_doc, after_doc, principal, request_id, time_ns)
		SELECT ` + rows + `)`
}

// feedStatements is a PostgreSQL statement with feedCTE in it, for one
// event and for several.
type feedStatements [2]string

// newFeedStatements builds the statements stmt(feedCTE(from, one)).
func newFeedStatements(from string, stmt func(cte string) string) feedStatements {
	return feedStatements{stmt(feedCTE(from, false)), stmt(feedCTE(from, true))}
}

// For is the statement for evs.
func (f feedStatements) For(evs []store.Event) string {
	if len(evs) == 1 {
		return f[1]
	}
	return f[0]
}

// feedArgs are the arguments of feedCTE (with one when evs holds one
// event).
func (s *Store) feedArgs(tenant string, ns int64, evs []store.Event) []any {
	n := int64(len(evs))
	if n != 1 {
		return []any{tenant, n, tenant, n, ns, s.feedRecords(evs)}
	}
	r := s.feedRecord(evs[0])
	return []any{tenant, n, tenant, r.ID, r.Kind, r.Type, r.RID, r.Version, r.Paths, r.Member, r.Before, r.After, r.Principal, r.Req, ns}
}

// appendFeedSQL appends events on their own (PostgreSQL).
var appendFeedSQL = newFeedStatements("", func(cte string) string { return `WITH ` + cte + ` SELECT 1` })

// appendEvents inserts evs, made at ns, into the feed within q's
// transaction: one statement in PostgreSQL, two in SQLite (whose single
// writer orders the Seqs by itself).
func (s *Store) appendEvents(ctx context.Context, q querier, tenant string, ns int64, evs []store.Event) error {
	if !s.feeding(evs) {
		return nil
	}
	if s.d.name == "postgres" {
		if _, err := q.ExecContext(ctx, s.sql(appendFeedSQL.For(evs)), s.feedArgs(tenant, ns, evs)...); err != nil {
			return fmt.Errorf("sqlstore: appending %d events: %w", len(evs), err)
		}
		return nil
	}
	var head int64
	n := int64(len(evs))
	if err := q.QueryRowContext(ctx, s.sql(`INSERT INTO scimkit_feed_heads (tenant, seq) VALUES (?, ?)
		ON CONFLICT (tenant) DO UPDATE SET seq = scimkit_feed_heads.seq + excluded.seq RETURNING seq`), tenant, n).Scan(&head); err != nil {
		return fmt.Errorf("sqlstore: appending %d events: %w", len(evs), err)
	}
	if _, err := q.ExecContext(ctx, s.sql(`INSERT INTO scimkit_feed (tenant, seq, id, kind, type, resource_id, version, paths, member, before_doc, after_doc, principal, request_id, time_ns)
		SELECT ?, ? + json_extract(e.value, '$.ord'), json_extract(e.value, '$.id'), json_extract(e.value, '$.kind'), json_extract(e.value, '$.type'),
			json_extract(e.value, '$.rid'), json_extract(e.value, '$.version'), json_extract(e.value, '$.paths'), json_extract(e.value, '$.member'),
			json_extract(e.value, '$.before'), json_extract(e.value, '$.after'), json_extract(e.value, '$.principal'), json_extract(e.value, '$.req'), ?
		FROM json_each(?) e`), tenant, head-n, ns, s.feedRecords(evs)); err != nil {
		return fmt.Errorf("sqlstore: appending %d events: %w", len(evs), err)
	}
	return nil
}
