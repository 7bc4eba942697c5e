package sqlstore

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
)

// Dialect adapts the store to one database.
type Dialect struct {
	name       string
	jsonType   string // column type for documents
	forUpdate  string // row-lock suffix for SELECT in a transaction
	forShare   string // shared row-lock suffix: rows that must not vanish before commit
	skipLocked string // Claim's lock suffix on the consumer rows (alias k)
	migrateSQL string // statement taking the migration lock inside the transaction
	isUnique   func(error) bool
	retryable  func(error) bool  // a transaction that failed so may simply run again
	fault      func(error) fault // whether an error is the database's fault (faults.go)
}

// Postgres is the dialect for PostgreSQL (driver: github.com/jackc/pgx/v5/stdlib).
func Postgres() Dialect {
	return Dialect{
		name:       "postgres",
		jsonType:   "jsonb",
		forUpdate:  " FOR UPDATE",
		forShare:   " FOR SHARE",
		skipLocked: " FOR UPDATE OF k SKIP LOCKED",
		migrateSQL: "SELECT pg_advisory_xact_lock(7263516452)",
		isUnique: func(err error) bool {
			var e interface{ SQLState() string }
			return errors.As(err, &e) && e.SQLState() == "23505"
		},
		retryable: func(err error) bool {
			var e interface{ SQLState() string }
			// deadlock_detected, serialization_failure; a BEGIN on a dead connection
			return errors.As(err, &e) && (e.SQLState() == "40P01" || e.SQLState() == "40001") || rerunBegin(err, postgresFault)
		},
		fault: postgresFault,
	}
}

// SQLite is the dialect for SQLite (driver: modernc.org/sqlite). Open the
// database with _txlock=immediate and a busy_timeout, as sqlstore/sqlite.Open does,
// so that transactions take the write lock up front.
func SQLite() Dialect {
	return Dialect{
		name:     "sqlite",
		jsonType: "text",
		isUnique: func(err error) bool {
			var e interface{ Code() int }
			if errors.As(err, &e) {
				// SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
				return e.Code() == 2067 || e.Code() == 1555
			}
			return false
		},
		retryable: func(err error) bool {
			var e interface{ Code() int }
			// SQLITE_BUSY and SQLITE_LOCKED, past the busy timeout; a failed BEGIN
			return errors.As(err, &e) && (e.Code()&0xff == 5 || e.Code()&0xff == 6) || rerunBegin(err, sqliteFault)
		},
		fault: sqliteFault,
	}
}

// rebind turns ? placeholders into $1, $2 … for PostgreSQL. Queries are
// written by this package and hold no ? in literals.
func (d Dialect) rebind(q string) string {
	if d.name != "postgres" {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// maxKeyBytes is the longest unique key PostgreSQL keeps as it is. A
// btree entry holds about 2.7 KB; longer keys are kept hashed.
const maxKeyBytes = 1024

// hashedPrefix starts a hashed key. A key that itself starts so is hashed
// too, so no value can pose as another's hash.
const hashedPrefix = "sha256:"

// indexKey is how a unique key is kept in scimkit_unique, whose primary
// key indexes it: as it is, or in PostgreSQL, when longer than maxKeyBytes,
// as its SHA-256. Comparisons of keys stay exact (a collision of SHA-256
// is not a concern); only the index entry is short.
func (d Dialect) indexKey(k string) string {
	if d.name != "postgres" || len(k) <= maxKeyBytes && !strings.HasPrefix(k, hashedPrefix) {
		return k
	}
	h := sha256.Sum256([]byte(k))
	return hashedPrefix + hex.EncodeToString(h[:])
}

// externalIDEquals is the condition r.external_id = value, written so
// that it uses the index on external_id: in PostgreSQL that index holds
// the first 256 characters only (so a long externalId fits a btree entry).
func (d Dialect) externalIDEquals(value string) frag {
	if d.name == "postgres" {
		return cat("left(r.external_id, 256) = left(", bind{value}, ", 256) AND r.external_id = ", bind{value})
	}
	return cat("r.external_id = ", bind{value})
}
