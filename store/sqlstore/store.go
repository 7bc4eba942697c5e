package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"github.com/scimkit/scimkit/store"
)

// Store is a store.Store over a SQL database. It is safe for concurrent
// use, and several Stores (replicas) may share one database.
type Store struct {
	db *sql.DB
	d  Dialect

	now    func() time.Time
	mu     sync.Mutex
	lastNs int64 // last timestamp handed out: stamps are strictly increasing
}

var (
	_ store.Store         = (*Store)(nil)
	_ store.MemberPatcher = (*Store)(nil)
)

// Config configures a Store built by New. The zero value is the default.
type Config struct {
	// Clock returns the current time, for Created, LastModified and the
	// default order. Nil: time.Now.
	Clock func() time.Time
}

// New returns a Store over db, a database of dialect d, creating or
// migrating its tables first.
func New(ctx context.Context, db *sql.DB, d Dialect, cfg Config) (*Store, error) {
	s := &Store{db: db, d: d, now: cfg.Clock}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// OpenPostgres connects to PostgreSQL with pgx and returns a migrated Store.
// The pool holds at most 16 connections (PostgreSQL allows 100 by default,
// shared by every replica); change it with Store.DB().SetMaxOpenConns.
func OpenPostgres(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: connecting to PostgreSQL: %w", err)
	}
	s, err := New(ctx, db, Postgres(), Config{})
	if err != nil {
		db.Close()
	}
	return s, err
}

// OpenSQLite opens (creating it if needed) the SQLite database file path
// in WAL mode with full sync, so a write that returned survives a crash,
// and returns a migrated Store.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	dsn := "file:" + path + "?_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(ON)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	s, err := New(ctx, db, SQLite(), Config{})
	if err != nil {
		db.Close()
	}
	return s, err
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB returns the database, for health checks and the like.
func (s *Store) DB() *sql.DB { return s.db }

// stamp returns the current time in Unix nanoseconds, strictly after the
// last stamp this Store handed out (creation order is the default order).
func (s *Store) stamp() int64 {
	ns := s.now().UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	if ns <= s.lastNs {
		ns = s.lastNs + 1
	}
	s.lastNs = ns
	return ns
}

func tenantOf(ctx context.Context) (string, error) {
	t, ok := store.Tenant(ctx)
	if !ok {
		return "", store.ErrNoTenant
	}
	return t, nil
}

// checkType refuses a resource type name no schema could have given.
func checkType(typ string) error {
	if typ == "" || len(typ) > 128 {
		return fmt.Errorf("sqlstore: resource type %q: want a type name", typ)
	}
	return nil
}

func notFound(typ, id string) error { return fmt.Errorf("%w: %s %q", store.ErrNotFound, typ, id) }

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
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM scimkit_unique WHERE tenant = ? AND type = ? AND attribute = ? AND key = ? AND id = ?`),
			tenant, r.Type, u.Attribute, u.Key(), r.ID); err != nil {
			return fmt.Errorf("sqlstore: releasing %s of %s %s: %w", u.Attribute, r.Type, r.ID, err)
		}
	}
	for _, u := range r.Unique {
		if had[slot{u.Attribute, u.Key()}] {
			continue
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO scimkit_unique (tenant, type, attribute, key, id) VALUES (?, ?, ?, ?, ?)`),
			tenant, r.Type, u.Attribute, u.Key(), r.ID); err != nil {
			if s.d.isUnique(err) {
				return &store.ConflictError{Attribute: u.Attribute, Value: u.Value}
			}
			return fmt.Errorf("sqlstore: recording %s of %s %s: %w", u.Attribute, r.Type, r.ID, err)
		}
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
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

// inTx runs fn in a transaction, committing when it returns nil. A
// transaction the database aborted for a deadlock or a serialisation
// failure runs again (a few times), so fn must be safe to repeat.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.tryTx(ctx, fn)
		if err == nil || attempt == 5 || !s.d.retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt*attempt) * time.Millisecond)
	}
}

