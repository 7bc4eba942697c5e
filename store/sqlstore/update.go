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

// errMoved: the row's version changed between the read and the write.
var errMoved = errors.New("sqlstore: the resource changed while it was being updated")

// errNeedTx: the update writes more than the row (unique values, members).
var errNeedTx = errors.New("sqlstore: the update needs a transaction")

// Update implements store.Store. The common update (a PATCH or PUT that
// changes attributes but no unique value and no member) is two statements
// and no transaction: a read, then an UPDATE that succeeds only if the
// version it read is still the current one, whose RETURNING gives the
// answer — so the answer is what this request wrote, never another
// writer's state, and a write that committed is never answered with an
// error from a read after it. When the version moved in between, fn runs
// again on the new state (an If-Match is checked again, so it then fails
// with ErrPrecondition). An update that changes unique values or members,
// or that lost that race twice, runs in a transaction holding the row
// lock (SELECT … FOR UPDATE).
func (s *Store) Update(ctx context.Context, typ, id, ifMatch string, fn func(*store.Resource) error) (_ *store.Resource, err error) {
	defer s.classify(ctx, "Update", &err)
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkType(typ); err != nil {
		return nil, err
	}
	for range 2 {
		out, err := s.updateRow(ctx, tenant, typ, id, ifMatch, fn)
		if errors.Is(err, errNeedTx) {
			break
		}
		if !errors.Is(err, errMoved) {
			return out, err
		}
	}
	return s.updateLocked(ctx, tenant, typ, id, ifMatch, fn)
}

// next is what fn makes of a copy of cur.
func next(cur *store.Resource, typ, id string, fn func(*store.Resource) error) (*store.Resource, error) {
	n := *cur
	n.Members = append([]store.Member(nil), cur.Members...)
	n.Groups = append([]store.GroupRef(nil), cur.Groups...)
	n.Attributes = append(json.RawMessage(nil), cur.Attributes...)
	if err := fn(&n); err != nil {
		return nil, err
	}
	n.Type, n.ID, n.Created = typ, id, cur.Created
	n.Groups = cur.Groups // read-only: they change with the groups
	if typ != store.Group {
		n.Members = nil
	}
	return &n, nil
}

const updateRowSQL = `UPDATE scimkit_resources SET
		unique_values = ?, user_name = ?, display_name = ?, external_id = ?, attributes = ?, schemas = ?,
		modified_ns = ?, version = version + 1
	WHERE tenant = ? AND type = ? AND id = ? AND version = ?
	RETURNING version`

// updateFeedSQL is updateRowSQL appending the update's events
// (feedCTE) in the same statement, when it updated the row.
var updateFeedSQL = newFeedStatements("w", func(cte string) string {
	return `WITH w AS (` + updateRowSQL + `), ` + cte + ` SELECT version FROM w`
})

// write stores n over the row at version, at ns, setting n's new version.
// In PostgreSQL it appends evs (when the feed is on) in the same
// statement.
func (s *Store) write(ctx context.Context, q querier, tenant string, n *store.Resource, version, ns int64, evs []store.Event) error {
	args := []any{encodeUnique(n.Unique), n.UniqueValue("userName"), n.Display, n.ExternalID, string(n.Attributes), encodeSchemas(n.Schemas),
		ns, tenant, n.Type, n.ID, version}
	query := updateRowSQL
	if s.d.name == "postgres" && s.feeding(evs) {
		query = updateFeedSQL.For(evs)
		args = append(args, s.feedArgs(tenant, ns, evs)...)
	}
	var v int64
	err := q.QueryRowContext(ctx, s.sql(query), args...).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return errMoved
	}
	if err != nil {
		return err
	}
	n.Version = strconv.FormatInt(v, 10)
	n.LastModified = time.Unix(0, ns).UTC()
	return nil
}

