package entramix

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Result is what a run measured.
type Result struct {
	Steps    int           // steps completed without an error
	Requests int           // requests answered, failed ones included
	Errors   int           // requests whose answer failed its check, or that got none
	Elapsed  time.Duration // wall time of the run(s)
	Ops      map[string]*OpStats
	// Samples holds the first answers that failed their check (at most
	// 20): operation, request, status, what was wrong, and the body.
	Samples []string
}

// OpStats is what one operation of the mix measured.
type OpStats struct {
	Count     int // requests sent
	Errors    int // of which failed
	latencies []time.Duration
	sorted    bool
}

// RPS returns requests answered per second of wall time.
func (r *Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Add adds the counts, samples, latencies and wall time of o to r, to
// total several runs.
func (r *Result) Add(o *Result) {
	r.merge(o)
	r.Elapsed += o.Elapsed
}

func (r *Result) merge(o *Result) {
	r.Steps += o.Steps
	r.Requests += o.Requests
	r.Errors += o.Errors
	for _, s := range o.Samples {
		if len(r.Samples) < maxSamples {
			r.Samples = append(r.Samples, s)
		}
	}
	for name, s := range o.Ops {
		t := r.op(name)
		t.Count += s.Count
		t.Errors += s.Errors
		t.latencies = append(t.latencies, s.latencies...)
		t.sorted = false
	}
}

func (r *Result) op(name string) *OpStats {
	if r.Ops == nil {
		r.Ops = make(map[string]*OpStats)
	}
	s := r.Ops[name]
	if s == nil {
		s = &OpStats{}
		r.Ops[name] = s
	}
	return s
}

// Quantile returns the latency below which the fraction q of the
// operation's requests were answered (0.5: the median, 0.99: p99).
func (s *OpStats) Quantile(q float64) time.Duration {
	if len(s.latencies) == 0 {
		return 0
	}
	if !s.sorted {
		slices.Sort(s.latencies)
		s.sorted = true
	}
	i := int(q * float64(len(s.latencies)))
	i = min(max(i, 0), len(s.latencies)-1)
	return s.latencies[i]
}

// String renders r as a table, one line per operation with its count,
// errors, p50 and p99, followed by the Summary line.
func (r *Result) String() string {
	return r.Table() + r.Summary() + "\n"
}

// Table renders r's operations, one line each with count, errors, p50 and
// p99, under a header line.
func (r *Result) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %8s %7s %10s %10s\n", "op", "count", "errors", "p50", "p99")
	for _, name := range OpNames() {
		s, ok := r.Ops[name]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "%-12s %8d %7d %10s %10s\n", name, s.Count, s.Errors, round(s.Quantile(0.5)), round(s.Quantile(0.99)))
	}
	return b.String()
}

// Summary returns one line: requests, steps, errors, wall time and req/s.
func (r *Result) Summary() string {
	return fmt.Sprintf("%d requests, %d steps, %d errors in %s: %.0f req/s", r.Requests, r.Steps, r.Errors, r.Elapsed.Round(time.Millisecond), r.RPS())
}

func round(d time.Duration) time.Duration {
	if d > time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
