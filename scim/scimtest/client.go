package scimtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Options configure a replay.
type Options struct {
	// Token is sent as "Authorization: Bearer <Token>". Empty: no header.
	Token string
	// Prefix is prepended to every path, e.g. "/scim/v2" when h is a mux
	// that mounts the endpoint there. Empty: h serves /Users directly.
	Prefix string
}

// client sends requests straight into the handler and logs each step.
type client struct {
	t      testing.TB
	h      http.Handler
	o      Options
	client string // "entra", "okta"
	step   string
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (c *client) do(method, path string, body any) *response {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		default:
			data, err := json.Marshal(b)
			if err != nil {
				c.t.Fatalf("scimtest: %s: %s: encoding body: %v", c.client, c.step, err)
			}
			rd = bytes.NewReader(data)
		}
	}
	req := httptest.NewRequest(method, c.o.Prefix+path, rd)
	if c.o.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.o.Token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	res := &response{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if len(bytes.TrimSpace(rec.Body.Bytes())) > 0 {
		d := json.NewDecoder(rec.Body)
		d.UseNumber()
		_ = d.Decode(&res.body)
	}
	c.t.Logf("scimtest: %s: %-40s %s %s → %d", c.client, c.step, method, path, res.status)
	return res
}

// fail reports a step that the client would log as an error.
func (c *client) fail(res *response, format string, args ...any) {
	c.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if res != nil {
		raw := res.raw
		if len(raw) > 600 {
			raw = raw[:600] + "…"
		}
		msg += fmt.Sprintf("\n\tresponse %d: %s", res.status, raw)
	}
	c.t.Fatalf("scimtest: %s: %s: %s", c.client, c.step, msg)
}

func (c *client) expectStatus(res *response, want ...int) {
	c.t.Helper()
	for _, w := range want {
		if res.status == w {
			if res.status >= 200 && res.status < 300 && res.status != http.StatusNoContent {
				if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") && !strings.HasPrefix(ct, "application/json") {
					c.fail(res, "Content-Type %q: Entra expects application/scim+json", ct)
				}
			}
			return
		}
	}
	c.fail(res, "status %d, want %v%s", res.status, want, entraCode(res.status))
}

// entraCode names the provisioning-log code Entra shows for a status.
func entraCode(status int) string {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return " (Entra logs Unauthorized and quarantines the job)"
	case status == http.StatusNotFound:
		return " (Entra logs a SCIM compliance failure / InvalidAnchor)"
	case status == http.StatusConflict:
		return " (Entra logs EntryConflict)"
	case status == http.StatusBadRequest:
		return " (Entra logs SystemForCrossDomainIdentityManagementBadRequest)"
	case status >= 500:
		return " (Entra logs InternalServerError and retries in 40 minutes)"
	}
	return ""
}

func (c *client) create(path string, body any) string {
	c.t.Helper()
	res := c.do(http.MethodPost, path, body)
	c.expectStatus(res, http.StatusCreated, http.StatusOK)
	id, _ := res.body["id"].(string)
	if id == "" {
		c.fail(res, "the created resource has no id; Entra caches it for every later request")
	}
	return id
}

// get reads a resource and fails unless it is there.
func (c *client) get(path string) map[string]any {
	c.t.Helper()
	res := c.do(http.MethodGet, path, nil)
	c.expectStatus(res, http.StatusOK)
	return res.body
}

// list runs a query and returns its ListResponse, checked for shape.
func (c *client) list(path string) *response {
	c.t.Helper()
	res := c.do(http.MethodGet, path, nil)
	c.expectStatus(res, http.StatusOK)
	schemas, _ := res.body["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:ListResponse" {
		c.fail(res, "not a ListResponse (schemas %v)", res.body["schemas"])
	}
	for _, k := range []string{"totalResults", "startIndex", "itemsPerPage"} {
		if _, ok := res.body[k].(json.Number); !ok {
			c.fail(res, "%s must be an integer", k)
		}
	}
	return res
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

func (c *client) patchOK(path string, body string) {
	c.t.Helper()
	res := c.do(http.MethodPatch, path, body)
	c.expectStatus(res, http.StatusOK, http.StatusNoContent)
}

func (c *client) deleteOK(path string) {
	c.t.Helper()
	res := c.do(http.MethodDelete, path, nil)
	c.expectStatus(res, http.StatusNoContent)
	res = c.do(http.MethodGet, path, nil)
	c.expectStatus(res, http.StatusNotFound)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

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
