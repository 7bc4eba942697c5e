// Package entracode names a SCIM endpoint's answers as Microsoft Entra's
// provisioning log does: the provisioning operation Entra was performing
// and the error code its admin sees for the answer. The scim Handler's
// request events and cmd/scimcheck both use it, so the two agree. The
// codes come from Microsoft's provisioning error table and observed cases
// (shared/entra-behaviour.md §5 and §10).
package entracode

// Operation is a provisioning operation as Entra would name it.
type Operation string

// The operations. Update covers PUT and the PATCHes that are none of
// Disable, Enable, MemberAdd, MemberRemove and GroupRename.
const (
	TestConnection Operation = "test connection" // filter on a random userName, expecting none
	Match          Operation = "match"           // a filter on the matching attribute
	Get            Operation = "get"             // GET of one resource by id
	List           Operation = "list"            // any other list or search
	Create         Operation = "create"
	Update         Operation = "update"
	Disable        Operation = "disable"
	Enable         Operation = "enable"
	Delete         Operation = "delete"
	MemberAdd      Operation = "member add"
	MemberRemove   Operation = "member remove"
	GroupRename    Operation = "group rename"
	Discovery      Operation = "discovery" // /Schemas, /ResourceTypes, /ServiceProviderConfig
	Bulk           Operation = "bulk"
	Other          Operation = "other"
)

// The codes Entra's provisioning log shows (a selection: those a SCIM
// endpoint's answer produces).
const (
	BadRequest          = "SystemForCrossDomainIdentityManagementBadRequest"
	ServiceIncompatible = "SystemForCrossDomainIdentityManagementServiceIncompatible"
	MultipleEntries     = "SystemForCrossDomainIdentityManagementMultipleEntriesInResponse"
	DuplicateTargets    = "DuplicateTargetEntries"
	Conflict            = "EntryConflict"
	InvalidAnchor       = "InvalidAnchor"
	Unauthorized        = "Unauthorized"
	InsufficientRights  = "InsufficientRights"
	MethodNotAllowed    = "MethodNotAllowed"
	Unprocessable       = "UnprocessableEntity"
	NotImplemented      = "NotImplemented"
	TooManyRequests     = "TooManyRequests"
	InternalServerError = "InternalServerError"
	Timeout             = "Timeout"

	// SchemaAttributeNotFound: an attribute in the mapping is not one the
	// target accepts (here: not in /Schemas).
	SchemaAttributeNotFound = "SchemaAttributeNotFound"
	// ProtocolError: the connection itself failed (TLS, reset, not HTTP).
	ProtocolError = "WebExceptionProtocolError"
	// CredentialValidationUnavailable: Test Connection could not complete
	// (unreachable endpoint, untrusted certificate, failed answer).
	CredentialValidationUnavailable = "CredentialValidationUnavailable" // as Graph's validateCredentials reports it (entra-behaviour §3.1)
	// QuarantineException: the job's quarantine reason for credentials
	// refused again and again.
	QuarantineException = "EncounteredQuarantineException"
)

// For returns the code Entra's provisioning log shows when an endpoint
// answers op with status and scimType, or "" for an answer Entra takes
// as success. A 400 to a PATCH means Entra's PATCH shape is not
// understood (ServiceIncompatible); to a create or another write, a
// rejected value (BadRequest). A 404 on a resource Entra had linked is
// InvalidAnchor; on a filter (test connection, match) it breaks the
// contract that no match is an empty list, and Entra quarantines the job.
func For(op Operation, status int, scimType string) string {
	switch {
	case status < 300:
		return ""
	case status == 400:
		switch op {
		case Update, Disable, Enable, MemberAdd, MemberRemove, GroupRename:
			if scimType == "invalidSyntax" || scimType == "invalidPath" || scimType == "noTarget" {
				return ServiceIncompatible
			}
			return BadRequest
		case TestConnection, Match, List:
			return ServiceIncompatible
		}
		return BadRequest
	case status == 401:
		return Unauthorized
	case status == 403:
		return InsufficientRights
	case status == 404:
		switch op {
		case TestConnection, Match, List, Discovery:
			return ServiceIncompatible
		}
		return InvalidAnchor
	case status == 405:
		return MethodNotAllowed
	case status == 409:
		return Conflict
	case status == 412:
		return Conflict
	case status == 413:
		return BadRequest
	case status == 422:
		return Unprocessable
	case status == 429:
		return TooManyRequests
	case status == 501:
		return NotImplemented
	case status == 504, status == 499:
		// 499: the client closed the request: Entra gave up waiting,
		// and logs a timeout.
		return Timeout
	case status >= 500:
		return InternalServerError
	}
	return ServiceIncompatible
}

// ForResults is For for an answer that listed results resources: a
// test connection or match answered 200 with more than one is
// DuplicateTargets (Entra provisions one object per match).
func ForResults(op Operation, status int, scimType string, results int) string {
	if status == 200 && results > 1 && (op == Match || op == TestConnection) {
		return DuplicateTargets
	}
	return For(op, status, scimType)
}

// Quarantines reports whether answers with status, repeated, put Entra's
// provisioning job in quarantine (EncounteredQuarantineException for
// credentials; the escrow threshold for a burst of failures, timeouts
// among them).
func Quarantines(status int) bool {
	return status == 401 || status == 403 || status == 499 || status >= 500
}
