package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/scimkit/scimkit/auth"
	"github.com/scimkit/scimkit/store"
)

// feedChannel is the PostgreSQL NOTIFY channel of the feed (prefixed as
// the tables are).
const feedChannel = "scimkit_feed"

// Claim implements store.Feed: it leases the next events of one tenant
// that consumer has not acknowledged, choosing among the tenants whose
// lease is free the one claimed least recently. In PostgreSQL the
// consumer's row is taken FOR UPDATE SKIP LOCKED, so replicas never wait
// for each other nor take the same tenant.
func (s *Store) Claim(ctx context.Context, consumer string, max int, lease time.Duration) (_ *store.Batch, err error) {
	defer s.classify(ctx, "Claim", &err)
	if !s.feed.on {
		return nil, fmt.Errorf("sqlstore: %w (Config.Feed.Enabled)", store.ErrNoFeed)
	}
	if consumer == "" || !storable(consumer) {
		return nil, fmt.Errorf("sqlstore: consumer name %q: want a name", consumer)
	}
	if max <= 0 {
		return nil, fmt.Errorf("sqlstore: Claim of %d events: want at least one", max)
	}
	if lease <= 0 {
		return nil, fmt.Errorf("sqlstore: Claim with a lease of %v: want a positive duration", lease)
	}
	s.feed.claimed.Store(s.feed.gen.Load())
	now := s.now()
	if s.feed.keep > 0 && now.UnixNano()-s.feed.lastPrune.Load() > int64(pruneEvery) {
		s.feed.lastPrune.Store(now.UnixNano())
		if _, err := s.PruneFeed(ctx); err != nil {
			return nil, err
		}
	}
	met := false // whether tenants new to the consumer were looked for
	for range 10 {
		b := &store.Batch{Consumer: consumer, Lease: store.NewID(), Expires: now.Add(lease).UTC()}
		var acked int64
		err := s.db.QueryRowContext(ctx, s.sql(`UPDATE scimkit_feed_consumers SET lease = ?, until_ns = ?, claimed_ns = ?
			WHERE consumer = ? AND tenant = (
				SELECT k.tenant FROM scimkit_feed_consumers k JOIN scimkit_feed_heads h ON h.tenant = k.tenant
				WHERE k.consumer = ? AND h.seq > k.acked AND k.until_ns <= ?
				ORDER BY k.claimed_ns, k.tenant LIMIT 1`+s.d.skipLocked+`)
			RETURNING tenant, acked`),
			b.Lease, b.Expires.UnixNano(), now.UnixNano(), consumer, consumer, now.UnixNano()).Scan(&b.Tenant, &acked)
		if errors.Is(err, sql.ErrNoRows) {
			if met {
				break
			}
			met = true
			// Tenants this consumer has not met yet start at the beginning.
			res, err := s.db.ExecContext(ctx, s.sql(`INSERT INTO scimkit_feed_consumers (consumer, tenant)
				SELECT ?, h.tenant FROM scimkit_feed_heads h
				WHERE NOT EXISTS (SELECT 1 FROM scimkit_feed_consumers k WHERE k.consumer = ? AND k.tenant = h.tenant)
				ON CONFLICT (consumer, tenant) DO NOTHING`), consumer, consumer)
			if err != nil {
				return nil, s.fault("claiming events", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				break
			}
			continue
		}
		if err != nil {
			return nil, s.fault("claiming events", err)
		}
		if b.Events, err = s.readEvents(ctx, b.Tenant, acked, max); err != nil {
			return nil, err
		}
		if len(b.Events) > 0 {
			return b, nil
		}
		// The events after the consumer's position were all pruned
		// (Retention): it moves to the tenant's head, and Claim looks
		// at the next tenant.
		if _, err := s.db.ExecContext(ctx, s.sql(`UPDATE scimkit_feed_consumers
			SET acked = (SELECT seq FROM scimkit_feed_heads WHERE tenant = ?), lease = '', until_ns = 0
			WHERE consumer = ? AND tenant = ? AND lease = ?`), b.Tenant, consumer, b.Tenant, b.Lease); err != nil {
			return nil, s.fault("claiming events", err)
		}
	}
	return &store.Batch{Consumer: consumer}, nil
}

// readEvents reads up to max events of tenant after seq, in order.
func (s *Store) readEvents(ctx context.Context, tenant string, after int64, max int) ([]store.Event, error) {
	rows, err := s.db.QueryContext(ctx, s.sql(`SELECT seq, id, kind, type, resource_id, version, paths, member, before_doc, after_doc, principal, request_id, time_ns
		FROM scimkit_feed WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?`), tenant, after, max)
	if err != nil {
		return nil, s.fault("reading events", err)
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		e := store.Event{Tenant: tenant}
		var kind, paths, member, before, after, principal string
		var ns int64
		if err := rows.Scan(&e.Seq, &e.ID, &kind, &e.Type, &e.ResourceID, &e.Version, &paths, &member, &before, &after, &principal, &e.RequestID, &ns); err != nil {
			return nil, s.fault("reading events", err)
		}
		e.Kind = store.EventKind(kind)
		e.Time = time.Unix(0, ns).UTC()
		if paths != "" {
			if err := json.Unmarshal([]byte(paths), &e.Paths); err != nil {
				return nil, fmt.Errorf("sqlstore: event %s: paths: %w", e.ID, err)
			}
		}
		if member != "" {
			e.Member = new(store.Member)
			if err := json.Unmarshal([]byte(member), e.Member); err != nil {
				return nil, fmt.Errorf("sqlstore: event %s: member: %w", e.ID, err)
			}
		}
		if principal != "" {
			var p storedPrincipal
			if err := json.Unmarshal([]byte(principal), &p); err != nil {
				return nil, fmt.Errorf("sqlstore: event %s: principal: %w", e.ID, err)
			}
			e.Principal = auth.Principal(p)
		}
		if before != "" {
			e.Before = json.RawMessage(before)
		}
		if after != "" {
			e.After = json.RawMessage(after)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fault("reading events", err)
	}
	return out, nil
}

// Ack implements store.Feed: it advances b.Consumer's position in
// b.Tenant past b's events and ends the lease, if the lease is still b's.
func (s *Store) Ack(ctx context.Context, b *store.Batch) (err error) {
	defer s.classify(ctx, "Ack", &err)
	if !s.feed.on {
		return fmt.Errorf("sqlstore: %w (Config.Feed.Enabled)", store.ErrNoFeed)
	}
	if b == nil || b.Lease == "" {
		return nil // an empty batch holds no lease
	}
	var last int64
	if n := len(b.Events); n > 0 {
		last = b.Events[n-1].Seq
	}
	res, err := s.db.ExecContext(ctx, s.sql(`UPDATE scimkit_feed_consumers
		SET acked = CASE WHEN acked > ? THEN acked ELSE ? END, lease = '', until_ns = 0
		WHERE consumer = ? AND tenant = ? AND lease = ?`), last, last, b.Consumer, b.Tenant, b.Lease)
	if err != nil {
		return s.fault("acknowledging events", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return s.fault("acknowledging events", err)
	} else if n == 0 {
		return fmt.Errorf("%w (consumer %q, tenant %q)", store.ErrLeaseLost, b.Consumer, b.Tenant)
	}
	return nil
}

// Wait implements store.Feed. It returns when a write of this Store
// committed events, when PostgreSQL notifies a commit of another replica
// (Config.Feed.Listen), after Config.Feed.PollInterval, or when ctx is
// done.
func (s *Store) Wait(ctx context.Context) error {
	if !s.feed.on {
		return fmt.Errorf("sqlstore: %w (Config.Feed.Enabled)", store.ErrNoFeed)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	wake := s.feed.waitChan(s.sql(feedChannel))
	if s.feed.gen.Load() != s.feed.claimed.Load() {
		return nil // woken since the last Claim began
	}
	t := time.NewTimer(s.feed.poll)
	defer t.Stop()
	select {
	case <-wake:
		return nil
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// PruneFeed deletes up to 1000 events older than Config.Feed.Retention
// and returns how many it deleted; Claim calls it at most once a minute.
// Call it yourself (until it returns 0) to catch up after a long pause.
func (s *Store) PruneFeed(ctx context.Context) (n int64, err error) {
	defer s.classify(ctx, "PruneFeed", &err)
	if !s.feed.on || s.feed.keep < 0 {
		return 0, nil
	}
	before := s.now().Add(-s.feed.keep).UnixNano()
	res, err := s.db.ExecContext(ctx, s.sql(`DELETE FROM scimkit_feed WHERE (tenant, seq) IN (
		SELECT tenant, seq FROM scimkit_feed WHERE time_ns < ? LIMIT `+fmt.Sprint(pruneBatch)+`)`), before)
	if err != nil {
		return 0, s.fault("pruning the feed", err)
	}
	return res.RowsAffected()
}

// storedPrincipal is auth.Principal as the feed stores it.
type storedPrincipal struct {
	Tenant  string `json:"tenant,omitempty"`
	Subject string `json:"subject,omitempty"`
	Method  string `json:"method,omitempty"`
}
