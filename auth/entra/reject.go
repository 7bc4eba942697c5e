package entra

import "github.com/scimkit/scimkit/auth/internal/reject"

func rejectErr(reason error, msg string) error { return reject.New(reason, msg) }

func quote(s string) string { return reject.Quote(s) }
