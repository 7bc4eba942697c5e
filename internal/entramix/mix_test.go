package entramix_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/internal/entramix"
	"github.com/scimkit/scimkit/store/memory"
)

// wantCounts checks a run of steps steps with no error: every step sent
// its five requests, every tenth a member add too.
func wantCounts(t *testing.T, res *entramix.Result, steps int) {
	t.Helper()
	if res.Errors != 0 {
		t.Fatalf("%d errors; the first:\n%s", res.Errors, strings.Join(res.Samples, "\n"))
	}
	got := map[string]int{}
	for name, s := range res.Ops {
		got[name] = s.Count
	}
	want := map[string]int{
		entramix.OpFilterMiss: steps,
		entramix.OpCreate:     steps,
		entramix.OpFilterHit:  steps,
		entramix.OpPatchUser:  steps,
		entramix.OpGetUser:    steps,
		entramix.OpAddMember:  steps / 10,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests per operation (-want +got):\n%s", diff)
	}
	if res.Steps != steps || res.Requests != 5*steps+steps/10 {
		t.Errorf("steps %d, requests %d; want %d, %d", res.Steps, res.Requests, steps, 5*steps+steps/10)
	}
	if res.RPS() <= 0 || res.Ops[entramix.OpCreate].Quantile(0.99) <= 0 {
		t.Errorf("no rate or latency measured: %v", res)
	}
}

func run(t *testing.T, base string, steps int) *entramix.Result {
	t.Helper()
	res, err := entramix.Run(t.Context(), entramix.Config{BaseURL: base, Token: token, Clients: 4}, steps, 0)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestMixCanned(t *testing.T) {
	srv, base := entramix.Serve(entramix.Canned(token))
	defer srv.Close()
	wantCounts(t, run(t, base, 50), 50)
}

func TestMixScimkitMemory(t *testing.T) {
	h, logs := scimkitHandler(t, memory.New())
	srv, base := entramix.Serve(h)
	defer srv.Close()
	wantCounts(t, run(t, base, 50), 50)
	if logs.Len() > 0 {
		t.Error(logs)
	}
}

func TestMixRunsForADuration(t *testing.T) {
	srv, base := entramix.Serve(entramix.Canned(token))
	defer srv.Close()
	d, err := entramix.NewDriver(t.Context(), entramix.Config{BaseURL: base, Token: token, Clients: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	start := time.Now()
	res, err := d.Run(t.Context(), 0, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second || res.Steps == 0 || res.Errors != 0 {
		t.Fatalf("ran %s, %d steps, %d errors; want about 200ms of steps without errors", took, res.Steps, res.Errors)
	}
	if res.Elapsed > 200*time.Millisecond || res.Requests < 5*res.Steps {
		t.Errorf("measured %d requests, %d steps in %s; want the 200ms window", res.Requests, res.Steps, res.Elapsed)
	}
	// A second run goes on with new users (a reused name would be found
	// by the filter that wants none).
	again, err := d.Run(t.Context(), 20, 0)
	if err != nil {
		t.Fatal(err)
	}
	if again.Errors != 0 || again.Steps != 20 {
		t.Fatalf("second run: %d steps, %d errors: %v", again.Steps, again.Errors, again.Samples)
	}
	total := &entramix.Result{}
	total.Add(res)
	total.Add(again)
	if total.Steps != res.Steps+20 || total.Elapsed != res.Elapsed+again.Elapsed {
		t.Errorf("Add: %d steps in %s", total.Steps, total.Elapsed)
	}
	if _, err := d.Run(t.Context(), 0, 0); err == nil {
		t.Error("Run without a bound: no error")
	}
}

// TestMixWindow: a run bounded by a duration counts what was answered in
// it; answers arriving later are checked, not counted.
func TestMixWindow(t *testing.T) {
	canned := entramix.Canned(token)
	srv, base := entramix.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/Users/") {
			time.Sleep(300 * time.Millisecond)
		}
		canned.ServeHTTP(w, r)
	}))
	defer srv.Close()
	d, err := entramix.NewDriver(t.Context(), entramix.Config{BaseURL: base, Token: token, Clients: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	res, err := d.Run(t.Context(), 0, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if res.Elapsed != 100*time.Millisecond || res.Steps != 0 || res.Errors != 0 || res.Requests > 8 {
		t.Errorf("%d requests, %d steps, %d errors in %s; want at most the first 4 requests of 2 clients, no step, in 100ms", res.Requests, res.Steps, res.Errors, res.Elapsed)
	}
	if _, ok := res.Ops[entramix.OpGetUser]; ok {
		t.Error("a GET answered after the window was counted")
	}
}

// TestMixCountsErrors: answers that are not what Entra expects are
// counted per operation and kept, and the step is abandoned.
func TestMixCountsErrors(t *testing.T) {
	canned := entramix.Canned(token)
	srv, base := entramix.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, "/Users/") {
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500","detail":"boom"}`))
			return
		}
		canned.ServeHTTP(w, r)
	}))
	defer srv.Close()
	res := run(t, base, 20)
	if res.Errors != 20 || res.Ops[entramix.OpPatchUser].Errors != 20 || res.Steps != 0 {
		t.Fatalf("%d errors (%d on PATCH), %d steps; want 20, 20, 0", res.Errors, res.Ops[entramix.OpPatchUser].Errors, res.Steps)
	}
	if _, ok := res.Ops[entramix.OpGetUser]; ok {
		t.Error("a step went on after its PATCH failed")
	}
	if len(res.Samples) == 0 || !strings.Contains(res.Samples[0], `500`) || !strings.Contains(res.Samples[0], `boom`) {
		t.Errorf("samples: %q", res.Samples)
	}
	if !strings.Contains(res.String(), "patch-user") {
		t.Errorf("String():\n%s", res)
	}
}

func TestDriverTalksToLoopbackOnly(t *testing.T) {
	for _, base := range []string{
		"http://example.com/scim/v2",
		"http://localhost:8080/scim/v2",
		"http://10.0.0.1/scim/v2",
		"https://127.0.0.1/scim/v2",
		"http://127.0.0.1/scim/v2?x=1",
		"127.0.0.1:8080",
	} {
		if _, err := entramix.NewDriver(context.Background(), entramix.Config{BaseURL: base, Token: token}); err == nil {
			t.Errorf("NewDriver(%q): no error", base)
		}
	}
}

func TestSeed(t *testing.T) {
	h, _ := scimkitHandler(t, memory.New())
	srv, base := entramix.Serve(h)
	defer srv.Close()
	d, err := entramix.NewDriver(t.Context(), entramix.Config{BaseURL: base, Token: token, Clients: 4, Groups: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	pop, err := d.Seed(t.Context(), 250, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(pop.Users) != 250 || len(pop.Groups) != 2 {
		t.Fatalf("seeded %d users, %d groups", len(pop.Users), len(pop.Groups))
	}
	var g struct {
		Members []struct {
			Value string `json:"value"`
		} `json:"members"`
	}
	if err := json.Unmarshal([]byte(get(t, base+"/Groups/"+pop.Groups[1], http.StatusOK)), &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Members) != 125 {
		t.Errorf("group 1 has %d members, want 125", len(g.Members))
	}
	all := get(t, base+"/Users?count=1", http.StatusOK)
	if !strings.Contains(all, `"totalResults":250,`) {
		t.Errorf("users: %.200s", all)
	}
}

func get(t *testing.T, url string, want int) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return send(t, req, want)
}

func send(t *testing.T, req *http.Request, want int) string {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s; want %d", req.Method, req.URL, resp.StatusCode, b, want)
	}
	return string(b)
}
