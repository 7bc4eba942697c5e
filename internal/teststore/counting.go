package teststore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"

	"github.com/scimkit/scimkit/store/sqlstore"
)

// Statements counts the statements a database/sql pool sends: each Exec
// and Query, and each BEGIN, COMMIT and ROLLBACK — one round trip each.
type Statements struct{ n atomic.Int64 }

// Count returns the statements counted since the last Reset.
func (c *Statements) Count() int { return int(c.n.Load()) }

// Reset starts counting again.
func (c *Statements) Reset() { c.n.Store(0) }

// CountingPostgres opens a PostgreSQL store in a fresh schema whose
// statements c counts.
func CountingPostgres(t testing.TB, c *Statements) *sqlstore.Store {
	t.Helper()
	cfg, err := pgx.ParseConfig(FreshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	return open(t, countingConnector{stdlib.GetConnector(*cfg), c}, sqlstore.Postgres())
}

// CountingSQLite opens a SQLite store in a temporary file whose
// statements c counts.
func CountingSQLite(t testing.TB, c *Statements) *sqlstore.Store {
	t.Helper()
	dsn := "file:" + filepath.Join(t.TempDir(), "count.db") + "?_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(ON)"
	return open(t, countingConnector{dsnConnector{&sqlite.Driver{}, dsn}, c}, sqlstore.SQLite())
}

func open(t testing.TB, k driver.Connector, d sqlstore.Dialect) *sqlstore.Store {
	db := sql.OpenDB(k)
	t.Cleanup(func() { db.Close() })
	st, err := sqlstore.New(context.Background(), db, d, sqlstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

type dsnConnector struct {
	d   driver.Driver
	dsn string
}

func (k dsnConnector) Connect(context.Context) (driver.Conn, error) { return k.d.Open(k.dsn) }
func (k dsnConnector) Driver() driver.Driver                        { return k.d }

type countingConnector struct {
	inner driver.Connector
	c     *Statements
}

func (k countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := k.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: cn, c: k.c}, nil
}

func (k countingConnector) Driver() driver.Driver { return k.inner.Driver() }

// countingConn forwards to a driver connection that implements the
// context interfaces (pgx's and modernc's both do), counting statements.
type countingConn struct {
	driver.Conn
	c *Statements
}

var errNoContext = errors.New("teststore: the driver connection lacks a context method")

func (cn *countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := cn.Conn.(driver.ExecerContext)
	if !ok {
		return nil, errNoContext
	}
	cn.c.n.Add(1)
	return e.ExecContext(ctx, q, args)
}

func (cn *countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	e, ok := cn.Conn.(driver.QueryerContext)
	if !ok {
		return nil, errNoContext
	}
	cn.c.n.Add(1)
	return e.QueryContext(ctx, q, args)
}

func (cn *countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	if p, ok := cn.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, q)
	}
	return cn.Conn.Prepare(q)
}

func (cn *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	b, ok := cn.Conn.(driver.ConnBeginTx)
	if !ok {
		return nil, errNoContext
	}
	cn.c.n.Add(1)
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return countingTx{tx, cn.c}, nil
}

func (cn *countingConn) CheckNamedValue(v *driver.NamedValue) error {
	if c, ok := cn.Conn.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

func (cn *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := cn.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (cn *countingConn) IsValid() bool {
	if v, ok := cn.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type countingTx struct {
	driver.Tx
	c *Statements
}

func (tx countingTx) Commit() error {
	tx.c.n.Add(1)
	return tx.Tx.Commit()
}

func (tx countingTx) Rollback() error {
	tx.c.n.Add(1)
	return tx.Tx.Rollback()
}
