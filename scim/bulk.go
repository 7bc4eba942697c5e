package scim

import (
	"bytes"
	"container/heap"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/internal/clip"
)

// The messages of RFC 7644 §3.7.
const (
	bulkRequestURN  = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	bulkResponseURN = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
)

// bulkOp is one operation of a BulkRequest.
type bulkOp struct {
	index   int
	method  string // POST, PUT, PATCH or DELETE
	path    string // "/Users" or "/Users/{id}", possibly "/Groups/bulkId:x"
	bulkID  string
	version string // the If-Match of the operation
	data    any    // decoded JSON; nil for DELETE
	refs    []string
}

// bulkResult is what the BulkResponse says of one operation.
type bulkResult struct {
	op       *bulkOp
	status   int
	location string
	version  string
	errBody  []byte // the SCIM error, for a failed operation
	id       string // of the resource a POST created
}

// parseBulk reads a BulkRequest body (RFC 7644 §3.7.1). Every operation
// must name a method and a path; the method's data is checked when the
// operation runs, as a single request's would be.
func parseBulk(body map[string]any, maxOps int) (ops []*bulkOp, failOnErrors int, err error) {
	var raw any
	for k, v := range body {
		switch {
		case strings.EqualFold(k, "Operations"):
			raw = v
		case strings.EqualFold(k, "failOnErrors"):
			if v == nil {
				continue
			}
			n, ok := jsonInt(v)
			if !ok || n < 0 {
				return nil, 0, errorf(http.StatusBadRequest, InvalidValue, "failOnErrors must be a whole number of errors, 0 or more")
			}
			failOnErrors = n
		}
	}
	arr, ok := raw.([]any)
	if !ok {
		return nil, 0, errorf(http.StatusBadRequest, InvalidSyntax, "a BulkRequest needs an \"Operations\" array")
	}
	if len(arr) > maxOps {
		return nil, 0, errorf(http.StatusRequestEntityTooLarge, "", "the bulk request has %d operations, more than maxOperations (%d)", len(arr), maxOps)
	}
	seen := make(map[string]bool)
	for i, e := range arr {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, 0, errorf(http.StatusBadRequest, InvalidSyntax, "Operations[%d] is not an object", i)
		}
		op := &bulkOp{index: i}
		for k, v := range m {
			s, isStr := v.(string)
			switch {
			case strings.EqualFold(k, "method"):
				op.method = strings.ToUpper(s)
			case strings.EqualFold(k, "path"):
				op.path = s
			case strings.EqualFold(k, "bulkId"):
				if v != nil && !isStr {
					return nil, 0, errorf(http.StatusBadRequest, InvalidSyntax, "Operations[%d].bulkId must be a string", i)
				}
				op.bulkID = s
			case strings.EqualFold(k, "version"):
				if v != nil && !isStr {
					return nil, 0, errorf(http.StatusBadRequest, InvalidSyntax, "Operations[%d].version must be a string", i)
				}
				op.version = s
			case strings.EqualFold(k, "data"):
				op.data = v
			}
		}
		switch op.method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			return nil, 0, errorf(http.StatusBadRequest, InvalidSyntax, "Operations[%d].method %q: use POST, PUT, PATCH or DELETE", i, clip.String(op.method, 16))
		}
		if !strings.HasPrefix(op.path, "/") || strings.ContainsAny(op.path, "?#") {
			return nil, 0, errorf(http.StatusBadRequest, InvalidPath, "Operations[%d].path %q: want a resource path such as /Users or /Users/{id}", i, clip.String(op.path, 64))
		}
		if op.bulkID != "" {
			if seen[op.bulkID] {
				return nil, 0, errorf(http.StatusBadRequest, InvalidValue, "Operations[%d]: bulkId %q is used twice", i, clip.String(op.bulkID, 64))
			}
			seen[op.bulkID] = true
		}
		if op.method != http.MethodDelete {
			if _, ok := op.data.(map[string]any); !ok {
				return nil, 0, errorf(http.StatusBadRequest, InvalidSyntax, "Operations[%d]: %s needs a data object", i, op.method)
			}
		}
		op.refs = bulkRefs(op.path, op.data, nil)
		ops = append(ops, op)
	}
	return ops, failOnErrors, nil
}

