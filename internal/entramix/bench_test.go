package entramix_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/internal/entramix"
	"github.com/scimkit/scimkit/internal/teststore"
	"github.com/scimkit/scimkit/store/memory"
)

const (
	// seedUsers and seedGroups are the population each server holds
	// before the mix starts (user i in group i mod seedGroups).
	seedUsers  = 10_000
	seedGroups = 20
	// batchSteps is the Entra steps of one benchmark iteration: 50 per
	// client, so that the clients finishing a batch early cost little.
	batchSteps = 800
)

// BenchmarkEntraMix replays Entra's provisioning mix with 16 clients over
// loopback against the canned floor, scimkit on the memory store, the
// PostgreSQL floor and scimkit on PostgreSQL, one after the other, each
// seeded with 10,000 users in 20 groups, and reports req/s and, for
// scimkit, the percentage of its floor's req/s (%of-floor). PostgreSQL
// runs need SCIMKIT_POSTGRES_DSN. Give -benchtime as a duration: each
// sub-benchmark replays batches of 800 steps for about that long.
func BenchmarkEntraMix(b *testing.B) {
	rps := map[string]float64{}
	b.Run("canned", func(b *testing.B) {
		m := startMix(b, served{h: entramix.Canned(token)})
		for b.Loop() {
			m.batch(b)
		}
		rps["canned"] = m.report(b, "", 0)
	})
	b.Run("scimkit-memory", func(b *testing.B) {
		m := startMix(b, scimkitMemory(b))
		for b.Loop() {
			m.batch(b)
		}
		rps["scimkit-memory"] = m.report(b, "canned", rps["canned"])
	})
	b.Run("postgres-floor", func(b *testing.B) {
		m := startMix(b, postgresFloorHandler(b))
		for b.Loop() {
			m.batch(b)
		}
		rps["postgres-floor"] = m.report(b, "", 0)
	})
	b.Run("scimkit-postgres", func(b *testing.B) {
		m := startMix(b, scimkitPostgres(b))
		for b.Loop() {
			m.batch(b)
		}
		rps["scimkit-postgres"] = m.report(b, "postgres-floor", rps["postgres-floor"])
	})
}

// BenchmarkEntraMixPaired measures the same two ratios with less noise
// from the rest of the machine: the floor and scimkit are both started
// and seeded, then each iteration replays the mix for half a second on
// the floor and half a second on scimkit, so that both see the same
// background load. It reports both req/s and %of-floor.
func BenchmarkEntraMixPaired(b *testing.B) {
	const slice = 500 * time.Millisecond
	paired := func(b *testing.B, floor, kit *mix) {
		for b.Loop() {
			floor.slice(b, slice)
			kit.slice(b, slice)
		}
		b.ReportMetric(0, "ns/op")
		f, k := floor.total.RPS(), kit.total.RPS()
		b.ReportMetric(f, "floor-req/s")
		b.ReportMetric(k, "scimkit-req/s")
		b.ReportMetric(100*k/f, "%of-floor")
		b.Logf("floor:   %s\n%s", floor.seeded, floor.total.Summary())
		b.Logf("scimkit: %s\n%s", kit.seeded, kit.total.Summary())
		floor.check(b)
		kit.check(b)
	}
	b.Run("memory", func(b *testing.B) {
		paired(b, startMix(b, served{h: entramix.Canned(token)}), startMix(b, scimkitMemory(b)))
	})
	b.Run("postgres", func(b *testing.B) {
		paired(b, startMix(b, postgresFloorHandler(b)), startMix(b, scimkitPostgres(b)))
	})
}

// served is a server to start: its handler, the DSN of the PostgreSQL
// schema it works in (if any) and what it logs (if known).
type served struct {
	h    http.Handler
	dsn  string
	logs *errorLog
}

func scimkitMemory(b *testing.B) served {
	h, logs := scimkitHandler(b, memory.New())
	return served{h: h, logs: logs}
}

func postgresFloorHandler(b *testing.B) served {
	dsn := teststore.FreshSchema(b)
	h, err := entramix.PostgresFloor(context.Background(), newPool(b, dsn), token)
	if err != nil {
		b.Fatal(err)
	}
	return served{h: h, dsn: dsn}
}

func scimkitPostgres(b *testing.B) served {
	dsn := teststore.FreshSchema(b)
	h, logs := scimkitHandler(b, openSQLStore(b, dsn))
	return served{h: h, dsn: dsn, logs: logs}
}

// mix is one server under the mix: served, seeded, and what its batches
// measured.
type mix struct {
	d      *entramix.Driver
	logs   *errorLog // what the server logged, or nil
	seeded string
	total  entramix.Result
}

// startMix serves s, seeds it and settles its PostgreSQL schema, if any.
// Everything is closed when b ends.
func startMix(b *testing.B, s served) *mix {
	b.Helper()
	ctx := context.Background()
	srv, base := entramix.Serve(s.h)
	b.Cleanup(srv.Close)
	d, err := entramix.NewDriver(ctx, entramix.Config{BaseURL: base, Token: token})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(d.Close)
	start := time.Now()
	if _, err := d.Seed(ctx, seedUsers, seedGroups); err != nil {
		b.Fatal(err)
	}
	m := &mix{d: d, logs: s.logs, seeded: fmt.Sprintf("seeded %d users in %d groups in %s", seedUsers, seedGroups, time.Since(start).Round(time.Millisecond))}
	if s.dsn != "" {
		settle(b, s.dsn)
	}
	return m
}

// batch replays batchSteps steps.
func (m *mix) batch(b *testing.B) {
	res, err := m.d.Run(context.Background(), batchSteps, 0)
	if err != nil {
		b.Fatal(err)
	}
	m.total.Add(res)
}

// slice replays the mix for d (steps in flight then are completed).
func (m *mix) slice(b *testing.B, d time.Duration) {
	res, err := m.d.Run(context.Background(), 0, d)
	if err != nil {
		b.Fatal(err)
	}
	m.total.Add(res)
}

// report reports req/s, errors and, when the floor named floorName was
// measured (floor > 0), the percentage of its req/s; it returns req/s.
func (m *mix) report(b *testing.B, floorName string, floor float64) float64 {
	rps := m.total.RPS()
	b.ReportMetric(0, "ns/op") // an op is a batch: req/s says it better
	b.ReportMetric(rps, "req/s")
	b.ReportMetric(float64(m.total.Errors), "errors")
	line := m.seeded + "; " + m.total.Summary()
	if floor > 0 {
		b.ReportMetric(100*rps/floor, "%of-floor")
		line += fmt.Sprintf(" = %.1f%% of %s's %.0f req/s", 100*rps/floor, floorName, floor)
	}
	b.Logf("%s\n%s", line, m.total.Table())
	m.check(b)
	return rps
}

// check fails b when a request failed or the server logged a warning or
// an error, showing the first of them.
func (m *mix) check(b *testing.B) {
	if m.total.Errors > 0 {
		b.Errorf("%d requests failed; the first:\n%s", m.total.Errors, strings.Join(m.total.Samples, "\n"))
	}
	if m.logs != nil && m.logs.Len() > 0 {
		b.Errorf("the server logged %s", m.logs)
	}
}
