package scimcheck

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scimkit/internal/entracode"
)

// check is one read-only check in progress.
type check struct {
	r     *runner
	ctx   context.Context
	res   Result
	start time.Time
}

func (r *runner) begin(ctx context.Context, name string) *check {
	c := &check{r: r, ctx: ctx, res: Result{Check: name}, start: time.Now()}
	r.progress(c.res)
	return c
}

func (c *check) send(method, path string, withToken bool) *response {
	res := c.r.send(c.ctx, method, path, nil, withToken)
	c.res.Exchanges = append(c.res.Exchanges, res.ex)
	return res
}

func (c *check) done(s Status, format string, args ...any) {
	c.res.Status = s
	c.res.Message = fmt.Sprintf(format, args...)
	c.res.Duration = time.Since(c.start)
	c.r.add(c.res)
}

// failed ends the check as failed with Entra's code and the fix.
func (c *check) failed(code, fix string, res *response, format string, args ...any) {
	c.res.EntraCode, c.res.Fix = code, fix
	if res != nil && res.status != 0 {
		c.res.Quarantine = c.res.Quarantine || entracode.Quarantines(res.status)
	}
	c.done(Fail, format, args...)
}

// failStatus ends the check on an answer whose status is wrong for op.
func (c *check) failStatus(op entracode.Operation, res *response, want string) {
	if res.status == 0 {
		c.failed(entracode.ProtocolError, "make the endpoint reachable from Entra (AzureActiveDirectory service tag) and answer within the timeout",
			res, "no answer: %v", res.err)
		return
	}
	code := entracode.For(op, res.status, res.scimType())
	if op == entracode.TestConnection && code != "" {
		// Test Connection fails; a running job logs code and, for a
		// broken probe, is quarantined.
		code = entracode.CredentialValidationUnavailable + ", then " + code
		c.res.Quarantine = true
	}
	c.failed(code, fixFor(op, res.status), res, "%s %s answered %d, want %s", res.ex.Method, res.ex.URL, res.status, want)
}

func isSCIMJSON(res *response) bool {
	ct := res.header.Get("Content-Type")
	return strings.HasPrefix(ct, "application/scim+json") || strings.HasPrefix(ct, "application/json")
}

// checkReach measures a plain authenticated request.
func (r *runner) checkReach(ctx context.Context) bool {
	c := r.begin(ctx, "reachability")
	var worst time.Duration
	var last *response
	for range 3 {
		last = c.send(http.MethodGet, "/ServiceProviderConfig", true)
		if last.status == 0 {
			c.failed(entracode.CredentialValidationUnavailable, "make the Tenant URL reachable from the internet (Entra's AzureActiveDirectory service tag): DNS, firewall, port",
				last, "no answer from %s: %v", r.base, last.err)
			return false
		}
		worst = max(worst, last.ex.Duration)
	}
	if last.status == http.StatusUnauthorized || last.status == http.StatusForbidden {
		c.res.Quarantine = true
		c.failed(entracode.For(entracode.Discovery, last.status, ""), fixFor(entracode.Discovery, last.status), last,
			"the endpoint answers %d to the token: every request Entra sends will be refused", last.status)
		return true
	}
	if worst > r.cfg.slow() {
		c.res.Fix = "answer faster: Entra logs slow answers as Timeout and retries the whole object in 40 minutes"
		c.done(Warn, "slowest of 3 requests took %s (more than %s)", worst.Round(time.Millisecond), r.cfg.slow())
		return true
	}
	c.done(Pass, "answers in %s (slowest of 3)", worst.Round(time.Millisecond))
	return true
}

// checkTestConnection sends Test Connection exactly as Entra does.
func (r *runner) checkTestConnection(ctx context.Context) {
	c := r.begin(ctx, "test connection")
	res := c.send(http.MethodGet, "/Users?filter="+q(`userName eq "`+guid()+`"`), true)
	switch {
	case res.status != http.StatusOK:
		c.failStatus(entracode.TestConnection, res, `200 with an empty ListResponse (Entra: "SCIM Compliance issue")`)
	case !isSCIMJSON(res) || res.body == nil:
		c.failed(entracode.ServiceIncompatible, "answer with a SCIM ListResponse, Content-Type application/scim+json", res,
			"the answer is not SCIM JSON (Content-Type %q)", res.header.Get("Content-Type"))
	case listShape(res) != "":
		c.failed(entracode.ServiceIncompatible, "answer queries with an RFC 7644 §3.4.2 ListResponse", res, "%s", listShape(res))
	case total(res) != 0 || len(resources(res)) != 0:
		c.failed(entracode.DuplicateTargets, "evaluate filters: userName eq <random GUID> must find nothing", res,
			"a filter on a random GUID found %d users", total(res))
	default:
		c.done(Pass, "filter=userName eq \"<random GUID>\" → 200, totalResults 0")
	}
}

