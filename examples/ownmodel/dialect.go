package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/store"
)

// dialect is everything that differs between SQLite and PostgreSQL in this
// example. The SQL elsewhere is portable: written with ? placeholders,
// TEXT, BIGINT and BOOLEAN columns, and no vendor functions.
type dialect struct {
	name string // "sqlite" or "postgres"

	// timestamp is the column type for times: PostgreSQL's timestamptz;
	// SQLite has none, and modernc.org/sqlite reads a column declared
	// TIMESTAMP back as a time.Time. It stores the text of
	// time.Time.String ("2026-01-01 00:00:00.0001 +0000 UTC"), which
	// sorts and compares as the times do as long as every time is UTC
	// and has a four-digit year: the store writes only such times.
	timestamp string

	// forUpdate locks the row a transaction read until it commits.
	// SQLite needs none: the DSN opens every transaction with BEGIN
	// IMMEDIATE, which holds the database's write lock throughout.
	forUpdate string
}

var (
	sqliteDialect   = dialect{name: "sqlite", timestamp: "TIMESTAMP"}
	postgresDialect = dialect{name: "postgres", timestamp: "TIMESTAMPTZ", forUpdate: " FOR UPDATE"}
)

// rebind turns the ? placeholders of q into $1, $2 … for PostgreSQL. The
// queries of this example hold no ? in a literal.
func (d dialect) rebind(q string) string {
	if d.name != "postgres" {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] != '?' {
			b.WriteByte(q[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// isUnique reports whether err is a unique-constraint violation: SQLSTATE
// 23505 from pgx, SQLITE_CONSTRAINT_UNIQUE (2067) from modernc.org/sqlite.
// Both drivers' errors are matched by method, so neither is imported here.
func isUnique(err error) bool {
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		return pg.SQLState() == "23505"
	}
	var lite interface{ Code() int }
	return errors.As(err, &lite) && lite.Code() == 2067
}

// isForeignKey reports whether err is a foreign-key violation (23503;
// SQLITE_CONSTRAINT_FOREIGNKEY, 787): a member deleted between the check
// and the insert of its membership.
func isForeignKey(err error) bool {
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		return pg.SQLState() == "23503"
	}
	var lite interface{ Code() int }
	return errors.As(err, &lite) && lite.Code() == 787
}

// unavailable reports whether err is the database's fault rather than the
// request's, so that the Handler answers 503 and Entra retries: a lost
// connection, a server shutting down or out of resources, a deadlock or
// serialisation failure (PostgreSQL classes 08, 53, 57P, 40), a lock wait
// past the busy timeout (SQLITE_BUSY, SQLITE_LOCKED). A simplification of
// what store/sqlstore classifies (faults.go there).
func unavailable(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		c := pg.SQLState()
		return strings.HasPrefix(c, "08") || strings.HasPrefix(c, "53") || strings.HasPrefix(c, "57P") || strings.HasPrefix(c, "40")
	}
	var lite interface{ Code() int }
	return errors.As(err, &lite) && (lite.Code()&0xff == 5 || lite.Code()&0xff == 6)
}

// fault wraps a database error for the Handler: an *store.UnavailableError
// when the database is at fault, else the error with context.
func (s *accountStore) fault(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if unavailable(err) {
		return &store.UnavailableError{Err: err}
	}
	return fmt.Errorf("ownmodel: %w", err)
}

// retryable reports whether err is a transaction PostgreSQL aborted so
// that another could go on (deadlock_detected, serialization_failure):
// running it again is what to do.
func retryable(err error) bool {
	var pg interface{ SQLState() string }
	return errors.As(err, &pg) && (pg.SQLState() == "40P01" || pg.SQLState() == "40001")
}
