package oauth

import (
	"errors"
	"net/http"
)

// Error codes of RFC 6749 §5.2 (and 429's) the token endpoint answers.
const (
	CodeInvalidRequest       = "invalid_request"
	CodeInvalidClient        = "invalid_client"
	CodeInvalidGrant         = "invalid_grant"
	CodeUnauthorizedClient   = "unauthorized_client"
	CodeUnsupportedGrantType = "unsupported_grant_type"
	CodeInvalidScope         = "invalid_scope"
	CodeTemporarilyUnavail   = "temporarily_unavailable"
)

// Error is a token endpoint error response: Code is the RFC 6749 error
// code, Description the error_description sent to the client (never
// the precise reason of a failed client authentication, which is logged),
// Status the HTTP status. Err, when set, is the precise reason: one of
// the sentinel errors below or one of the AssertionVerifier (test with
// errors.Is).
type Error struct {
	Code        string
	Description string
	Status      int
	Err         error

	basic      bool  // answer with WWW-Authenticate: Basic
	retryAfter int64 // seconds, for 429
}

func (e *Error) Error() string {
	msg := "oauth: " + e.Code
	if e.Description != "" {
		msg += ": " + e.Description
	}
	if e.Err != nil {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Reasons a client authentication fails (logged; wrapped by the *Error of
// the response), and reasons the Authenticator refuses an issued token.
var (
	ErrUnknownClient     = errors.New("no client has this client_id")
	ErrWrongSecret       = errors.New("the client secret is not one of the client's secrets")
	ErrSecretExpired     = errors.New("the client secret has expired")
	ErrClientDisabled    = errors.New("the client is disabled")
	ErrThrottled         = errors.New("too many failed client authentications")
	ErrNotFederated      = errors.New("the client does not accept client assertions (no federation configured)")
	ErrAssertionMismatch = errors.New("the client assertion's tenant, audience or subject is not the client's federation")
	ErrReplayedAssertion = errors.New("the client assertion was already used (jti replay)")
	ErrReplayCacheFull   = errors.New("too many unexpired client assertions remembered")

	// ErrClientRevoked: the access token is valid, but its client has been
	// disabled or removed, or the secret it was issued for removed or
	// expired, since it was issued.
	ErrClientRevoked = errors.New("the access token's client or secret has been revoked")
)

func invalidRequest(desc string) *Error {
	return &Error{Code: CodeInvalidRequest, Description: desc, Status: http.StatusBadRequest}
}

func invalidClient(reason error) *Error {
	return &Error{Code: CodeInvalidClient, Description: "client authentication failed", Status: http.StatusUnauthorized, Err: reason}
}
