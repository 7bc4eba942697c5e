package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/scimkit/scimkit/store"
)

// fault is what a database error says of the database, as opposed to the
// request: whether a later try may succeed, and whether the statement in
// flight was applied.
type fault uint8

const (
	// noFault: not a fault of the database (a constraint, a bug, a value
	// it refuses); the error is returned as it is.
	noFault fault = iota
	// refused: the database refused the statement or could not be
	// reached, and applied nothing (too many connections, a serialisation
	// failure or deadlock, a lock wait that timed out, a connection that
	// failed before anything was sent).
	refused
	// lost: the connection or the server went away while the statement
	// ran; a COMMIT in flight may or may not have been applied.
	lost
)

// classify turns a database fault in *err into a *store.UnavailableError
// for op, the exported method it is deferred by:
//
//	func (s *Store) Get(ctx context.Context, typ, id string) (_ *store.Resource, err error) {
//		defer s.classify(ctx, "Get", &err)
//
// Other errors are left as they are, and so is every error once ctx is
// done: the caller has gone, and its context's error is no fault of the
// database.
func (s *Store) classify(ctx context.Context, op string, err *error) {
	if *err != nil {
		*err = s.d.unavailable(ctx, op, *err)
	}
}

// unavailable returns err as a *store.UnavailableError for op when it is a
// database fault, and err itself otherwise.
//
// A lost connection is OutcomeUnknown when the COMMIT was in flight
// (a *commitError). So is a fault of a read method called by a write
// method (an Update reading its result back after the commit, whose
// error is already an *UnavailableError for that read): the write was
// applied, but the caller cannot know it.
func (d Dialect) unavailable(ctx context.Context, op string, err error) error {
	if err == nil || ctx.Err() != nil {
		return err
	}
	if ue, ok := errors.AsType[*store.UnavailableError](err); ok {
		if isWrite(op) && !isWrite(ue.Op) && !ue.OutcomeUnknown {
			return &store.UnavailableError{Op: op, Err: fmt.Errorf("reading the result back after the commit: %w", ue.Err), OutcomeUnknown: true}
		}
		return err
	}
	f := noFault
	if d.fault != nil {
		f = d.fault(err)
	}
	if f == noFault {
		f = connectionFault(err)
	}
	if f == noFault {
		return err
	}
	_, inCommit := errors.AsType[*commitError](err)
	return &store.UnavailableError{Op: op, Err: err, OutcomeUnknown: f == lost && inCommit}
}

// isWrite reports whether the Store method op writes.
func isWrite(op string) bool { return op != "Get" && op != "List" }

// beginError is a failed BEGIN. Nothing was done: when the cause is a
// fault (a pooled connection the server had closed, typically), the
// transaction may simply run again, on another connection.
type beginError struct{ err error }

// beginFailed wraps the error of db.BeginTx.
func beginFailed(err error) error { return &beginError{err: err} }

func (e *beginError) Error() string { return "sqlstore: " + e.err.Error() }
func (e *beginError) Unwrap() error { return e.err }

// rerunBegin reports whether err is a BEGIN that failed for a fault (as
// classified by fault or connectionFault): Dialect.retryable.
func rerunBegin(err error, fault func(error) fault) bool {
	if _, ok := errors.AsType[*beginError](err); !ok {
		return false
	}
	return fault(err) != noFault || connectionFault(err) != noFault
}

// commitError is a failed COMMIT. When its cause is a lost connection,
// the transaction may or may not have been applied.
type commitError struct{ err error }

// commitFailed wraps the error of tx.Commit.
func commitFailed(err error) error { return &commitError{err: err} }

func (e *commitError) Error() string { return "sqlstore: commit: " + e.err.Error() }
func (e *commitError) Unwrap() error { return e.err }

// postgresFault classifies PostgreSQL's errors by SQLSTATE (pgconn's
// PgError, and any error with a SQLState method).
func postgresFault(err error) fault {
	e, ok := errors.AsType[interface {
		error
		SQLState() string
	}](err)
	if !ok {
		return noFault
	}
	code := e.SQLState()
	switch {
	case code == "08001", code == "08004": // could not connect; server rejected the connection
		return refused
	case strings.HasPrefix(code, "08"): // connection exception
		return lost
	case code == "57P01", code == "57P02": // admin_shutdown (pg_terminate_backend, a restart), crash_shutdown
		return lost
	case code == "57P05", code == "25P03": // idle_session_timeout, idle_in_transaction_session_timeout
		return lost
	case code == "57P03": // cannot_connect_now: starting up, shutting down, in recovery
		return refused
	case strings.HasPrefix(code, "53"): // insufficient resources: too many connections, out of memory, disk full
		return refused
	case code == "40001", code == "40P01": // serialization_failure, deadlock_detected, after inTx's retries
		return refused
	case code == "55P03", code == "57014": // lock_not_available (lock_timeout), query_canceled (statement_timeout)
		return refused
	case strings.HasPrefix(code, "58"): // system error: I/O error, files gone
		return lost
	}
	return noFault
}

// sqliteFault classifies SQLite's errors by result code (modernc.org/sqlite's
// Error, and any error with a Code method).
func sqliteFault(err error) fault {
	e, ok := errors.AsType[interface {
		error
		Code() int
	}](err)
	if !ok {
		return noFault
	}
	switch e.Code() & 0xff { // the primary result code
	case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED: past the busy timeout and inTx's retries
		return refused
	case 13, 14: // SQLITE_FULL (the transaction is rolled back), SQLITE_CANTOPEN
		return refused
	case 10: // SQLITE_IOERR
		return lost
	}
	return noFault
}

// connectionFault classifies the errors of database/sql and of the
// network, whatever the database: a lost, closed, refused or timed out
// connection.
func connectionFault(err error) fault {
	// A driver error that happened before anything was sent (pgconn's
	// SafeToRetry), or driver.ErrBadConn once database/sql has given up
	// retrying it: the statement never reached the database.
	if r, ok := errors.AsType[interface {
		error
		SafeToRetry() bool
	}](err); ok && r.SafeToRetry() {
		return refused
	}
	if errors.Is(err, driver.ErrBadConn) {
		return refused
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return refused
	}
	if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Op == "dial" {
		return refused
	}
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return refused
	}
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, net.ErrClosed), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, context.DeadlineExceeded): // a timeout of the driver's, not the caller's
		return lost
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return lost
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == "conn closed" { // pgconn.ErrConnClosed, without importing pgconn
			return lost
		}
	}
	return noFault
}