func (s *Store) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return beginFailed(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return commitFailed(err)
	}
	return nil
}

// Create implements store.Store.
func (s *Store) Create(ctx context.Context, r *store.Resource) (_ *store.Resource, err error) {
	defer s.classify(ctx, "Create", &err)
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkType(r.Type); err != nil {
		return nil, err
	}
	id := store.NewID()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		members, err := s.resolveMembers(ctx, tx, tenant, r.Members)
		if err != nil {
			return err
		}
		ns := s.stamp()
		_, err = tx.ExecContext(ctx, s.d.rebind(`INSERT INTO scimkit_resources
			(tenant, type, id, unique_key, unique_values, user_name, display_name, external_id, attributes, schemas, created_ns, modified_ns, version)
			VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, 1)`),
			tenant, r.Type, id, encodeUnique(r.Unique), r.UniqueValue("userName"), r.Display, r.ExternalID, string(r.Attributes), encodeSchemas(r.Schemas), ns, ns)
		if err != nil {
			return fmt.Errorf("sqlstore: inserting %s: %w", r.Type, err)
		}
		claim := *r
		claim.ID = id
		if err := s.claimUnique(ctx, tx, tenant, &claim, nil); err != nil {
			return err
		}
		if r.Type == store.Group {
			return s.addMembers(ctx, tx, tenant, id, members)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, r.Type, id)
}

// resolved is a member checked against the database.
type resolved struct {
	store.Member
	derived string // the display the member would show without one of its own
}

// resolveMembers checks that every member is a user or group of the
// tenant, fills in its type and drops duplicates. In PostgreSQL it locks
// those rows until the transaction ends, so a concurrent Delete of a
// member waits instead of leaving a membership behind.
func (s *Store) resolveMembers(ctx context.Context, q querier, tenant string, members []store.Member) ([]resolved, error) {
	if len(members) == 0 {
		return nil, nil
	}
	found := map[string]resolved{}
	ids := make([]string, 0, len(members))
	seen := map[string]bool{}
	for _, m := range members {
		if !seen[m.Value] {
			seen[m.Value] = true
			ids = append(ids, m.Value)
		}
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, tenant)
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := q.QueryContext(ctx, s.d.rebind(`SELECT id, type, display_name FROM scimkit_resources
			WHERE tenant = ? AND type IN ('User', 'Group') AND id IN (`+placeholders(len(chunk))+`)`+s.d.forShare), args...)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: resolving members: %w", err)
		}
		for rows.Next() {
			var id, typ, display string
			if err := rows.Scan(&id, &typ, &display); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlstore: resolving members: %w", err)
			}
			found[id] = resolved{Member: store.Member{Value: id, Type: typ}, derived: display}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlstore: resolving members: %w", err)
		}
	}
	var unknown []string
	out := make([]resolved, 0, len(ids))
	done := map[string]bool{}
	for _, m := range members {
		if done[m.Value] {
			continue
		}
		done[m.Value] = true
		f, ok := found[m.Value]
		if !ok {
			unknown = append(unknown, m.Value)
			continue
		}
		f.Display = m.Display
		out = append(out, f)
	}
	if len(unknown) > 0 {
		return nil, &store.InvalidMemberError{IDs: unknown}
	}
	return out, nil
}

// storedDisplay keeps a member's display only when it differs from the
// derived one, so derived names follow renames.
func storedDisplay(m resolved) string {
	if m.Display == m.derived {
		return ""
	}
	return m.Display
}