// updateRow is the update without a transaction (in SQLite with the
// feed on, the UPDATE and the events' inserts are one).
func (s *Store) updateRow(ctx context.Context, tenant, typ, id, ifMatch string, fn func(*store.Resource) error) (*store.Resource, error) {
	var cur *store.Resource
	err := s.readAgain(ctx, func() (err error) {
		cur, err = s.load(ctx, s.db, tenant, typ, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := checkVersion(cur, ifMatch); err != nil {
		return nil, err
	}
	n, err := next(cur, typ, id, fn)
	if err != nil {
		return nil, err
	}
	if !sameUnique(cur.Unique, n.Unique) || typ == store.Group && !sameMembers(cur.Members, n.Members) {
		return nil, errNeedTx
	}
	version, _ := strconv.ParseInt(cur.Version, 10, 64)
	ns := s.stamp()
	want := s.wantEvents(ctx)
	var evs []store.Event
	if want {
		n.Version, n.LastModified = strconv.FormatInt(version+1, 10), time.Unix(0, ns).UTC()
		evs = s.events(ctx, ns, cur, n)
	}
	if s.feeding(evs) && s.d.name != "postgres" {
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			if err := s.write(ctx, tx, tenant, n, version, ns, evs); err != nil {
				return err
			}
			return s.appendEvents(ctx, tx, tenant, ns, evs)
		})
	} else {
		err = s.retry(ctx, func() error { return s.write(ctx, s.db, tenant, n, version, ns, evs) })
	}
	if err != nil && !errors.Is(err, errMoved) {
		return nil, s.fault(fmt.Sprintf("updating %s %s", typ, id), commitFailed(err)) // one statement: its own commit
	}
	if err == nil && want {
		s.committed(ctx, evs)
	}
	return n, err
}

// updateLocked is the update in a transaction that holds the row lock.
func (s *Store) updateLocked(ctx context.Context, tenant, typ, id, ifMatch string, fn func(*store.Resource) error) (*store.Resource, error) {
	var out *store.Resource
	want := s.wantEvents(ctx)
	var evs []store.Event
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.load(ctx, tx, tenant, typ, id, true)
		if err != nil {
			return err
		}
		if err := checkVersion(cur, ifMatch); err != nil {
			return err
		}
		n, err := next(cur, typ, id, fn)
		if err != nil {
			return err
		}
		if err := s.claimUnique(ctx, tx, tenant, n, cur.Unique); err != nil {
			return err
		}
		version, _ := strconv.ParseInt(cur.Version, 10, 64)
		ns := s.stamp()
		if err := s.write(ctx, tx, tenant, n, version, ns, nil); err != nil {
			if errors.Is(err, errMoved) {
				return fmt.Errorf("%w: %s %s changed while it was being updated", store.ErrPrecondition, typ, id)
			}
			return s.fault(fmt.Sprintf("updating %s %s", typ, id), err)
		}
		if typ == store.Group && !sameMembers(cur.Members, n.Members) {
			members, err := s.replaceMembers(ctx, tx, tenant, id, cur.Members, n.Members)
			if err != nil {
				return err
			}
			n.Members = shownMembers(members)
		}
		if want {
			evs = s.events(ctx, ns, cur, n)
			if err := s.appendEvents(ctx, tx, tenant, ns, evs); err != nil {
				return s.fault(fmt.Sprintf("updating %s %s", typ, id), err)
			}
		}
		out = n
		return nil
	})
	if err == nil && want {
		s.committed(ctx, evs)
	}
	return out, err
}

// sameUnique reports whether a and b hold the same unique values.
func sameUnique(a, b []store.Unique) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Attribute != b[i].Attribute || a[i].Key() != b[i].Key() {
			return false
		}
	}
	return true
}

// sameMembers reports whether b names the same members as a, with the same
// displays, in any order.
func sameMembers(a, b []store.Member) bool {
	if len(a) != len(b) {
		return false
	}
	disp := make(map[string]string, len(a))
	for _, m := range a {
		disp[m.Value] = m.Display
	}
	for _, m := range b {
		if d, ok := disp[m.Value]; !ok || d != m.Display {
			return false
		}
	}
	return true
}

func checkVersion(r *store.Resource, ifMatch string) error {
	if store.VersionMatches(ifMatch, r.Version) {
		return nil
	}
	return fmt.Errorf("%w: %s is at version %s, not %s", store.ErrPrecondition, r.ID, r.Version, ifMatch)
}
