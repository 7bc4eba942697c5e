package sqlstore_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

// The crash tests run this test binary again as a child that writes a
// stream of changes and prints each write it saw succeed; the parent
// kills it with SIGKILL mid-stream, opens the database again and checks
// the feed against what the child printed and what the database holds.
const (
	crashChildEnv = "SCIMKIT_FEED_CRASH_CHILD" // "sqlite" or "postgres"
	crashDSNEnv   = "SCIMKIT_FEED_CRASH_DSN"   // the file or DSN
)

// TestFeedCrashChild is the child: it does nothing unless the parent set
// crashChildEnv.
func TestFeedCrashChild(t *testing.T) {
	kind := os.Getenv(crashChildEnv)
	if kind == "" {
		t.Skip("the crash tests' child process; runs only under TestFeedCrash…")
	}
	st := openCrashStore(t, kind, os.Getenv(crashDSNEnv))
	ctx := store.WithTenant(context.Background(), "crash")
	out := bufio.NewWriter(os.Stdout)
	var made []string
	for i := 0; ; i++ {
		switch {
		case i%7 == 6 && len(made) > 1:
			id := made[len(made)-1]
			made = made[:len(made)-1]
			if err := st.Delete(ctx, store.User, id, ""); err == nil {
				fmt.Fprintf(out, "deleted %s\n", id)
			}
		case i%5 == 4:
			// A write that fails: a userName already taken.
			_, err := st.Create(ctx, crashUser("user-0", i))
			fmt.Fprintf(out, "failed %d %v\n", i, err != nil)
		case i%5 == 2 && len(made) > 0:
			id := made[i%len(made)]
			r, err := st.Update(ctx, store.User, id, "", func(r *store.Resource) error {
				r.Attributes = json.RawMessage(fmt.Sprintf(`{"userName":%q,"title":"t%d"}`, r.Display, i))
				return nil
			})
			if err == nil {
				fmt.Fprintf(out, "updated %s %s\n", id, r.Version)
			}
		default:
			r, err := st.Create(ctx, crashUser(fmt.Sprintf("user-%d", i), i))
			if err == nil {
				made = append(made, r.ID)
				fmt.Fprintf(out, "created %s\n", r.ID)
			}
		}
		out.Flush() // the parent sees each line once the write returned
	}
}

func crashUser(name string, i int) *store.Resource {
	return &store.Resource{Type: store.User, Unique: []store.Unique{{Attribute: "userName", Value: name}}, Display: name,
		Attributes: json.RawMessage(fmt.Sprintf(`{"userName":%q,"title":"t%d"}`, name, i))}
}

