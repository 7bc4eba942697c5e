package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the quickstart process, so the test can
// SIGKILL a real server process.
func TestMain(m *testing.M) {
	if args := os.Getenv("SCIMKIT_QUICKSTART_CHILD"); args != "" {
		if err := run(context.Background(), strings.Fields(args), os.Stdout, io.Discard); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startChild starts the quickstart on db and returns its base URL.
func startChild(t *testing.T, db string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SCIMKIT_QUICKSTART_CHILD=-addr 127.0.0.1:0 -token dur -store sqlite:"+db)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	deadline := time.After(20 * time.Second)
	lines := make(chan string)
	go func() {
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("quickstart exited before printing its URL")
			}
			if base, found := strings.CutPrefix(l, "SCIM endpoint: "); found {
				go func() {
					for range lines {
					}
				}()
				return cmd, strings.TrimSpace(base)
			}
		case <-deadline:
			t.Fatal("quickstart printed no URL")
		}
	}
}

// A quickstart on a SQLite file is SIGKILLed in the middle of a stream of
// creates; after a restart every user that got a 201 is there.
func TestDurabilityAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	db := filepath.Join(t.TempDir(), "durable.db")
	cmd, base := startChild(t, db)
	client := &http.Client{Timeout: 5 * time.Second}

	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("w%d-u%d@example.com", w, i)
				req, _ := http.NewRequest(http.MethodPost, base+"/Users", strings.NewReader(`{"userName":"`+name+`"}`))
				req.Header.Set("Authorization", "Bearer dur")
				res, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusCreated {
					mu.Lock()
					acked = append(acked, name)
					mu.Unlock()
				}
			}
		})
	}
	// Let creates flow, then kill the process without warning.
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 200 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	close(stop)
	wg.Wait()

	_, base = startChild(t, db)
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d creates acknowledged before SIGKILL", len(acked))
	for _, name := range acked {
		req, _ := http.NewRequest(http.MethodGet, base+`/Users?filter=userName+eq+%22`+name+`%22`, nil)
		req.Header.Set("Authorization", "Bearer dur")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var list struct{ TotalResults int }
		json.NewDecoder(res.Body).Decode(&list)
		res.Body.Close()
		if list.TotalResults != 1 {
			t.Fatalf("%s got 201 before the SIGKILL but is gone after the restart", name)
		}
	}
}
