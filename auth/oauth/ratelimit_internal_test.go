package oauth

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiterBoundedAndRefills(t *testing.T) {
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	l := newLimiter(RateLimit{Burst: 3, Every: time.Minute}, 0, 0, 100)
	for i := range 3 {
		if ok, _ := l.allowed("k", now); !ok {
			t.Fatalf("failure %d refused within the burst", i)
		}
		l.fail("k", now)
	}
	ok, wait := l.allowed("k", now)
	if ok || wait != time.Minute {
		t.Errorf("after the burst: allowed %v, wait %s; want refused, 1m", ok, wait)
	}
	if ok, _ := l.allowed("k", now.Add(time.Minute)); !ok {
		t.Error("not allowed again after Every")
	}
	// 100,000 addresses: memory stays bounded.
	for i := range 100_000 {
		l.fail(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), now)
	}
	if n := l.len(); n > 100 {
		t.Errorf("%d keys tracked, want at most 100", n)
	}
}

func TestAddrKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":                "192.0.2.1",
		"::ffff:192.0.2.1":         "192.0.2.1",
		"2001:db8:1:2:3:4:5:6":     "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1":     "2001:db8:1:2::/64",
		"[2001:db8::1]:443":        "2001:db8::/64",
		"not an address":           "not an address",
		string(make([]byte, 1000)): string(make([]byte, 64)),
	} {
		if got := addrKey(in); got != want {
			t.Errorf("addrKey(%q) = %q, want %q", in, got, want)
		}
	}
}
