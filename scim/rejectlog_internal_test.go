package scim

import (
	"testing"
	"time"
)

func TestRejectLog(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	l := newRejectLog(func() time.Time { return now })
	l.max = 2
	admit := func(remote string) (bool, string, int) { return l.admit(remote) }

	// One source: its port does not matter.
	if ok, src, _ := admit("192.0.2.1:1000"); !ok || src != "192.0.2.1" {
		t.Fatalf("first 401: logged %v as %q", ok, src)
	}
	if ok, _, _ := admit("192.0.2.1:2000"); ok {
		t.Error("a second 401 from the same address within a minute was logged")
	}
	// A second source is logged on its own; the third is "other".
	if ok, src, _ := admit("198.51.100.7:1"); !ok || src != "198.51.100.7" {
		t.Errorf("second source: %v %q", ok, src)
	}
	if ok, src, _ := admit("203.0.113.9:1"); !ok || src != "other" {
		t.Errorf("third source with room for two: %v %q, want logged as other", ok, src)
	}
	if ok, src, _ := admit("203.0.113.10:1"); ok || src != "other" {
		t.Errorf("fourth source: %v %q, want counted as other", ok, src)
	}
	// A minute later the source is logged again, with the count held back.
	now = now.Add(time.Minute)
	if ok, src, held := admit("192.0.2.1:3000"); !ok || src != "192.0.2.1" || held != 1 {
		t.Errorf("after a minute: logged %v as %q with %d held back, want 1", ok, src, held)
	}
	// A full table is swept of sources whose minute has passed.
	now = now.Add(time.Minute)
	if ok, src, _ := admit("2001:db8::1"); !ok || src != "2001:db8::1" {
		t.Errorf("a new source once the others are stale: %v %q", ok, src)
	}
	// An address without a port is a source as it is.
	if ok, src, _ := admit("unix-socket"); !ok || src != "unix-socket" {
		t.Errorf("an address without a port: %v %q", ok, src)
	}
}

func TestParseQueryRawSemicolonFirst(t *testing.T) {
	for _, raw := range []string{";", ";filter=x", "a=1&;"} {
		if _, err := parseQuery(raw); err == nil {
			t.Errorf("parseQuery(%q) accepted a raw ;", raw)
		}
	}
}