// checkDiscovery reads /ServiceProviderConfig, /ResourceTypes and
// /Schemas, and returns the /Schemas answer.
func (r *runner) checkDiscovery(ctx context.Context) *response {
	c := r.begin(ctx, "discovery")
	spc := c.send(http.MethodGet, "/ServiceProviderConfig", true)
	rts := c.send(http.MethodGet, "/ResourceTypes", true)
	sch := c.send(http.MethodGet, "/Schemas", true)
	var problems []string
	if spc.status != http.StatusOK || spc.body == nil {
		problems = append(problems, fmt.Sprintf("/ServiceProviderConfig answered %d", spc.status))
	} else if field(spc.body, "patch", "supported") != true {
		problems = append(problems, "/ServiceProviderConfig says patch is not supported; Entra updates by PATCH only")
	}
	if rts.status != http.StatusOK || rts.body == nil {
		problems = append(problems, fmt.Sprintf("/ResourceTypes answered %d", rts.status))
	} else {
		var names []string
		for _, rt := range resources(rts) {
			if n, ok := rt["name"].(string); ok {
				names = append(names, n)
			}
		}
		for _, want := range []string{"User", "Group"} {
			if !slices.Contains(names, want) {
				problems = append(problems, "/ResourceTypes has no "+want)
			}
		}
	}
	if sch.status != http.StatusOK || sch.body == nil || listShape(sch) != "" {
		c.res.Exchanges = []Exchange{sch.ex}
		c.failed(entracode.For(entracode.Discovery, sch.status, ""), "serve /Schemas as an RFC 7643 §7 ListResponse of schemas: Entra's schema editor and Microsoft's validator read it",
			sch, "/Schemas answered %d%s", sch.status, map[bool]string{true: ": " + listShape(sch), false: ""}[sch.status == http.StatusOK && sch.body != nil])
		return nil
	}
	if len(problems) > 0 {
		c.res.Fix = "serve the RFC 7644 §4 discovery endpoints; Entra's non-gallery job does not read them, but gallery validation and other clients do"
		c.done(Warn, "%s", strings.Join(problems, "; "))
		return sch
	}
	c.done(Pass, "/ServiceProviderConfig (PATCH supported), /ResourceTypes (User, Group), /Schemas (%d schemas)", len(resources(sch)))
	return sch
}

// checkSchemas checks that every attribute of the mappings is in /Schemas.
func (r *runner) checkSchemas(ctx context.Context, sch *response) {
	c := r.begin(ctx, "schema discoverability")
	if sch == nil {
		c.done(Skip, "/Schemas could not be read")
		return
	}
	c.res.Exchanges = []Exchange{sch.ex}
	declared := map[string]map[string]bool{} // schema id (lower) → attribute paths (lower)
	var ids []string
	for _, s := range resources(sch) {
		id, _ := s["id"].(string)
		if id == "" {
			continue
		}
		ids = append(ids, id)
		paths := map[string]bool{}
		attrs, _ := s["attributes"].([]any)
		for _, a := range attrs {
			am, _ := a.(map[string]any)
			n, _ := am["name"].(string)
			if n == "" {
				continue
			}
			paths[strings.ToLower(n)] = true
			subs, _ := am["subAttributes"].([]any)
			for _, sa := range subs {
				sm, _ := sa.(map[string]any)
				if sn, _ := sm["name"].(string); sn != "" {
					paths[strings.ToLower(n+"."+sn)] = true
				}
			}
		}
		declared[strings.ToLower(id)] = paths
	}
	cores := map[string]string{"User": "urn:ietf:params:scim:schemas:core:2.0:User", "Group": "urn:ietf:params:scim:schemas:core:2.0:Group"}
	attrs := append(DefaultAttributes(), r.cfg.Attributes...)
	var missing []string
	n := 0
	for _, a := range attrs {
		core, ok := cores[a.Resource]
		if !ok {
			core = a.Resource
		}
		schema, path := schemaPath(a.Name, core, ids)
		n++
		// active, externalId, id … are common attributes some servers
		// leave out of /Schemas (RFC 7643 §3.1); Entra's schema editor
		// lists them anyway.
		if path == "externalid" || path == "id" {
			continue
		}
		if !declared[strings.ToLower(schema)][path] {
			missing = append(missing, fmt.Sprintf("%s %s (%s in %s)", a.Resource, a.Name, path, schema))
		}
	}
	if len(missing) > 0 {
		c.failed(entracode.SchemaAttributeNotFound,
			"declare these attributes in /Schemas (and accept them), or remove them from the attribute mapping in Entra (Provisioning → Mappings)",
			nil, "%d of %d mapped attributes are not in /Schemas: %s", len(missing), n, strings.Join(missing, "; "))
		return
	}
	c.done(Pass, "all %d mapped attributes are in /Schemas", n)
}

