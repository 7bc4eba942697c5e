package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scimkit/scim/scimcheck"
)

// printer writes results as they come: a PASS/FAIL/WARN/SKIP line each,
// the details of a failure, and on a terminal a progress line (on the
// progress writer, erased before each result).
type printer struct {
	ctx         context.Context
	told        bool // the interruption was announced
	w, progress io.Writer
	terminal    bool
	verbose     bool
	n           int  // results so far
	shown       bool // a progress line is on screen
}

func name(r scimcheck.Result) string {
	if r.Client != "" {
		return r.Client + ": " + r.Check
	}
	return r.Check
}

func (p *printer) progressOnly(r scimcheck.Result) {
	p.interrupted()
	if r.Status != "" {
		p.n++
		return
	}
	if p.terminal {
		p.clear()
		fmt.Fprintf(p.progress, "[%d] %s …", p.n+1, name(r))
		p.shown = true
	}
}

// interrupted announces, once, that the run was interrupted and is
// cleaning up (which may take a while on a slow endpoint).
func (p *printer) interrupted() {
	if p.ctx == nil || p.ctx.Err() == nil || p.told {
		return
	}
	p.told = true
	p.clear()
	fmt.Fprintln(p.progress, "scimcheck: interrupted: deleting what this run created (Ctrl-C again to quit at once)…")
}

func (p *printer) clear() {
	if p.shown {
		fmt.Fprint(p.progress, "\r\033[K")
		p.shown = false
	}
}

func (p *printer) result(r scimcheck.Result) {
	p.interrupted()
	if r.Status == "" {
		p.progressOnly(r)
		return
	}
	p.n++
	p.clear()
	fmt.Fprintf(p.w, "%-4s  %-44s %s\n", r.Status, name(r), r.Message)
	if r.Status == scimcheck.Fail || r.Status == scimcheck.Warn {
		if r.EntraCode != "" {
			q := ""
			if r.Quarantine {
				q = " (repeated, the job is quarantined)"
			}
			label := "Entra logs:"
			if r.Client == string(scimcheck.Okta) {
				label = "Entra would log:" // the same answer to Entra
			}
			fmt.Fprintf(p.w, "      %s %s%s\n", label, r.EntraCode, q)
		}
		if r.Fix != "" {
			fmt.Fprintf(p.w, "      fix:        %s\n", r.Fix)
		}
		if n := len(r.Exchanges); n > 0 && !p.verbose && r.Status == scimcheck.Fail {
			ex := r.Exchanges[n-1]
			fmt.Fprintf(p.w, "      request:    %s %s\n", ex.Method, ex.URL)
			if ex.RequestBody != "" {
				fmt.Fprintf(p.w, "                  %s\n", oneLine(ex.RequestBody, 300))
			}
			if ex.Status == 0 {
				fmt.Fprintf(p.w, "      response:   none: %s\n", ex.Err)
			} else {
				fmt.Fprintf(p.w, "      response:   %d %s\n", ex.Status, oneLine(ex.ResponseBody, 300))
				if id := ex.ResponseHeader.Get("X-Request-Id"); id != "" {
					fmt.Fprintf(p.w, "      request id: %s\n", id)
				}
			}
		}
	}
	if p.verbose {
		for _, ex := range r.Exchanges {
			writeExchange(p.w, ex)
		}
	}
}

// oneLine squeezes s onto one line of at most n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

func writeExchange(w io.Writer, ex scimcheck.Exchange) {
	fmt.Fprintf(w, "      > %s %s\n", ex.Method, ex.URL)
	for _, k := range slices.Sorted(keys(ex.RequestHeader)) {
		fmt.Fprintf(w, "      > %s: %s\n", k, strings.Join(ex.RequestHeader[k], ", "))
	}
	if ex.RequestBody != "" {
		fmt.Fprintf(w, "      > %s\n", indent(ex.RequestBody, "      > "))
	}
	if ex.Status == 0 {
		fmt.Fprintf(w, "      < no answer: %s\n", ex.Err)
		return
	}
	fmt.Fprintf(w, "      < %d %s (%s)\n", ex.Status, http.StatusText(ex.Status), ex.Duration.Round(time.Microsecond))
	for _, k := range slices.Sorted(keys(ex.ResponseHeader)) {
		fmt.Fprintf(w, "      < %s: %s\n", k, strings.Join(ex.ResponseHeader[k], ", "))
	}
	if ex.ResponseBody != "" {
		fmt.Fprintf(w, "      < %s\n", indent(strings.TrimSpace(ex.ResponseBody), "      < "))
	}
}

func keys(h http.Header) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range h {
			if !yield(k) {
				return
			}
		}
	}
}

func indent(s, prefix string) string { return strings.ReplaceAll(s, "\n", "\n"+prefix) }

func (p *printer) summary(rep *scimcheck.Report, d time.Duration) {
	fmt.Fprintf(p.w, "\n%d passed, %d failed, %d warnings, %d skipped in %s\n",
		rep.Count(scimcheck.Pass), rep.Count(scimcheck.Fail), rep.Count(scimcheck.Warn), rep.Count(scimcheck.Skip), d.Round(time.Millisecond))
	if rep.Interrupted {
		fmt.Fprintln(p.w, "interrupted: not every check ran; what this run created was deleted")
	}
	if len(rep.Leftovers) > 0 {
		fmt.Fprintf(p.w, "left on the server: %s\n", strings.Join(rep.Leftovers, ", "))
	}
}

func writeJSON(w io.Writer, v any) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(v)
}

func loadCAs(file string) (*x509.CertPool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, errors.New("-ca " + file + ": no PEM certificate in it")
	}
	return pool, nil
}
