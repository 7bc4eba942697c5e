package scim

import (
	"net"
	"sync"
	"time"
)

// rejectLog keeps unauthenticated requests from writing the log at their
// own pace: per source address, the first 401 of each interval is logged
// in full and the others are counted, their number reported on the
// source's next line. It tracks a bounded number of sources; past that,
// the others share one count.
type rejectLog struct {
	now      func() time.Time
	interval time.Duration
	max      int

	mu        sync.Mutex
	sources   map[string]*rejectCount
	others    rejectCount // sources beyond max, and counts of swept sources
	nextSweep time.Time   // a full table is swept at most this often
}

type rejectCount struct {
	since time.Time // when the last line for this source was logged
	held  int       // 401s not logged since
}

func newRejectLog(now func() time.Time) *rejectLog {
	return &rejectLog{now: now, interval: time.Minute, max: 1024, sources: make(map[string]*rejectCount)}
}

// admit reports whether a 401 from remote (an http.Request.RemoteAddr)
// is to be logged, and how many 401s of its source were held back since
// its last line. source is the address the count is kept under ("other"
// when too many sources are tracked).
func (l *rejectLog) admit(remote string) (logIt bool, source string, held int) {
	return l.admitAt(remote, l.now())
}

// admitAt is admit at time now.
func (l *rejectLog) admitAt(remote string, now time.Time) (logIt bool, source string, held int) {
	source = remote
	if host, _, err := net.SplitHostPort(remote); err == nil {
		source = host
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.sources[source]
	if c == nil {
		if len(l.sources) >= l.max && !now.Before(l.nextSweep) {
			l.sweep(now)
			l.nextSweep = now.Add(l.interval / 8)
		}
		if len(l.sources) >= l.max {
			c, source = &l.others, "other"
		} else {
			l.sources[source] = &rejectCount{since: now}
			return true, source, 0
		}
	}
	if c.since.IsZero() || now.Sub(c.since) >= l.interval {
		held, c.held, c.since = c.held, 0, now
		return true, source, held
	}
	c.held++
	return false, source, 0
}

// sweep forgets the sources whose interval has passed; what they held
// back is reported with the next "other" line.
func (l *rejectLog) sweep(now time.Time) {
	for s, c := range l.sources {
		if now.Sub(c.since) >= l.interval {
			l.others.held += c.held
			delete(l.sources, s)
		}
	}
}