// checkUnauthorized sends Test Connection without a token.
func (r *runner) checkUnauthorized(ctx context.Context) {
	c := r.begin(ctx, "401 without a token")
	res := c.send(http.MethodGet, "/Users?filter="+q(`userName eq "`+guid()+`"`), false)
	wa := res.header.Get("WWW-Authenticate")
	switch {
	case res.status == 0:
		c.failStatus(entracode.TestConnection, res, "401")
	case res.status < 300:
		c.failed("", "require a bearer token on every request: without one the endpoint serves anyone", res,
			"the endpoint answered %d to a request without a token", res.status)
	case res.status != http.StatusUnauthorized:
		c.failed(entracode.For(entracode.TestConnection, res.status, ""), "answer a missing or invalid token with 401 and WWW-Authenticate: Bearer (RFC 6750 §3)", res,
			"a request without a token answered %d, want 401", res.status)
	case !strings.HasPrefix(strings.ToLower(wa), "bearer"):
		c.res.Quarantine = true
		c.failed(entracode.Unauthorized+" → "+entracode.QuarantineException,
			`send "WWW-Authenticate: Bearer realm=…" with every 401 (RFC 6750 §3): OAuth clients and Microsoft's validator expect it to tell a bad token from a broken endpoint`,
			res, "the 401 has no WWW-Authenticate: Bearer challenge (got %q)", wa)
	default:
		c.done(Pass, "401 with WWW-Authenticate: %s", excerpt(wa, 80))
	}
}

// checkExcludedMembers asks for groups without members, as Entra does.
func (r *runner) checkExcludedMembers(ctx context.Context) {
	c := r.begin(ctx, "excludedAttributes=members")
	res := c.send(http.MethodGet, "/Groups?excludedAttributes=members&filter="+q(`displayName eq "`+guid()+`"`), true)
	if res.status != http.StatusOK {
		c.failStatus(entracode.TestConnection, res, "200 with an empty ListResponse")
		return
	}
	if msg := listShape(res); msg != "" || total(res) != 0 {
		c.failed(entracode.ServiceIncompatible, "answer a group filter that matches nothing with 200 and totalResults 0", res, "%s (totalResults %d)", cmpOr(msg, "a filter on a random GUID found groups"), total(res))
		return
	}
	res = c.send(http.MethodGet, "/Groups?excludedAttributes=members&startIndex=1&count=10", true)
	if res.status != http.StatusOK || listShape(res) != "" {
		c.failStatus(entracode.List, res, "200 with a ListResponse")
		return
	}
	groups := resources(res)
	for _, g := range groups {
		if g["members"] != nil {
			c.failed(entracode.MultipleEntries, "honour excludedAttributes=members on GET /Groups and /Groups/{id}: Entra asks for groups without members and fails on the member list", res,
				"group %v came back with members despite excludedAttributes=members", g["id"])
			return
		}
	}
	if len(groups) == 0 {
		c.done(Pass, "group filter → 200, totalResults 0 (no group exists to check that members are left out; -write checks it)")
		return
	}
	c.done(Pass, "%d groups listed without members", len(groups))
}
