package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/scimkit/scimkit/store"
)

// recorder collects the events of one write: into the feed while the
// tenant's lock is held (so the feed's order is the commit order), and to
// the request (store.Committed) once it is released.
type recorder struct {
	s      *Store
	ctx    context.Context
	evs    []store.Event
	commit func([]store.Event)
	done   bool
}

// recorder returns nil when nobody wants the events of a write in ctx.
func (s *Store) recorder(ctx context.Context) *recorder {
	if s.feed == nil && !store.WantsCommitted(ctx) {
		return nil
	}
	r := &recorder{s: s, ctx: ctx}
	r.commit = r.record
	return r
}

func (r *recorder) record(evs []store.Event) {
	store.StampEvents(r.ctx, r.s.now().UTC(), evs)
	r.evs, r.done = evs, true
	if r.s.feed != nil {
		tenant, _ := store.Tenant(r.ctx)
		r.s.feed.append(tenant, evs)
	}
}

func (r *recorder) publish() {
	if r != nil && r.done {
		store.Committed(r.ctx, r.evs)
	}
}

// feed is the memory Store's change feed: the last Config.FeedEvents
// events of all tenants, and each consumer's position and lease per
// tenant.
type feed struct {
	now    func() time.Time
	max    int
	values bool

	mu        sync.Mutex
	tenants   map[string]*tenantFeed
	order     []string // the tenant of each kept event, oldest first: eviction order
	head      int      // order[head:] are kept
	consumers map[consumerKey]*feedPosition
	gen       uint64 // events appended so far
	claimed   uint64 // gen at the last Claim that found nothing
	wake      chan struct{}
}

type tenantFeed struct {
	events []store.Event // Seq increasing by one
	next   int64         // Seq of the next event
}

type consumerKey struct{ consumer, tenant string }

type feedPosition struct {
	acked   int64 // last Seq acknowledged
	lease   string
	expires time.Time
}

func newFeed(now func() time.Time, max int, values bool) *feed {
	return &feed{now: now, max: max, values: values, tenants: map[string]*tenantFeed{}, consumers: map[consumerKey]*feedPosition{}, wake: make(chan struct{})}
}

func (f *feed) append(tenant string, evs []store.Event) {
	if len(evs) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	tf := f.tenants[tenant]
	if tf == nil {
		tf = &tenantFeed{next: 1}
		f.tenants[tenant] = tf
	}
	for _, e := range evs {
		e.Seq = tf.next
		tf.next++
		if !f.values {
			e.Before, e.After = nil, nil
		}
		tf.events = append(tf.events, e)
		f.order = append(f.order, tenant)
	}
	for len(f.order)-f.head > f.max {
		old := f.tenants[f.order[f.head]]
		old.events[0] = store.Event{}
		old.events = old.events[1:]
		f.order[f.head] = ""
		f.head++
	}
	if f.head > len(f.order)/2 && f.head > 1024 {
		f.order = append([]string(nil), f.order[f.head:]...)
		f.head = 0
	}
	f.gen++
	close(f.wake)
	f.wake = make(chan struct{})
}

// Claim implements store.Feed.
func (s *Store) Claim(ctx context.Context, consumer string, limit int, lease time.Duration) (*store.Batch, error) {
	f, err := s.feedOrErr()
	if err != nil {
		return nil, err
	}
	if consumer == "" || limit <= 0 || lease <= 0 {
		return nil, fmt.Errorf("memory: Claim needs a consumer name, max > 0 and lease > 0")
	}
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	for name, tf := range f.tenants {
		if len(tf.events) == 0 {
			continue
		}
		k := consumerKey{consumer, name}
		p := f.consumers[k]
		if p == nil {
			p = &feedPosition{}
			f.consumers[k] = p
		}
		if p.lease != "" && now.Before(p.expires) {
			continue // another replica holds this tenant
		}
		first := tf.events[0].Seq
		i := max(p.acked+1-first, 0) // events before first were evicted: lost
		if i >= int64(len(tf.events)) {
			continue
		}
		n := min(int64(limit), int64(len(tf.events))-i)
		b := &store.Batch{Consumer: consumer, Tenant: name, Lease: store.NewID(), Expires: now.Add(lease)}
		b.Events = make([]store.Event, n)
		for j := range b.Events {
			e := tf.events[i+int64(j)]
			if e.Member != nil {
				m := *e.Member
				e.Member = &m
			}
			b.Events[j] = e
		}
		p.lease, p.expires = b.Lease, b.Expires
		return b, nil
	}
	f.claimed = f.gen
	return &store.Batch{Consumer: consumer}, nil
}

// Ack implements store.Feed.
func (s *Store) Ack(ctx context.Context, b *store.Batch) error {
	f, err := s.feedOrErr()
	if err != nil {
		return err
	}
	if len(b.Events) == 0 {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.consumers[consumerKey{b.Consumer, b.Tenant}]
	if p == nil || p.lease != b.Lease {
		return store.ErrLeaseLost
	}
	p.acked = max(p.acked, b.Events[len(b.Events)-1].Seq)
	p.lease, p.expires = "", time.Time{}
	return nil
}

// Wait implements store.Feed: it returns as soon as an event is appended
// (or at once, when one was since the last Claim that found nothing), and
// after a second at most, for leases that expire.
func (s *Store) Wait(ctx context.Context) error {
	f, err := s.feedOrErr()
	if err != nil {
		return err
	}
	f.mu.Lock()
	wake, pending := f.wake, f.gen != f.claimed
	f.mu.Unlock()
	if pending {
		return ctx.Err()
	}
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-wake:
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

func (s *Store) feedOrErr() (*feed, error) {
	if s.feed == nil {
		return nil, store.ErrNoFeed
	}
	return s.feed, nil
}

var _ store.Feed = (*Store)(nil)
