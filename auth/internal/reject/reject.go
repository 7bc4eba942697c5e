// Package reject builds the rejection errors of scimkit's authenticators:
// an error that wraps one sentinel reason (for errors.Is) and carries a
// precise message for the log (never the token).
package reject

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// rejection is a reason (one of the sentinels) with its precise message.
type rejection struct {
	reason error
	msg    string
}

func (r *rejection) Error() string { return r.msg }
func (r *rejection) Unwrap() error { return r.reason }

// New returns an error whose text is msg and which wraps reason.
func New(reason error, msg string) error { return &rejection{reason: reason, msg: msg} }

// MaxQuoted is the most bytes of a value taken from a token that a
// rejection's text quotes.
const MaxQuoted = 128

// Quote returns s quoted, as %q does, for a rejection's text. A value
// longer than MaxQuoted bytes (claims are the sender's choice, and the
// text is logged on every request) is cut there, at a rune boundary, and
// followed by "…" and its length.
func Quote(s string) string {
	if len(s) <= MaxQuoted {
		return strconv.Quote(s)
	}
	cut := MaxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(s[:cut]), len(s))
}
