package entramix

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The operations of an Entra step, as named in a Result.
const (
	OpFilterMiss = "filter-miss" // GET /Users?filter=userName eq "<new>": no match
	OpCreate     = "create"      // POST /Users
	OpFilterHit  = "filter-hit"  // GET /Users?filter=userName eq "<new>": the user just created
	OpPatchUser  = "patch-user"  // PATCH /Users/{id}, five operations
	OpGetUser    = "get-user"    // GET /Users/{id}
	OpAddMember  = "add-member"  // PATCH /Groups/{id} adding the user, every tenth step
)

// OpNames returns the operation names in the order a step sends them.
func OpNames() []string {
	return []string{OpFilterMiss, OpCreate, OpFilterHit, OpPatchUser, OpGetUser, OpAddMember}
}

// Config configures a Driver.
type Config struct {
	// BaseURL is the SCIM base URL, such as http://127.0.0.1:8080/scim/v2.
	// Its host must be a loopback IP address.
	BaseURL string

	// Token is sent as "Authorization: Bearer <Token>".
	Token string

	// Clients is the number of concurrent clients. Zero: 16.
	Clients int

	// Groups is the number of groups the driver creates at the start for
	// the member adds. Zero: 4.
	Groups int

	// MemberEvery: every MemberEvery-th step also adds its user to a
	// group. Zero: 10.
	MemberEvery int

	// Timeout bounds one request. Zero: 30 s.
	Timeout time.Duration
}

// Driver replays the Entra mix against one server. Its methods may be
// called one after the other (each run goes on with new user names); they
// must not overlap.
type Driver struct {
	base        string
	auth        string
	clients     int
	memberEvery int64
	client      *http.Client
	tag         string // makes the names of this driver's users unique
	groups      []string
	next        atomic.Int64 // last step number handed out
}

// NewDriver checks cfg, opens a client for it and creates the groups the
// member adds go to.
func NewDriver(ctx context.Context, cfg Config) (*Driver, error) {
	base, err := loopbackBase(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	d := &Driver{
		base:        base,
		auth:        "Bearer " + cfg.Token,
		clients:     orDefault(cfg.Clients, 16),
		memberEvery: int64(orDefault(cfg.MemberEvery, 10)),
		tag:         strings.ToLower(rand.Text()[:10]),
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	d.client = newClient(d.clients, timeout)
	w := d.worker()
	for i := range orDefault(cfg.Groups, 4) {
		body := fmt.Appendf(nil, groupBody, fmt.Sprintf("mix-%s-%d", d.tag, i), fmt.Sprintf("Mix group %s %d", d.tag, i))
		id, err := w.mustCreate(ctx, d.base+"/Groups", body)
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("entramix: creating group %d: %w", i, err)
		}
		d.groups = append(d.groups, id)
	}
	return d, nil
}

// Close closes the driver's idle connections.
func (d *Driver) Close() { d.client.CloseIdleConnections() }

// Run replays the mix until steps steps have been taken or duration has
// passed, whichever comes first; a zero bound does not bound. One of them
// must be set. A run bounded by a duration measures that window: steps in
// flight when the time is up are completed and their answers checked, but
// answers that arrive after it are counted only when they fail, and
// Elapsed is the duration, so that a slow server's last answers do not
// stretch the window at a lower concurrency. The error reports a run that
// could not start; errors answered by the server are counted in the
// Result.
func (d *Driver) Run(ctx context.Context, steps int, duration time.Duration) (*Result, error) {
	if steps <= 0 && duration <= 0 {
		return nil, errors.New("entramix: Run needs a number of steps or a duration")
	}
	last := int64(-1) // no bound
	if steps > 0 {
		last = d.next.Load() + int64(steps)
	}
	start := time.Now()
	var deadline time.Time
	if duration > 0 {
		deadline = start.Add(duration)
	}
	workers := make([]*worker, d.clients)
	var wg sync.WaitGroup
	for i := range workers {
		w := d.worker()
		w.deadline = deadline
		workers[i] = w
		wg.Go(func() {
			for ctx.Err() == nil && (deadline.IsZero() || time.Now().Before(deadline)) {
				n := d.next.Add(1)
				if last >= 0 && n > last {
					return
				}
				w.step(ctx, n)
			}
		})
	}
	wg.Wait()
	res := &Result{Elapsed: time.Since(start)}
	if duration > 0 {
		res.Elapsed = min(res.Elapsed, duration)
	}
	for _, w := range workers {
		res.merge(&w.res)
	}
	return res, nil
}

// Run opens a Driver for cfg, replays the mix for steps steps or duration
// (see Driver.Run) and closes it.
func Run(ctx context.Context, cfg Config, steps int, duration time.Duration) (*Result, error) {
	d, err := NewDriver(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Run(ctx, steps, duration)
}

// Population is what Seed created.
type Population struct {
	Users  []string // ids, in the order of their names
	Groups []string // ids
}

// Seed creates users users and groups groups (both with Entra's create
// bodies) and puts user i in group i mod groups, up to 100 members a PATCH,
// using the driver's clients concurrently. Seeding is not measured.
func (d *Driver) Seed(ctx context.Context, users, groups int) (*Population, error) {
	pop := &Population{Users: make([]string, users), Groups: make([]string, groups)}
	var failed atomic.Pointer[error]
	fail := func(err error) {
		failed.CompareAndSwap(nil, &err)
	}
	parallel := func(n int, f func(w *worker, i int) error) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range d.clients {
			w := d.worker()
			wg.Go(func() {
				for failed.Load() == nil {
					i := int(next.Add(1)) - 1
					if i >= n {
						return
					}
					if err := f(w, i); err != nil {
						fail(err)
					}
				}
			})
		}
		wg.Wait()
	}
	parallel(users, func(w *worker, i int) error {
		name := fmt.Sprintf("seed-%s-%d@contoso.com", d.tag, i)
		id, err := w.mustCreate(ctx, d.base+"/Users", userBody(nil, name, fmt.Sprintf("seed-%s-%d", d.tag, i), i))
		pop.Users[i] = id
		return err
	})
	parallel(groups, func(w *worker, i int) error {
		body := fmt.Appendf(nil, groupBody, fmt.Sprintf("seed-%s-%d", d.tag, i), fmt.Sprintf("Seed group %s %d", d.tag, i))
		id, err := w.mustCreate(ctx, d.base+"/Groups", body)
		pop.Groups[i] = id
		return err
	})
	if p := failed.Load(); p != nil {
		return nil, fmt.Errorf("entramix: seeding: %w", *p)
	}
	if groups == 0 {
		return pop, nil
	}
	// Batches of at most 100 members of one group.
	type batch struct {
		group   string
		members []string
	}
	var batches []batch
	for g := range groups {
		b := batch{group: pop.Groups[g]}
		for i := g; i < users; i += groups {
			b.members = append(b.members, pop.Users[i])
			if len(b.members) == 100 {
				batches = append(batches, b)
				b.members = nil
			}
		}
		if b.members != nil {
			batches = append(batches, b)
		}
	}
	parallel(len(batches), func(w *worker, i int) error {
		return w.mustPatch(ctx, d.base+"/Groups/"+batches[i].group, membersBody(nil, batches[i].members...))
	})
	if p := failed.Load(); p != nil {
		return nil, fmt.Errorf("entramix: seeding: %w", *p)
	}
	return pop, nil
}

// loopbackBase returns raw without a trailing slash when it is an http URL
// whose host is a loopback IP address.
func loopbackBase(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("entramix: base URL: %w", err)
	}
	if u.Scheme != "http" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("entramix: base URL %q: want http://127.0.0.1:PORT/PATH", raw)
	}
	if !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("entramix: base URL %q: the host must be a loopback IP address such as 127.0.0.1", raw)
	}
	return strings.TrimSuffix(raw, "/"), nil
}

