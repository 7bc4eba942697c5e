package storetest_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memory"
	"github.com/scimkit/scimkit/store/storetest"
)

// brokenEnv selects, in the subprocess TestHelperBrokenStore runs in,
// which broken store it runs the suite against.
const brokenEnv = "STORETEST_BROKEN_STORE"

// listFunc is the memory store with List answered by list, which may
// call the memory store's own.
type listFunc struct {
	*memory.Store
	list func(s *memory.Store, ctx context.Context, typ string, q store.Query) (*store.Page, error)
}

func (s listFunc) List(ctx context.Context, typ string, q store.Query) (*store.Page, error) {
	return s.list(s.Store, ctx, typ, q)
}

// claimFunc is the memory store with a feed whose batches claim edits.
type claimFunc struct {
	*memory.Store
	edit func(b *store.Batch)
}

func (s claimFunc) Claim(ctx context.Context, consumer string, max int, lease time.Duration) (*store.Batch, error) {
	b, err := s.Store.Claim(ctx, consumer, max, lease)
	if b != nil {
		s.edit(b)
	}
	return b, err
}

// brokenLists are List methods that answer wrongly, by name.
var brokenLists = map[string]func(s *memory.Store, ctx context.Context, typ string, q store.Query) (*store.Page, error){
	// Nothing is ever found.
	"empty-list": func(*memory.Store, context.Context, string, store.Query) (*store.Page, error) {
		return &store.Page{}, nil
	},
	// Every page lacks its last resource (and its cursor).
	"short-list": func(s *memory.Store, ctx context.Context, typ string, q store.Query) (*store.Page, error) {
		p, err := s.List(ctx, typ, q)
		if p != nil && len(p.Resources) > 0 {
			p.Resources = p.Resources[:len(p.Resources)-1]
			if len(p.Cursors) > 0 {
				p.Cursors = p.Cursors[:len(p.Cursors)-1]
			}
		}
		return p, err
	},
	// Paging by cursor works for the first page only.
	"empty-after-cursor": func(s *memory.Store, ctx context.Context, typ string, q store.Query) (*store.Page, error) {
		if q.Cursor != "" {
			return &store.Page{}, nil
		}
		return s.List(ctx, typ, q)
	},
	// Paging by cursor works; by index, nothing is found.
	"empty-by-index": func(s *memory.Store, ctx context.Context, typ string, q store.Query) (*store.Page, error) {
		if !q.UseCursor {
			return &store.Page{}, nil
		}
		return s.List(ctx, typ, q)
	},
	// Paging by cursor works; by index, half the resources are missing.
	"half-by-index": func(s *memory.Store, ctx context.Context, typ string, q store.Query) (*store.Page, error) {
		p, err := s.List(ctx, typ, q)
		if p != nil && !q.UseCursor {
			p.Resources = p.Resources[:len(p.Resources)/2]
		}
		return p, err
	},
}

// brokenClaims are edits that make a feed's Claim answer wrongly.
var brokenClaims = map[string]func(b *store.Batch){
	// No event is ever handed out.
	"empty-claim": func(b *store.Batch) { b.Events = nil },
	// At most one event per Claim.
	"short-claim": func(b *store.Batch) { b.Events = b.Events[:min(len(b.Events), 1)] },
}

func feedStore() *memory.Store {
	return memory.NewWithConfig(memory.Config{FeedEvents: 10_000, FeedValues: true})
}

func clockedFeedStore(clock *storetest.Clock) *memory.Store {
	return memory.NewWithConfig(memory.Config{Clock: clock.Now, FeedEvents: 10_000, FeedValues: true})
}

// TestHelperBrokenStore runs the suite against the broken store brokenEnv
// names. It is a helper of TestBrokenStoreFailsWithoutPanicking, which
// runs it in a subprocess; on its own it does nothing.
func TestHelperBrokenStore(t *testing.T) {
	name := os.Getenv(brokenEnv)
	if name == "" {
		t.Skip("run by TestBrokenStoreFailsWithoutPanicking")
	}
	if list, ok := brokenLists[name]; ok {
		storetest.Run(t, func(*testing.T) store.Store { return listFunc{feedStore(), list} })
	} else if edit, ok := brokenClaims[name]; ok {
		storetest.RunFeed(t, func(_ *testing.T, c *storetest.Clock) storetest.FeedStore {
			return claimFunc{clockedFeedStore(c), edit}
		})
	} else {
		t.Fatalf("unknown %s=%q", brokenEnv, name)
	}
}

// The suite is run by users against their own stores, and a broken store
// must fail it test by test with messages that say what was expected —
// never panic (an index out of range in the suite), which ends the whole
// run at the first broken answer and hides every other result. Each
// broken store runs in a subprocess, which must fail normally.
func TestBrokenStoreFailsWithoutPanicking(t *testing.T) {
	if os.Getenv(brokenEnv) != "" {
		t.Skip("in the subprocess")
	}
	if testing.Short() {
		t.Skip("runs the suite in subprocesses")
	}
	var names []string
	for name := range brokenLists {
		names = append(names, name)
	}
	for name := range brokenClaims {
		names = append(names, name)
	}
	for _, broken := range names {
		t.Run(broken, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperBrokenStore$", "-test.count=1", "-test.timeout=60s")
			cmd.Env = append(os.Environ(), brokenEnv+"="+broken)
			out, err := cmd.CombinedOutput()
			text := string(out)
			if err == nil {
				t.Fatalf("the suite passed against a store with %s:\n%s", broken, text)
			}
			if strings.Contains(text, "panic:") || strings.Contains(text, "[recovered]") {
				i := strings.Index(text, "panic:")
				t.Fatalf("the suite panicked against a store with %s instead of failing:\n%s", broken, text[max(0, i-2000):min(len(text), i+3000)])
			}
			// A failure of a subtest of the suite's, not of the run.
			if !strings.Contains(text, "--- FAIL: TestHelperBrokenStore/storetest") && !strings.Contains(text, "--- FAIL: TestHelperBrokenStore/feed") {
				t.Fatalf("against a store with %s: no subtest of the suite failed:\n%s", broken, text)
			}
		})
	}
}
