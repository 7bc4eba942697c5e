package scimcheck

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/scimkit/scimkit/internal/entracode"
)

// session runs one client's cycle as a series of steps. A failed step
// ends the cycle (what follows depends on it), like t.Fatal ends a test:
// fail panics with abort, which the cycle recovers.
type session struct {
	ctx    context.Context
	r      *runner
	client Client

	step  string
	op    entracode.Operation
	start time.Time
	ex    []Exchange
	open  bool
}

// abort unwinds a cycle after a failed or interrupted step.
type abort struct{}

// run plays cycle and records each step; it returns when the cycle ends
// or a step fails.
func (r *runner) play(ctx context.Context, client Client, cycle func(*session)) {
	s := &session{ctx: ctx, r: r, client: client}
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(abort); !ok {
				panic(v)
			}
			if ctx.Err() == nil {
				r.add(Result{Client: string(client), Check: "rest of the cycle", Status: Skip,
					Message: "not run: the next steps need the failed one (fix it and run again)"})
			}
		}
	}()
	cycle(s)
	s.close()
}

// begin starts a step, closing the previous one as passed.
func (s *session) begin(step string, op entracode.Operation) {
	s.close()
	if err := s.ctx.Err(); err != nil {
		s.r.rep.Interrupted = true
		s.r.add(Result{Client: string(s.client), Check: step, Status: Skip, Message: "interrupted: " + err.Error()})
		panic(abort{})
	}
	s.step, s.op, s.start, s.ex, s.open = step, op, time.Now(), nil, true
	s.r.progress(Result{Client: string(s.client), Check: step})
}

func (s *session) close() {
	if !s.open {
		return
	}
	s.open = false
	s.r.add(Result{Client: string(s.client), Check: s.step, Status: Pass, Message: summarize(s.ex), Exchanges: s.ex, Duration: time.Since(s.start)})
}

// summarize is a passed step's message: its requests and their statuses.
func summarize(ex []Exchange) string {
	parts := make([]string, 0, len(ex))
	for _, e := range ex {
		path := e.URL
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i] + "?…"
		}
		parts = append(parts, fmt.Sprintf("%s %s %d", e.Method, excerpt(path, 48), e.Status))
	}
	return strings.Join(parts, ", ")
}

// do sends a request of the current step.
func (s *session) do(method, path string, body any) *response {
	res := s.r.send(s.ctx, method, path, body, true)
	s.ex = append(s.ex, res.ex)
	if res.err != nil && res.status == 0 {
		s.failWith(res, entracode.ProtocolError, "make the endpoint reachable from Entra (AzureActiveDirectory service tag) and answer within the timeout",
			"no answer: %v", res.err)
	}
	return res
}

// fail ends the cycle with a failed step. The Entra code is the one
// Entra logs for res (none when res is nil: a wrong value Entra does not
// notice, the provisioned data is silently wrong).
func (s *session) fail(res *response, format string, args ...any) {
	code, fix := "", ""
	if res != nil {
		code = entracode.For(s.op, res.status, res.scimType())
		fix = fixFor(s.op, res.status)
	}
	s.failWith(res, code, fix, format, args...)
}

// failWith ends the cycle with a failed step and the given Entra code and
// fix.
func (s *session) failWith(res *response, code, fix, format string, args ...any) {
	s.open = false
	q := false
	if res != nil && res.status != 0 {
		q = entracode.Quarantines(res.status)
	}
	if code == "" && res == nil {
		fix = cmpOr(fix, "Entra reports success but the endpoint did not apply the change: fix the endpoint's handling of this request")
	}
	s.r.add(Result{
		Client: string(s.client), Check: s.step, Status: Fail,
		Message: fmt.Sprintf(format, args...), EntraCode: code, Quarantine: q, Fix: fix,
		Exchanges: s.ex, Duration: time.Since(s.start),
	})
	panic(abort{})
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *session) expectStatus(res *response, want ...int) {
	for _, w := range want {
		if res.status == w {
			if res.status >= 200 && res.status < 300 && res.status != http.StatusNoContent {
				if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") && !strings.HasPrefix(ct, "application/json") {
					s.failWith(res, entracode.ServiceIncompatible, "answer with Content-Type: application/scim+json",
						"Content-Type %q: Entra expects application/scim+json", ct)
				}
				if res.status != http.StatusNoContent && res.body == nil {
					s.failWith(res, entracode.ServiceIncompatible, "answer with a SCIM JSON object",
						"the %d answer is not a JSON object", res.status)
				}
			}
			return
		}
	}
	s.fail(res, "status %d, want %s", res.status, statusList(want))
}

func statusList(want []int) string {
	s := make([]string, len(want))
	for i, w := range want {
		s[i] = fmt.Sprint(w)
	}
	return strings.Join(s, " or ")
}

func (s *session) create(path string, body any) string {
	res := s.do(http.MethodPost, path, body)
	s.expectStatus(res, http.StatusCreated, http.StatusOK)
	id, _ := res.body["id"].(string)
	if id == "" {
		s.failWith(res, entracode.ServiceIncompatible, "return the created resource with its id",
			"the created resource has no id; Entra caches it for every later request")
	}
	return id
}

// get reads a resource and fails unless it is there.
func (s *session) get(path string) map[string]any {
	res := s.do(http.MethodGet, path, nil)
	s.expectStatus(res, http.StatusOK)
	return res.body
}