func jsonInt(v any) (int, bool) {
	s := fmt.Sprint(v)
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// bulkRefs appends the bulkIds that path and data refer to ("bulkId:x").
func bulkRefs(path string, data any, out []string) []string {
	if _, rest, ok := strings.Cut(path, "/bulkId:"); ok {
		out = append(out, rest)
	}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			if id, ok := strings.CutPrefix(t, "bulkId:"); ok {
				out = append(out, id)
			}
		case map[string]any:
			for _, x := range t {
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(data)
	return out
}

// resolveRefs replaces each "bulkId:x" string in v by the id x stands for.
func resolveRefs(v any, ids map[string]string) any {
	switch t := v.(type) {
	case string:
		if id, ok := strings.CutPrefix(t, "bulkId:"); ok {
			if r, ok := ids[id]; ok {
				return r
			}
		}
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = resolveRefs(x, ids)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = resolveRefs(x, ids)
		}
		return out
	}
	return v
}

// bulk serves POST /Bulk (RFC 7644 §3.7). Operations run in order, each
// exactly as the single request it stands for (the same validation,
// PATCH normalisation, limits and tenant); an operation that refers to a
// bulkId created later in the request runs after it. A Bulk is not
// atomic: what ran before an error stays. With failOnErrors n, the first
// n errors stop it and the operations not run are not reported. Results
// are listed in request order.
func (h *Handler) bulk(req *request) error {
	if req.r.Method != http.MethodPost {
		return methodNotAllowed(req.w, "POST")
	}
	body, err := h.readBodyLimit(req, h.limits.MaxBulkBytes, "maxPayloadSize")
	if err != nil {
		return err
	}
	ops, failOnErrors, err := parseBulk(body, h.limits.MaxBulkOperations)
	if err != nil {
		return err
	}
	results, err := h.runBulk(req, ops, failOnErrors)
	if err != nil {
		return err
	}
	buf := make([]byte, 0, 128+96*len(ops))
	buf = append(buf, `{"schemas":["`+bulkResponseURN+`"],"Operations":[`...)
	n := 0
	for _, res := range results {
		if res == nil {
			continue // not run: failOnErrors stopped the request
		}
		if n > 0 {
			buf = append(buf, ',')
		}
		n++
		buf = append(buf, `{"method":`...)
		buf = appendString(buf, res.op.method)
		if res.op.bulkID != "" {
			buf = append(buf, `,"bulkId":`...)
			buf = appendString(buf, res.op.bulkID)
		}
		if res.location != "" {
			buf = append(buf, `,"location":`...)
			buf = appendString(buf, res.location)
		}
		if res.version != "" {
			buf = append(buf, `,"version":`...)
			buf = appendString(buf, res.version)
		}
		buf = append(buf, `,"status":"`...)
		buf = strconv.AppendInt(buf, int64(res.status), 10)
		buf = append(buf, '"')
		if res.errBody != nil {
			buf = append(buf, `,"response":`...)
			buf = append(buf, res.errBody...)
		}
		buf = append(buf, '}')
	}
	buf = append(buf, "]}"...)
	writeJSON(req.w, http.StatusOK, buf)
	return nil
}

// runBulk runs the operations in request order, except that an operation
// runs after those whose bulkIds it refers to (Kahn's algorithm, the
// lowest index first among those ready): each operation and reference is
// handled once. Operations that wait on each other in a cycle are
// answered 409. With failOnErrors n, nothing runs after the nth error, and
// what did not run has no result.
func (h *Handler) runBulk(req *request, ops []*bulkOp, failOnErrors int) ([]*bulkResult, error) {
	defines := make(map[string]*bulkOp, len(ops))
	for _, op := range ops {
		if op.bulkID != "" && op.method == http.MethodPost {
			defines[op.bulkID] = op
		}
	}
	waits := make([]int, len(ops))      // operations each one still waits for
	unblocks := make([][]int, len(ops)) // operations waiting for each one
	for _, op := range ops {
		seen := map[int]bool{}
		for _, ref := range op.refs {
			if def := defines[ref]; def != nil && def != op && !seen[def.index] {
				seen[def.index] = true
				waits[op.index]++
				unblocks[def.index] = append(unblocks[def.index], op.index)
			}
		}
	}
	ready := &intHeap{}
	for i, n := range waits {
		if n == 0 {
			heap.Push(ready, i)
		}
	}
	results := make([]*bulkResult, len(ops))
	created := map[string]string{} // bulkId → id
	errs := 0
	for ready.Len() > 0 && (failOnErrors == 0 || errs < failOnErrors) {
		if err := req.r.Context().Err(); err != nil {
			return nil, err
		}
		op := ops[heap.Pop(ready).(int)]
		res := h.bulkStep(req, op, defines, results, created)
		results[op.index] = res
		if res.status >= 400 {
			errs++
		} else if op.method == http.MethodPost && op.bulkID != "" {
			created[op.bulkID] = res.id
		}
		for _, next := range unblocks[op.index] {
			if waits[next]--; waits[next] == 0 {
				heap.Push(ready, next)
			}
		}
	}
	if failOnErrors == 0 || errs < failOnErrors {
		for _, op := range ops {
			if results[op.index] == nil {
				results[op.index] = bulkError(op, errorf(http.StatusConflict, "", "the bulkId references of this operation form a cycle (RFC 7644 §3.7.1); create the resources first, then PATCH the references"))
			}
		}
	}
	return results, nil
}

// intHeap is a min-heap of operation indexes.
type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// bulkStep runs op, whose references are resolved or will not be.
func (h *Handler) bulkStep(req *request, op *bulkOp, defines map[string]*bulkOp, results []*bulkResult, created map[string]string) *bulkResult {
	for _, ref := range op.refs {
		def := defines[ref]
		switch {
		case def == nil:
			return bulkError(op, errorf(http.StatusBadRequest, InvalidValue, "bulkId:%s: no POST of this request has bulkId %q", clip.String(ref, 64), clip.String(ref, 64)))
		case def == op:
			return bulkError(op, errorf(http.StatusConflict, "", "bulkId:%s refers to the operation itself (RFC 7644 §3.7.1)", clip.String(ref, 64)))
		case results[def.index].status >= 400:
			return bulkError(op, errorf(http.StatusConflict, "", "bulkId:%s: the operation that was to create it failed with %d", clip.String(ref, 64), results[def.index].status))
		}
	}
	path := op.path
	if base, ref, ok := strings.Cut(path, "/bulkId:"); ok {
		path = base + "/" + url.PathEscape(created[ref])
	}
	if err := h.checkOpPath(op.method, path); err != nil {
		return bulkError(op, err)
	}
	data := op.data
	if len(op.refs) > 0 {
		data = resolveRefs(data, created)
	}
	res := h.runOp(req, op.method, path, op.version, data)
	res.op = op
	return res
}

// checkOpPath accepts what a Bulk operation may address: an endpoint for
// POST, one resource of it for PUT, PATCH and DELETE.
func (h *Handler) checkOpPath(method, path string) *Error {
	ep, id, hasID := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	switch {
	case h.endpoints[strings.ToLower(ep)] == nil:
		return errorf(http.StatusBadRequest, InvalidPath, "path %q: no such endpoint; a Bulk operation addresses %s", clip.String(path, 64), h.endpointList)
	case method == http.MethodPost && hasID:
		return errorf(http.StatusBadRequest, InvalidPath, "path %q: POST creates at an endpoint such as /Users", clip.String(path, 64))
	case method != http.MethodPost && (!hasID || id == "" || id == ".search" || strings.Contains(id, "/")):
		return errorf(http.StatusBadRequest, InvalidPath, "path %q: %s addresses one resource, such as /Users/{id}", clip.String(path, 64), method)
	}
	return nil
}

func bulkError(op *bulkOp, e *Error) *bulkResult {
	return &bulkResult{op: op, status: e.Status, errBody: errorBody(e)}
}

// runOp serves one operation as the single request it stands for, in the
// Bulk's tenant, and reads its answer.
func (h *Handler) runOp(req *request, method, path, version string, data any) *bulkResult {
	r := &http.Request{Method: method, URL: &url.URL{Path: path}, Header: http.Header{}, Body: http.NoBody}
	r = r.WithContext(req.r.Context())
	if version != "" {
		r.Header.Set("If-Match", version)
	}
	rec := &opRecorder{header: http.Header{}}
	body, _ := data.(map[string]any) // parseBulk checked that there is one
	sub := &request{w: rec, r: r, ctx: req.ctx, p: req.p, baseURL: req.baseURL, body: body, headersOnly: true, obs: req.obs}
	res := &bulkResult{}
	if err := h.route(sub); err != nil {
		e := asError(err)
		if e.Status >= 500 {
			h.logFailure(req.r.Context(), "scim: bulk operation failed", req.p.Tenant, method, path, e.Status, err)
		}
		res.status, res.errBody = e.Status, errorBody(e)
		return res
	}
	res.status = rec.status
	if res.status >= 400 {
		res.errBody = bytes.TrimSpace(rec.body.Bytes())
		if len(res.errBody) == 0 {
			res.errBody = nil
		}
		return res
	}
	res.version = rec.header.Get("ETag")
	res.location = rec.header.Get("Location")
	if res.location == "" && method != http.MethodPost {
		res.location = req.baseURL + path
	}
	if method == http.MethodPost {
		res.id = res.location[strings.LastIndexByte(res.location, '/')+1:]
	}
	return res
}

// opRecorder is the ResponseWriter a Bulk operation answers into.
type opRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (o *opRecorder) Header() http.Header { return o.header }

func (o *opRecorder) WriteHeader(status int) {
	if o.status == 0 {
		o.status = status
	}
}

func (o *opRecorder) Write(b []byte) (int, error) {
	if o.status == 0 {
		o.status = http.StatusOK
	}
	return o.body.Write(b)
}

// errorBody renders e as its RFC 7644 §3.12 body.
func errorBody(e *Error) []byte {
	rec := &opRecorder{header: http.Header{}}
	writeError(rec, e)
	return rec.body.Bytes()
}