func (s *Store) addMembers(ctx context.Context, tx *sql.Tx, tenant, groupID string, members []resolved) error {
	for _, m := range members {
		_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO scimkit_members (tenant, group_id, member_id, member_type, display, added_ns)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant, group_id, member_id) DO UPDATE SET display = excluded.display`),
			tenant, groupID, m.Value, m.Type, storedDisplay(m), s.stamp())
		if err != nil {
			return fmt.Errorf("sqlstore: adding member %s: %w", m.Value, err)
		}
	}
	return nil
}

const columns = `id, unique_values, display_name, external_id, attributes, schemas, created_ns, modified_ns, version`

func scanResource(typ string, row interface{ Scan(...any) error }) (*store.Resource, error) {
	r := &store.Resource{Type: typ}
	var unique, attrs, schemas string
	var created, modified, version int64
	if err := row.Scan(&r.ID, &unique, &r.Display, &r.ExternalID, &attrs, &schemas, &created, &modified, &version); err != nil {
		return nil, err
	}
	r.Unique = decodeUnique(unique)
	r.Attributes = json.RawMessage(attrs)
	r.Schemas = decodeSchemas(schemas)
	r.Created = time.Unix(0, created).UTC()
	r.LastModified = time.Unix(0, modified).UTC()
	r.Version = strconv.FormatInt(version, 10)
	return r, nil
}

// load reads one resource with its members (groups) or groups (users).
func (s *Store) load(ctx context.Context, q querier, tenant, typ, id string, lock bool) (*store.Resource, error) {
	query := `SELECT ` + columns + ` FROM scimkit_resources WHERE tenant = ? AND type = ? AND id = ?`
	if lock {
		query += s.d.forUpdate
	}
	r, err := scanResource(typ, q.QueryRowContext(ctx, s.d.rebind(query), tenant, typ, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(typ, id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: reading %s %s: %w", typ, id, err)
	}
	if err := s.fill(ctx, q, tenant, r); err != nil {
		return nil, err
	}
	return r, nil
}

// fill adds members (groups) or groups (users) to r.
func (s *Store) fill(ctx context.Context, q querier, tenant string, r *store.Resource) error {
	if r.Type == store.Group {
		rows, err := q.QueryContext(ctx, s.d.rebind(`SELECT m.member_id, m.member_type, m.display, COALESCE(x.display_name, '')
			FROM scimkit_members m
			LEFT JOIN scimkit_resources x ON x.tenant = m.tenant AND x.type = m.member_type AND x.id = m.member_id
			WHERE m.tenant = ? AND m.group_id = ?
			ORDER BY m.added_ns, m.member_id`), tenant, r.ID)
		if err != nil {
			return fmt.Errorf("sqlstore: reading members: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var m store.Member
			var derived string
			if err := rows.Scan(&m.Value, &m.Type, &m.Display, &derived); err != nil {
				return fmt.Errorf("sqlstore: reading members: %w", err)
			}
			if m.Display == "" {
				m.Display = derived
			}
			r.Members = append(r.Members, m)
		}
		return rows.Err()
	}
	if r.Type != store.User {
		return nil
	}
	rows, err := q.QueryContext(ctx, s.d.rebind(`SELECT g.id, g.display_name
		FROM scimkit_members m
		JOIN scimkit_resources g ON g.tenant = m.tenant AND g.type = 'Group' AND g.id = m.group_id
		WHERE m.tenant = ? AND m.member_id = ?
		ORDER BY g.id`), tenant, r.ID)
	if err != nil {
		return fmt.Errorf("sqlstore: reading groups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g store.GroupRef
		if err := rows.Scan(&g.Value, &g.Display); err != nil {
			return fmt.Errorf("sqlstore: reading groups: %w", err)
		}
		r.Groups = append(r.Groups, g)
	}
	return rows.Err()
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, typ, id string) (_ *store.Resource, err error) {
	defer s.classify(ctx, "Get", &err)
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkType(typ); err != nil {
		return nil, err
	}
	return s.load(ctx, s.db, tenant, typ, id, false)
}

func checkVersion(r *store.Resource, ifMatch string) error {
	if store.VersionMatches(ifMatch, r.Version) {
		return nil
	}
	return fmt.Errorf("%w: %s is at version %s, not %s", store.ErrPrecondition, r.ID, r.Version, ifMatch)
}

// Update implements store.Store: the row is locked for the transaction and
// the write checks the version it read.
func (s *Store) Update(ctx context.Context, typ, id, ifMatch string, fn func(*store.Resource) error) (_ *store.Resource, err error) {
	defer s.classify(ctx, "Update", &err)
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkType(typ); err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.load(ctx, tx, tenant, typ, id, true)
		if err != nil {
			return err
		}
		if err := checkVersion(cur, ifMatch); err != nil {
			return err
		}
		before := map[string]store.Member{}
		for _, m := range cur.Members {
			before[m.Value] = m
		}
		next := *cur
		next.Members = append([]store.Member(nil), cur.Members...)
		next.Attributes = append(json.RawMessage(nil), cur.Attributes...)
		if err := fn(&next); err != nil {
			return err
		}
		next.Type, next.ID = typ, id
		if err := s.claimUnique(ctx, tx, tenant, &next, cur.Unique); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE scimkit_resources SET
				unique_values = ?, user_name = ?, display_name = ?, external_id = ?, attributes = ?, schemas = ?,
				modified_ns = ?, version = version + 1
			WHERE tenant = ? AND type = ? AND id = ? AND version = ?`),
			encodeUnique(next.Unique), next.UniqueValue("userName"), next.Display, next.ExternalID, string(next.Attributes), encodeSchemas(next.Schemas),
			s.stamp(), tenant, typ, id, cur.Version)
		if err != nil {
			return fmt.Errorf("sqlstore: updating %s %s: %w", typ, id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("%w: %s %s changed while it was being updated", store.ErrPrecondition, typ, id)
		}
		if typ != store.Group {
			return nil
		}
		return s.replaceMembers(ctx, tx, tenant, id, before, next.Members)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, typ, id)
}