// list runs a query and returns its ListResponse, checked for shape.
func (s *session) list(path string) *response {
	res := s.do(http.MethodGet, path, nil)
	s.expectStatus(res, http.StatusOK)
	if msg := listShape(res); msg != "" {
		s.failWith(res, entracode.ServiceIncompatible, "answer queries with an RFC 7644 §3.4.2 ListResponse", "%s", msg)
	}
	return res
}

// listShape says what is wrong with a ListResponse, or "".
func listShape(res *response) string {
	schemas, _ := res.body["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:ListResponse" {
		return fmt.Sprintf("not a ListResponse (schemas %v)", res.body["schemas"])
	}
	for _, k := range []string{"totalResults", "startIndex", "itemsPerPage"} {
		if _, ok := res.body[k].(json.Number); !ok {
			return k + " must be an integer"
		}
	}
	if r, ok := res.body["Resources"]; ok && r != nil {
		if _, ok := r.([]any); !ok {
			return "Resources must be an array"
		}
	}
	return ""
}

func (s *session) patchOK(path string, body string) {
	res := s.do(http.MethodPatch, path, body)
	s.expectStatus(res, http.StatusOK, http.StatusNoContent)
}

func (s *session) deleteOK(path string) {
	res := s.do(http.MethodDelete, path, nil)
	s.expectStatus(res, http.StatusNoContent, http.StatusOK)
	res = s.do(http.MethodGet, path, nil)
	if res.status != http.StatusNotFound {
		s.failWith(res, entracode.InvalidAnchor, "a deleted resource must answer 404",
			"GET after DELETE answered %d, want 404", res.status)
	}
}

func total(res *response) int {
	n, _ := res.body["totalResults"].(json.Number).Int64()
	return int(n)
}

func resources(res *response) []map[string]any {
	arr, _ := res.body["Resources"].([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// guid returns a random version-4 UUID, as Entra's Test Connection uses.
func guid() string {
	h := randomHex(16)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// q encodes a filter the way Entra does: spaces as +, quotes as %22.
func q(filter string) string {
	r := strings.NewReplacer(" ", "+", `"`, "%22", "[", "%5B", "]", "%5D")
	return r.Replace(filter)
}

// field walks a decoded resource: field(u, "name", "familyName").
func field(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[k]
	}
	return v
}

// elements returns the elements of a multi-valued attribute matching
// key == value.
func elements(m map[string]any, attr, key, value string) []map[string]any {
	arr, _ := m[attr].([]any)
	var out []map[string]any
	for _, e := range arr {
		if em, ok := e.(map[string]any); ok && em[key] == value {
			out = append(out, em)
		}
	}
	return out
}

// fixFor is the operator's fix for an answer Entra logs as an error.
func fixFor(op entracode.Operation, status int) string {
	switch {
	case status == 401:
		return "the endpoint refuses the token: give Entra's Secret Token field exactly the token the endpoint accepts (or fix the endpoint's token validation); repeated 401s quarantine the job"
	case status == 403:
		return "the token is valid but not allowed to do this: grant the provisioning principal write access"
	case status == 404 && (op == entracode.TestConnection || op == entracode.Match || op == entracode.List):
		return "answer a filter that matches nothing with 200 and an empty ListResponse (totalResults 0), never 404"
	case status == 404:
		return "the Tenant URL or the resource path is wrong, or the resource Entra created is gone: check the path (/Users, /Groups) and that ids stay stable"
	case status == 400 && (op == entracode.Update || op == entracode.Disable || op == entracode.Enable || op == entracode.MemberAdd || op == entracode.MemberRemove || op == entracode.GroupRename):
		return `accept the PATCH shapes Entra and Okta send: op names in any case ("Add", "Replace", "Remove"), value-filtered paths (emails[type eq "work"].value), string booleans ("True"/"False"), path-less replaces with dotted or URN keys (and id in the value), members removed by value`
	case status == 400 || status == 422:
		return "the endpoint rejects a value Entra sends: read the detail in the response and accept (or ignore) that attribute"
	case status == 409:
		return "a unique value is taken: delete the conflicting object or change Entra's matching attribute so it finds it"
	case status == 405 || status == 501:
		return "implement this method: Entra uses GET, POST, PATCH and DELETE on /Users and /Groups"
	case status == 429:
		return "raise the rate limit for Entra's provisioning service or send Retry-After"
	case status >= 500:
		return "the endpoint failed: look up this request in its log (the X-Request-Id response header)"
	}
	return "answer as RFC 7644 says for this request"
}

// matchFail fails a step whose filter found the wrong number of
// resources: more than one is Entra's DuplicateTargetEntries.
func (s *session) matchFail(res *response, format string, args ...any) {
	code := entracode.ServiceIncompatible
	if total(res) > 1 || len(resources(res)) > 1 {
		code = entracode.DuplicateTargets
	}
	s.failWith(res, code, `evaluate the filter: "attr eq value" must return exactly the resources whose attr equals value (case-insensitively for userName), and 200 with totalResults 0 when none does`,
		format+fmt.Sprintf(" (totalResults %d)", total(res)), args...)
}

// namePrefix starts every name this run gives an object.
func (r *runner) namePrefix() string { return r.cfg.prefix() + r.runID + "-" }