func openCrashStore(t testing.TB, kind, dsn string) *sqlstore.Store {
	t.Helper()
	cfg := sqlstore.Config{Feed: sqlstore.FeedConfig{Enabled: true, Values: true}}
	var st *sqlstore.Store
	var err error
	if kind == "postgres" {
		st, err = postgres.Open(context.Background(), dsn, cfg)
		if err == nil {
			st.DB().SetMaxOpenConns(4)
		}
	} else {
		st, err = sqlite.Open(context.Background(), dsn, cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestFeedCrashSQLite(t *testing.T) {
	testFeedCrash(t, "sqlite", filepath.Join(t.TempDir(), "crash.db"))
}

func TestFeedCrashPostgres(t *testing.T) {
	testFeedCrash(t, "postgres", freshSchema(t))
}

func testFeedCrash(t *testing.T, kind, dsn string) {
	// Create the schema first, so that the child's stream starts at once.
	st := openCrashStore(t, kind, dsn)
	st.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestFeedCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+kind, crashDSNEnv+"="+dsn)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	created := map[string]bool{}
	updated := map[string]map[string]bool{} // id → versions acknowledged
	deleted := map[string]bool{}
	failures, okFailures := 0, 0
	killAfter := 40 + rand.IntN(80) // creates acknowledged before the kill
	lines := bufio.NewScanner(stdout)
	deadline := time.Now().Add(2 * time.Minute)
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		switch {
		case len(f) == 2 && f[0] == "created":
			created[f[1]] = true
		case len(f) == 3 && f[0] == "updated":
			if updated[f[1]] == nil {
				updated[f[1]] = map[string]bool{}
			}
			updated[f[1]][f[2]] = true
		case len(f) == 2 && f[0] == "deleted":
			deleted[f[1]] = true
		case len(f) == 3 && f[0] == "failed":
			failures++
			if f[2] != "true" {
				okFailures++
			}
		}
		if len(created) >= killAfter || time.Now().After(deadline) {
			break
		}
	}
	// Mid-stream: the child is writing as fast as it can.
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		f := strings.Fields(lines.Text()) // lines written before the kill
		switch {
		case len(f) == 2 && f[0] == "created":
			created[f[1]] = true
		case len(f) == 3 && f[0] == "updated":
			if updated[f[1]] == nil {
				updated[f[1]] = map[string]bool{}
			}
			updated[f[1]][f[2]] = true
		case len(f) == 2 && f[0] == "deleted":
			deleted[f[1]] = true
		}
	}
	cmd.Wait()
	if len(created) < 20 || failures == 0 {
		t.Fatalf("the child acknowledged %d creates and %d failed writes before it was killed: too few to test", len(created), failures)
	}
	if okFailures > 0 {
		t.Fatalf("%d duplicate creates succeeded", okFailures)
	}

	st = openCrashStore(t, kind, dsn)
	defer st.Close()
	ctx := store.WithTenant(context.Background(), "crash")
	page, err := st.List(ctx, store.User, store.Query{Count: 100000})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, r := range page.Resources {
		stored[r.ID] = true
	}
	createdEv, deletedEv := map[string]int{}, map[string]int{}
	versions := map[string]map[string]bool{}
	var seqs []int64
	for {
		b, err := st.Claim(context.Background(), "crash-check", 500, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Events) == 0 {
			break
		}
		for _, e := range b.Events {
			seqs = append(seqs, e.Seq)
			switch e.Kind {
			case store.Created:
				createdEv[e.ResourceID]++
			case store.Deleted:
				deletedEv[e.ResourceID]++
			case store.Updated:
				if versions[e.ResourceID] == nil {
					versions[e.ResourceID] = map[string]bool{}
				}
				versions[e.ResourceID][e.Version] = true
			default:
				t.Errorf("unexpected event %s of %s", e.Kind, e.ResourceID)
			}
		}
		if err := st.Ack(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	for id := range created {
		if createdEv[id] != 1 {
			t.Errorf("acknowledged create of %s: %d created events, want 1", id, createdEv[id])
		}
	}
	for id, vs := range updated {
		for v := range vs {
			if !versions[id][v] {
				t.Errorf("acknowledged update of %s to version %s: no event", id, v)
			}
		}
	}
	for id := range deleted {
		if deletedEv[id] != 1 {
			t.Errorf("acknowledged delete of %s: %d deleted events, want 1", id, deletedEv[id])
		}
	}
	// The write in flight when the child died: committed (then it has its
	// event) or not (then it has none) — the feed and the table agree.
	for id := range stored {
		if createdEv[id] != 1 || deletedEv[id] != 0 {
			t.Errorf("stored user %s: %d created and %d deleted events, want 1 and 0", id, createdEv[id], deletedEv[id])
		}
	}
	for id := range createdEv {
		if !stored[id] && deletedEv[id] != 1 {
			t.Errorf("created event for %s, which is not stored and has no deleted event (a failed or rolled-back write)", id)
		}
	}
	for i, s := range seqs {
		if s != int64(i+1) {
			t.Fatalf("Seq %d at position %d: the feed has a gap or is out of order", s, i+1)
		}
	}
	t.Logf("%s: %d creates, %d updated users and %d deletes acknowledged, %d failed writes, %d users stored, %d events", kind, len(created), len(updated), len(deleted), failures, len(stored), len(seqs))
}
