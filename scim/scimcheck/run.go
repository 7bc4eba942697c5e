package scimcheck

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Run checks the endpoint at cfg.URL: the read-only checks, and with
// cfg.Write the provisioning cycles of cfg.Clients. Whatever a cycle
// created is deleted before Run returns, also when ctx ends first (then
// Report.Interrupted is set and the checks not run are left out). The
// error is for a Config Run cannot use; what the endpoint does wrong is in
// the Report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	r, err := newRunner(cfg)
	if err != nil {
		return nil, err
	}
	connected := r.readOnly(ctx)
	if cfg.Write && !connected && !r.stopped(ctx) {
		r.add(Result{Check: "provisioning cycles", Status: Skip, Message: "not run: the endpoint cannot be reached"})
	}
	if cfg.Write && connected && !r.stopped(ctx) {
		for _, cl := range cfg.clients() {
			if r.stopped(ctx) {
				break
			}
			cycle, err := cycleOf(cl)
			if err != nil {
				return nil, err
			}
			r.play(ctx, cl, cycle)
		}
	}
	r.cleanup(ctx)
	return r.rep, nil
}

// Replay plays one client's provisioning cycle against cfg.URL (without
// the read-only checks) and deletes what it created. Package scimtest
// uses it.
func Replay(ctx context.Context, cfg Config, client Client) (*Report, error) {
	cycle, err := cycleOf(client)
	if err != nil {
		return nil, err
	}
	cfg.Write = true
	r, err := newRunner(cfg)
	if err != nil {
		return nil, err
	}
	r.play(ctx, client, cycle)
	r.cleanup(ctx)
	return r.rep, nil
}

func cycleOf(c Client) (func(*session), error) {
	switch c {
	case Entra:
		return entraCycle(false), nil
	case EntraFlagged:
		return entraCycle(true), nil
	case Okta:
		return okta, nil
	}
	return nil, fmt.Errorf("scimcheck: unknown client %q (want %q, %q or %q)", c, Entra, EntraFlagged, Okta)
}

// stopped reports (and records) that ctx ended.
func (r *runner) stopped(ctx context.Context) bool {
	if ctx.Err() != nil {
		r.rep.Interrupted = true
		return true
	}
	return false
}

// readOnly makes the read-only checks; it reports whether the endpoint
// can be reached at all.
func (r *runner) readOnly(ctx context.Context) bool {
	if !r.checkTLS(ctx) {
		return false
	}
	if r.stopped(ctx) {
		return true
	}
	if !r.checkReach(ctx) {
		return false
	}
	if r.stopped(ctx) {
		return true
	}
	r.checkTestConnection(ctx)
	if r.stopped(ctx) {
		return true
	}
	sch := r.checkDiscovery(ctx)
	if r.stopped(ctx) {
		return true
	}
	r.checkSchemas(ctx, sch)
	if r.stopped(ctx) {
		return true
	}
	r.checkUnauthorized(ctx)
	if r.stopped(ctx) {
		return true
	}
	r.checkExcludedMembers(ctx)
	return true
}

// cleanup deletes every object the run created: those it knows the id of,
// then any other whose name carries the run's prefix (one whose create
// answer was lost), and checks by listing that none is left.
func (r *runner) cleanup(ctx context.Context) {
	if !r.cfg.Write {
		return
	}
	ctx = context.WithoutCancel(ctx)
	c := r.begin(ctx, "cleanup")
	r.mu.Lock()
	created := slices.Clone(r.created)
	r.mu.Unlock()
	deleted := 0
	gone := map[string]bool{}
	del := func(path string) {
		if gone[path] {
			return
		}
		res := c.send(http.MethodDelete, path, true)
		if res.status == http.StatusNoContent || res.status == http.StatusOK {
			deleted++
		}
		if res.status == http.StatusNoContent || res.status == http.StatusOK || res.status == http.StatusNotFound {
			gone[path] = true
		}
	}
	// Groups first: a group's members are users created by the run.
	for _, p := range slices.Backward(created) {
		if strings.HasPrefix(p, "/Groups/") {
			del(p)
		}
	}
	for _, p := range slices.Backward(created) {
		if !strings.HasPrefix(p, "/Groups/") {
			del(p)
		}
	}
	pfx := r.namePrefix()
	sweep := func() ([]string, bool) {
		var found []string
		for _, s := range []struct{ path, attr string }{{"/Groups", "displayName"}, {"/Users", "userName"}} {
			res := c.send(http.MethodGet, s.path+"?attributes=id&count=1000&filter="+q(s.attr+` sw "`+pfx+`"`), true)
			if res.status != http.StatusOK || listShape(res) != "" {
				return nil, false
			}
			for _, o := range resources(res) {
				if id, _ := o["id"].(string); id != "" {
					found = append(found, s.path+"/"+id)
				}
			}
		}
		return found, true
	}
	found, swept := sweep()
	for _, p := range found {
		delete(gone, p)
		del(p)
	}
	var left []string
	if swept {
		left, _ = sweep()
	}
	// Without sw filters, check what is known one by one.
	for _, p := range created {
		if !gone[p] && !slices.Contains(left, p) {
			left = append(left, p)
		}
	}
	if len(left) > 0 {
		r.rep.Leftovers = left
		c.res.Fix = "delete them by hand (DELETE " + r.base + "<path>), and make DELETE answer 204"
		c.done(Fail, "%d objects with the prefix %q are left on the server: %s", len(left), pfx, strings.Join(left, ", "))
		return
	}
	how := "checked by listing"
	if !swept && len(created) == 0 {
		how = "nothing was created"
	} else if !swept {
		how = "checked one by one: the endpoint does not answer sw filters"
	}
	c.done(Pass, "deleted %d %s left by the cycles; nothing named %q remains (%s)", deleted, plural(deleted, "object"), pfx+"…", how)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
