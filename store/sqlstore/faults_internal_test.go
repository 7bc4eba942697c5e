package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/scimkit/scimkit/store"
)

// pgError is an error with a SQLSTATE, as pgconn.PgError is.
type pgError string

func (e pgError) Error() string    { return "ERROR: something (SQLSTATE " + string(e) + ")" }
func (e pgError) SQLState() string { return string(e) }

// sqliteError is an error with a result code, as modernc.org/sqlite's is.
type sqliteError int

func (e sqliteError) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e sqliteError) Code() int     { return int(e) }

// retryErr is a driver error that knows whether anything was sent, as
// pgconn's do.
type retryErr bool

func (e retryErr) Error() string     { return "driver trouble" }
func (e retryErr) SafeToRetry() bool { return bool(e) }

// want is what unavailable should make of an error.
type want int

const (
	passes  want = iota // returned as it is
	known               // an *UnavailableError, OutcomeUnknown false even at commit
	unknown             // an *UnavailableError, OutcomeUnknown true when at commit
)

func TestUnavailableClassifies(t *testing.T) {
	pg, lite := Postgres(), SQLite()
	tests := []struct {
		name string
		d    Dialect
		err  error
		want want
	}{
		// PostgreSQL, by SQLSTATE.
		{"pg 57P01 admin_shutdown", pg, pgError("57P01"), unknown},
		{"pg 57P02 crash_shutdown", pg, pgError("57P02"), unknown},
		{"pg 57P03 cannot_connect_now", pg, pgError("57P03"), known},
		{"pg 57P05 idle_session_timeout", pg, pgError("57P05"), unknown},
		{"pg 08006 connection_failure", pg, pgError("08006"), unknown},
		{"pg 08003 connection_does_not_exist", pg, pgError("08003"), unknown},
		{"pg 08001 unable to connect", pg, pgError("08001"), known},
		{"pg 53300 too_many_connections", pg, pgError("53300"), known},
		{"pg 53100 disk_full", pg, pgError("53100"), known},
		{"pg 40001 serialization_failure", pg, pgError("40001"), known},
		{"pg 40P01 deadlock_detected", pg, pgError("40P01"), known},
		{"pg 55P03 lock_not_available", pg, pgError("55P03"), known},
		{"pg 57014 query_canceled", pg, pgError("57014"), known},
		{"pg 58030 io_error", pg, pgError("58030"), unknown},
		{"pg 23505 unique_violation", pg, pgError("23505"), passes},
		{"pg 22001 string_data_right_truncation", pg, pgError("22001"), passes},
		{"pg 22021 character_not_in_repertoire", pg, pgError("22021"), passes},
		{"pg 42P01 undefined_table", pg, pgError("42P01"), passes},
		{"pg 28P01 invalid_password", pg, pgError("28P01"), passes},
		{"pg real PgError", pg, &pgconn.PgError{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"}, unknown},
		{"pg SQLSTATE wrapped", pg, fmt.Errorf("sqlstore: inserting User: %w", pgError("57P01")), unknown},
		{"pg SQLite code means nothing", pg, sqliteError(5), passes},

		// SQLite, by result code.
		{"sqlite BUSY", lite, sqliteError(5), known},
		{"sqlite BUSY_SNAPSHOT", lite, sqliteError(5 | 2<<8), known},
		{"sqlite LOCKED", lite, sqliteError(6), known},
		{"sqlite IOERR", lite, sqliteError(10), unknown},
		{"sqlite IOERR_FSYNC", lite, sqliteError(10 | 4<<8), unknown},
		{"sqlite FULL", lite, sqliteError(13), known},
		{"sqlite CANTOPEN", lite, sqliteError(14), known},
		{"sqlite CONSTRAINT_UNIQUE", lite, sqliteError(2067), passes},
		{"sqlite ERROR", lite, sqliteError(1), passes},
		{"sqlite TOOBIG", lite, sqliteError(18), passes},
		{"sqlite SQLSTATE means nothing", lite, pgError("57P01"), passes},

		// The connection, whatever the database.
		{"SafeToRetry", pg, fmt.Errorf("x: %w", retryErr(true)), known},
		{"not SafeToRetry", pg, retryErr(false), passes},
		{"driver.ErrBadConn", pg, fmt.Errorf("sqlstore: %w", driver.ErrBadConn), known},
		{"driver.ErrBadConn sqlite", lite, driver.ErrBadConn, known},
		{"io.EOF", pg, fmt.Errorf("receive message failed: %w", io.EOF), unknown},
		{"io.ErrUnexpectedEOF", pg, io.ErrUnexpectedEOF, unknown},
		{"connection refused", pg, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, known},
		{"dial timeout", pg, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("i/o timeout")}, known},
		{"no such host", pg, &net.DNSError{Err: "no such host", Name: "db.internal", IsNotFound: true}, known},
		{"connection reset", pg, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, unknown},
		{"broken pipe", pg, &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}, unknown},
		{"read timeout", pg, &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, unknown},
		{"net.ErrClosed", pg, fmt.Errorf("x: %w", net.ErrClosed), unknown},
		{"sql.ErrConnDone", pg, sql.ErrConnDone, unknown},
		{"conn closed", pg, fmt.Errorf("sqlstore: %w", errors.New("conn closed")), unknown},
		{"pgconn.ErrConnClosed", pg, fmt.Errorf("sqlstore: %w", pgconn.ErrConnClosed), unknown},
		{"driver's own deadline", pg, fmt.Errorf("timeout: %w", context.DeadlineExceeded), unknown},

		// Not faults: bugs and the Store's own answers.
		{"a bug", pg, errors.New("sqlstore: something odd"), passes},
		{"sql.ErrNoRows", pg, sql.ErrNoRows, passes},
		{"ErrNotFound", pg, fmt.Errorf("%w: User x", store.ErrNotFound), passes},
		{"ConflictError", pg, &store.ConflictError{Attribute: "userName", Value: "a"}, passes},
		{"context.Canceled not the caller's", pg, context.Canceled, passes},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				op       string
				err      error
				atCommit bool
			}{
				{"Get", tt.err, false},
				{"Update", tt.err, false},
				{"Update", commitFailed(tt.err), true},
			} {
				got := tt.d.unavailable(ctx, c.op, c.err)
				if tt.want == passes {
					if got != c.err {
						t.Errorf("%s: unavailable(%v) = %v, want the error as it is", c.op, c.err, got)
					}
					continue
				}
				ue, ok := errors.AsType[*store.UnavailableError](got)
				if !ok {
					t.Errorf("%s: unavailable(%v) = %v, want an *UnavailableError", c.op, c.err, got)
					continue
				}
				if !errors.Is(got, store.ErrUnavailable) || !errors.Is(got, tt.err) || ue.Op != c.op || ue.Err != c.err {
					t.Errorf("%s: %#v: want Op %q, Err the cause, matching ErrUnavailable and the cause", c.op, ue, c.op)
				}
				if wantUnknown := tt.want == unknown && c.atCommit; ue.OutcomeUnknown != wantUnknown {
					t.Errorf("%s (at commit: %t): OutcomeUnknown %t, want %t", c.op, c.atCommit, ue.OutcomeUnknown, wantUnknown)
				}
			}
		})
	}
}

