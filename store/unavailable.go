package store

// UnavailableError is a fault of the store's backend rather than of the
// request: the same request may succeed later. A Store returns it for
//
//   - a lost connection (reset, closed, killed by an administrator);
//   - a database shutting down, restarting or still starting up;
//   - a timeout talking to the database (not the caller's own context:
//     context.Canceled and context.DeadlineExceeded of ctx are returned
//     as they are);
//   - too many connections or other exhausted resources (memory, disk);
//   - serialisation failures and deadlocks that persist after the Store's
//     own retries, and lock waits that time out (SQLite's busy timeout).
//
// It matches ErrUnavailable with errors.Is, and Unwrap returns the cause
// for logging; the Handler never shows the cause to the client.
//
// A write whose commit was under way when the connection was lost may or
// may not have been applied: the Store sets OutcomeUnknown, and the
// Handler says so in its log. OutcomeUnknown false on a write means the
// write was not applied.
type UnavailableError struct {
	Op  string // the Store method that failed: "Create", "Get" …
	Err error  // the cause, as the database driver reported it

	// OutcomeUnknown: the write may or may not have been applied (the
	// connection was lost during the commit, or after it, before the Store
	// could read the result back).
	OutcomeUnknown bool
}

func (e *UnavailableError) Error() string {
	msg := "store: unavailable"
	if e.Op != "" {
		msg = "store: " + e.Op + ": unavailable"
	}
	if e.OutcomeUnknown {
		msg += " (the write may or may not have been applied)"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Unwrap returns the cause.
func (e *UnavailableError) Unwrap() error { return e.Err }