// replaceMembers makes the group's members exactly want, writing only the
// rows that change.
func (s *Store) replaceMembers(ctx context.Context, tx *sql.Tx, tenant, groupID string, before map[string]store.Member, want []store.Member) error {
	resolvedWant, err := s.resolveMembers(ctx, tx, tenant, want)
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	var changed []resolved
	for _, m := range resolvedWant {
		keep[m.Value] = true
		if old, ok := before[m.Value]; !ok || old.Display != m.Display {
			changed = append(changed, m)
		}
	}
	var gone []string
	for id := range before {
		if !keep[id] {
			gone = append(gone, id)
		}
	}
	if err := s.removeMembers(ctx, tx, tenant, groupID, gone); err != nil {
		return err
	}
	return s.addMembers(ctx, tx, tenant, groupID, changed)
}

func (s *Store) removeMembers(ctx context.Context, tx *sql.Tx, tenant, groupID string, ids []string) error {
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := []any{tenant, groupID}
		for _, id := range chunk {
			args = append(args, id)
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM scimkit_members WHERE tenant = ? AND group_id = ? AND member_id IN (`+placeholders(len(chunk))+`)`), args...); err != nil {
			return fmt.Errorf("sqlstore: removing members: %w", err)
		}
	}
	return nil
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, typ, id, ifMatch string) (err error) {
	defer s.classify(ctx, "Delete", &err)
	tenant, err := tenantOf(ctx)
	if err != nil {
		return err
	}
	if err := checkType(typ); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// Lock the groups that list it before the resource itself: an
		// Update or PatchMembers holds a group and then takes its members'
		// rows, so this order cannot deadlock with them.
		if s.d.forUpdate != "" {
			rows, err := tx.QueryContext(ctx, s.d.rebind(`SELECT id FROM scimkit_resources
				WHERE tenant = ? AND type = 'Group' AND id IN (SELECT group_id FROM scimkit_members WHERE tenant = ? AND member_id = ?)
				ORDER BY id`+s.d.forUpdate), tenant, tenant, id)
			if err != nil {
				return fmt.Errorf("sqlstore: deleting %s %s: %w", typ, id, err)
			}
			rows.Close()
		}
		var version int64
		err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT version FROM scimkit_resources WHERE tenant = ? AND type = ? AND id = ?`+s.d.forUpdate), tenant, typ, id).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound(typ, id)
		}
		if err != nil {
			return fmt.Errorf("sqlstore: deleting %s %s: %w", typ, id, err)
		}
		if err := checkVersion(&store.Resource{ID: id, Version: strconv.FormatInt(version, 10)}, ifMatch); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM scimkit_resources WHERE tenant = ? AND type = ? AND id = ?`), tenant, typ, id); err != nil {
			return fmt.Errorf("sqlstore: deleting %s %s: %w", typ, id, err)
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM scimkit_unique WHERE tenant = ? AND type = ? AND id = ?`), tenant, typ, id); err != nil {
			return fmt.Errorf("sqlstore: deleting %s %s: %w", typ, id, err)
		}
		// Every group it was in changes.
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE scimkit_resources SET version = version + 1, modified_ns = ?
			WHERE tenant = ? AND type = 'Group' AND id IN (SELECT group_id FROM scimkit_members WHERE tenant = ? AND member_id = ?)`),
			s.stamp(), tenant, tenant, id); err != nil {
			return fmt.Errorf("sqlstore: updating the groups of %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM scimkit_members WHERE tenant = ? AND (member_id = ? OR group_id = ?)`), tenant, id, id); err != nil {
			return fmt.Errorf("sqlstore: deleting the memberships of %s: %w", id, err)
		}
		return nil
	})
}