// Once the caller's context is done, its errors, and whatever the driver
// said after it, are the caller's business: they pass.
func TestUnavailablePassesTheCallersContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range []error{context.Canceled, fmt.Errorf("timeout: %w", context.Canceled), pgError("57014"), pgError("57P01"), retryErr(true)} {
		if got := Postgres().unavailable(ctx, "Update", commitFailed(err)); !errors.Is(got, err) || errors.Is(got, store.ErrUnavailable) {
			t.Errorf("unavailable(canceled ctx, %v) = %v, want it as it is", err, got)
		}
	}
}

// A read method's fault seen by a write method is a read after the
// commit (Create and Update read their result back): the write was
// applied, but the caller cannot know it.
func TestUnavailableReadBack(t *testing.T) {
	ctx := context.Background()
	read := Postgres().unavailable(ctx, "Get", pgError("57P01"))
	for _, op := range []string{"Create", "Update"} {
		got := Postgres().unavailable(ctx, op, read)
		ue, ok := errors.AsType[*store.UnavailableError](got)
		if !ok || ue.Op != op || !ue.OutcomeUnknown || !errors.Is(got, pgError("57P01")) {
			t.Errorf("%s reading back: %#v, want Op %s with OutcomeUnknown and the cause", op, got, op)
		}
	}
	if got := Postgres().unavailable(ctx, "List", read); got != read {
		t.Errorf("List over Get: %v, want it as it is", got)
	}
	written := &store.UnavailableError{Op: "Update", Err: pgError("57P01")}
	if got := Postgres().unavailable(ctx, "Update", written); got != written {
		t.Errorf("Update over Update: %v, want it as it is", got)
	}
}

// A BEGIN that failed for a fault runs again: nothing was done.
func TestRetryableBegin(t *testing.T) {
	tests := []struct {
		d    Dialect
		err  error
		want bool
	}{
		{Postgres(), beginFailed(pgError("57P01")), true},
		{Postgres(), beginFailed(io.ErrUnexpectedEOF), true},
		{Postgres(), beginFailed(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), true},
		{Postgres(), beginFailed(pgError("28P01")), false},
		{Postgres(), pgError("57P01"), false}, // mid-transaction: not rerun here
		{Postgres(), commitFailed(pgError("57P01")), false},
		{Postgres(), commitFailed(pgError("40001")), true},
		{SQLite(), beginFailed(sqliteError(10)), true},
		{SQLite(), beginFailed(sqliteError(1)), false},
		{SQLite(), sqliteError(5), true},
	}
	for _, tt := range tests {
		if got := tt.d.retryable(tt.err); got != tt.want {
			t.Errorf("%s retryable(%v) = %t, want %t", tt.d.name, tt.err, got, tt.want)
		}
	}
}

// The errors of the real drivers are recognised: a PostgreSQL port no
// one listens on, and a SQLite file that cannot be created.
func TestUnavailableRealDrivers(t *testing.T) {
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	db, err := sql.Open("pgx", "postgres://nobody@"+addr+"/none?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.PingContext(ctx)
	if ue, ok := errors.AsType[*store.UnavailableError](Postgres().unavailable(ctx, "Get", err)); !ok || ue.OutcomeUnknown {
		t.Errorf("pgx, nothing listening: %v, want unavailable", err)
	}

	lite, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	err = lite.PingContext(ctx)
	if ue, ok := errors.AsType[*store.UnavailableError](SQLite().unavailable(ctx, "Get", err)); !ok || ue.OutcomeUnknown {
		t.Errorf("sqlite, no directory: %v, want unavailable", err)
	}
}
