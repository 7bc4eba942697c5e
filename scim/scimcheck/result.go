package scimcheck

import (
	"net/http"
	"time"
)

// Status is the outcome of one check.
type Status string

// The statuses. Only Fail makes a Report fail.
const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
	Warn Status = "WARN"
	Skip Status = "SKIP" // not run: an earlier failure or an interruption made it moot
)

// Result is the outcome of one check.
type Result struct {
	// Client is the provisioning client whose step this is ("entra",
	// "entra(aadOptscim062020)", "okta"), or "" for a read-only check.
	Client string `json:"client,omitempty"`
	// Check names the check or step, e.g. "test connection".
	Check  string `json:"check"`
	Status Status `json:"status"`
	// Message says what was found.
	Message string `json:"message,omitempty"`
	// EntraCode is the code Entra's provisioning log shows for this
	// answer (entracode), when it is an error Entra logs.
	EntraCode string `json:"entraCode,omitempty"`
	// Quarantine reports that Entra puts the provisioning job in
	// quarantine when it gets this answer repeatedly.
	Quarantine bool `json:"quarantine,omitempty"`
	// Fix is what to change, in the operator's terms.
	Fix string `json:"fix,omitempty"`
	// Exchanges are the requests the check made, in order; on a failure
	// the last one is the one that failed.
	Exchanges []Exchange    `json:"exchanges,omitempty"`
	Duration  time.Duration `json:"durationNs"`
}

// Exchange is one request and its answer.
type Exchange struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	// RequestHeader is the request's header with the Authorization value
	// redacted.
	RequestHeader http.Header `json:"requestHeader,omitempty"`
	RequestBody   string      `json:"requestBody,omitempty"`
	// Status is 0 when no answer came (Err says why).
	Status         int           `json:"status"`
	ResponseHeader http.Header   `json:"responseHeader,omitempty"`
	ResponseBody   string        `json:"responseBody,omitempty"`
	Err            string        `json:"error,omitempty"`
	Duration       time.Duration `json:"durationNs"`
}

// Report is the outcome of a run.
type Report struct {
	URL     string   `json:"url"`
	Write   bool     `json:"write"`
	Results []Result `json:"results"`
	// Interrupted reports that the context ended before every check ran;
	// the objects created were still deleted.
	Interrupted bool `json:"interrupted,omitempty"`
	// Leftovers are objects created by the run that could not be deleted
	// (paths relative to the URL). Empty after a clean run.
	Leftovers []string `json:"leftovers,omitempty"`
}

// Failed reports whether a check failed or objects were left behind.
func (r *Report) Failed() bool {
	if len(r.Leftovers) > 0 {
		return true
	}
	for _, res := range r.Results {
		if res.Status == Fail {
			return true
		}
	}
	return false
}

// Count returns how many results have status s.
func (r *Report) Count(s Status) int {
	n := 0
	for _, res := range r.Results {
		if res.Status == s {
			n++
		}
	}
	return n
}