func isLoopback(host string) bool {
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// newClient returns a keep-alive client for clients concurrent callers
// that dials loopback addresses only and follows no redirect.
func newClient(clients int, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil || !isLoopback(host) {
				return nil, fmt.Errorf("entramix: refusing to dial %s: not a loopback address", addr)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConns:        2 * clients,
		MaxIdleConnsPerHost: 2 * clients,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// worker is one client: its buffers and its own tallies, merged into the
// Result when the run ends.
type worker struct {
	d        *Driver
	deadline time.Time    // end of the measured window, if any
	body     bytes.Buffer // the last response body
	res      Result
}

// late reports whether t is past the measured window.
func (w *worker) late(t time.Time) bool {
	return !w.deadline.IsZero() && t.After(w.deadline)
}

func (d *Driver) worker() *worker { return &worker{d: d} }

// step takes Entra step n: one new user.
func (w *worker) step(ctx context.Context, n int64) {
	d := w.d
	name := fmt.Sprintf("mix-%s-%d@contoso.com", d.tag, n)
	filter := d.base + "/Users?filter=" + url.QueryEscape(`userName eq "`+name+`"`)

	if !w.call(ctx, OpFilterMiss, http.MethodGet, filter, nil, wantList(0, "")) {
		return
	}
	body := userBody(nil, name, fmt.Sprintf("mix-%s-%d", d.tag, n), int(n))
	var id string
	if !w.call(ctx, OpCreate, http.MethodPost, d.base+"/Users", body, func(status int, body []byte) error {
		if status != http.StatusCreated {
			return errStatus
		}
		var err error
		id, err = resourceID(body)
		return err
	}) {
		return
	}
	if !w.call(ctx, OpFilterHit, http.MethodGet, filter, nil, wantList(1, id)) {
		return
	}
	user := d.base + "/Users/" + url.PathEscape(id)
	if !w.call(ctx, OpPatchUser, http.MethodPatch, user, patchBody(nil, int(n)), wantPatched) {
		return
	}
	if !w.call(ctx, OpGetUser, http.MethodGet, user, nil, wantResource(id)) {
		return
	}
	if n%d.memberEvery == 0 && len(d.groups) > 0 {
		group := d.groups[(n/d.memberEvery)%int64(len(d.groups))]
		if !w.call(ctx, OpAddMember, http.MethodPatch, d.base+"/Groups/"+url.PathEscape(group), membersBody(nil, id), wantPatched) {
			return
		}
	}
	if !w.late(time.Now()) {
		w.res.Steps++
	}
}

var errStatus = errors.New("unexpected status")

// call sends one request, times it and checks the answer with check. It
// reports whether the step may go on. A request that failed because ctx
// ended is not counted, nor one answered well after the window.
func (w *worker) call(ctx context.Context, op, method, target string, body []byte, check func(status int, body []byte) error) bool {
	start := time.Now()
	status, err := w.do(ctx, method, target, body)
	end := time.Now()
	took := end.Sub(start)
	if err != nil && ctx.Err() != nil {
		return false
	}
	if err == nil {
		err = check(status, w.body.Bytes())
	}
	if err == nil && w.late(end) {
		return true
	}
	s := w.res.op(op)
	s.Count++
	s.latencies = append(s.latencies, took)
	w.res.Requests++
	if err != nil {
		s.Errors++
		w.res.Errors++
		if len(w.res.Samples) < maxSamples {
			w.res.Samples = append(w.res.Samples, describe(op, method, target, status, err, w.body.Bytes()))
		}
		return false
	}
	return true
}

// do sends one request and reads the whole answer into w.body.
func (w *worker) do(ctx context.Context, method, target string, body []byte) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", w.d.auth)
	req.Header.Set("Accept", "application/scim+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	resp, err := w.d.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	w.body.Reset()
	if _, err := w.body.ReadFrom(resp.Body); err != nil {
		return resp.StatusCode, err
	}
	return resp.StatusCode, nil
}

// mustCreate POSTs body to target and returns the id of the resource the
// 201 answer holds.
func (w *worker) mustCreate(ctx context.Context, target string, body []byte) (string, error) {
	status, err := w.do(ctx, http.MethodPost, target, body)
	if err != nil {
		return "", err
	}
	if status != http.StatusCreated {
		return "", fmt.Errorf("POST %s: %d %s", target, status, clip(w.body.Bytes()))
	}
	return resourceID(w.body.Bytes())
}

// mustPatch PATCHes target with body and wants 200 or 204.
func (w *worker) mustPatch(ctx context.Context, target string, body []byte) error {
	status, err := w.do(ctx, http.MethodPatch, target, body)
	if err != nil {
		return err
	}
	if err := wantPatched(status, w.body.Bytes()); err != nil {
		return fmt.Errorf("PATCH %s: %d %s", target, status, clip(w.body.Bytes()))
	}
	return nil
}

// wantList wants 200 and a ListResponse of total resources, the first of
// id when id is set.
func wantList(total int, id string) func(int, []byte) error {
	return func(status int, body []byte) error {
		if status != http.StatusOK {
			return errStatus
		}
		var list struct {
			TotalResults *int `json:"totalResults"`
			Resources    []struct {
				ID string `json:"id"`
			} `json:"Resources"`
		}
		if err := json.Unmarshal(body, &list); err != nil {
			return fmt.Errorf("not a ListResponse: %w", err)
		}
		if list.TotalResults == nil || *list.TotalResults != total || len(list.Resources) != total {
			return fmt.Errorf("want totalResults %d and as many Resources", total)
		}
		if id != "" && list.Resources[0].ID != id {
			return fmt.Errorf("want the resource %s, got %s", id, list.Resources[0].ID)
		}
		return nil
	}
}

// wantResource wants 200 and the resource id.
func wantResource(id string) func(int, []byte) error {
	return func(status int, body []byte) error {
		if status != http.StatusOK {
			return errStatus
		}
		got, err := resourceID(body)
		if err != nil {
			return err
		}
		if got != id {
			return fmt.Errorf("want the resource %s, got %s", id, got)
		}
		return nil
	}
}

// wantPatched wants 200 or 204, as Entra does.
func wantPatched(status int, _ []byte) error {
	if status != http.StatusOK && status != http.StatusNoContent {
		return errStatus
	}
	return nil
}

func resourceID(body []byte) (string, error) {
	var r struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return "", fmt.Errorf("not a resource: %w", err)
	}
	if r.ID == "" {
		return "", errors.New("the resource has no id")
	}
	return r.ID, nil
}

const maxSamples = 20

func describe(op, method, target string, status int, err error, body []byte) string {
	if status == 0 {
		return fmt.Sprintf("%s: %s %s: %v", op, method, target, err)
	}
	return fmt.Sprintf("%s: %s %s: %d (%v) %s", op, method, target, status, err, clip(body))
}

// clip returns at most 600 bytes of body, for messages.
func clip(body []byte) string {
	const max = 600
	if len(body) > max {
		return string(body[:max]) + "…"
	}
	return string(body)
}