// PatchMembers implements store.MemberPatcher: one row per member added
// or removed, whatever the size of the group.
func (s *Store) PatchMembers(ctx context.Context, groupID, ifMatch string, add []store.Member, remove []string) (_ *store.Resource, err error) {
	defer s.classify(ctx, "PatchMembers", &err)
	tenant, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	var out *store.Resource
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		// Members first, then the group: the order Delete takes its locks in.
		members, err := s.resolveMembers(ctx, tx, tenant, add)
		if err != nil {
			return err
		}
		r, err := scanResource(store.Group, tx.QueryRowContext(ctx, s.d.rebind(`SELECT `+columns+` FROM scimkit_resources WHERE tenant = ? AND type = 'Group' AND id = ?`+s.d.forUpdate), tenant, groupID))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound(store.Group, groupID)
		}
		if err != nil {
			return fmt.Errorf("sqlstore: reading group %s: %w", groupID, err)
		}
		if err := checkVersion(r, ifMatch); err != nil {
			return err
		}
		for _, m := range members {
			q := `INSERT INTO scimkit_members (tenant, group_id, member_id, member_type, display, added_ns) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (tenant, group_id, member_id) DO NOTHING`
			if m.Display != "" {
				q = `INSERT INTO scimkit_members (tenant, group_id, member_id, member_type, display, added_ns) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (tenant, group_id, member_id) DO UPDATE SET display = excluded.display`
			}
			if _, err := tx.ExecContext(ctx, s.d.rebind(q), tenant, groupID, m.Value, m.Type, storedDisplay(m), s.stamp()); err != nil {
				return fmt.Errorf("sqlstore: adding member %s: %w", m.Value, err)
			}
		}
		if err := s.removeMembers(ctx, tx, tenant, groupID, remove); err != nil {
			return err
		}
		ns := s.stamp()
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE scimkit_resources SET version = version + 1, modified_ns = ? WHERE tenant = ? AND type = 'Group' AND id = ?`), ns, tenant, groupID); err != nil {
			return fmt.Errorf("sqlstore: updating group %s: %w", groupID, err)
		}
		v, _ := strconv.ParseInt(r.Version, 10, 64)
		r.Version = strconv.FormatInt(v+1, 10)
		r.LastModified = time.Unix(0, ns).UTC()
		out = r
		return nil
	})
	return out, err
}
