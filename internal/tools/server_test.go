package tools_test

import (
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/internal/tools"
)

// echo answers each line with its process id, and dies on a line with
// "die" in it after a word on stderr.
const echo = `while read -r line; do
  case $line in *die*) echo "the last word" >&2; exit 3 ;; esac
  echo "{\"pid\": $$}"
done`

func TestServer(t *testing.T) {
	starts := 0
	var mu sync.Mutex
	server := tools.NewServer(2, func() (*exec.Cmd, error) {
		mu.Lock()
		starts++
		mu.Unlock()
		return exec.Command("sh", "-c", echo), nil
	})
	ask := func(request string) (int, error) {
		var reply struct{ PID int }
		err := server.Exchange(request, &reply)
		return reply.PID, err
	}

	first, err := ask("one")
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name, request string
		samePID       bool
		failure       string
		starts        int
	}{
		{"a second request goes to the same process", "two", true, "", 1},
		{"a process that dies is named with its stderr", "die", false, "the last word", 1},
		{"the next request starts another", "three", false, "", 2},
	}
	for _, step := range steps {
		pid, err := ask(step.request)
		switch {
		case step.failure != "":
			if err == nil || !strings.Contains(err.Error(), step.failure) || !strings.Contains(err.Error(), "without a reply") {
				t.Errorf("%s: %v", step.name, err)
			}
		case err != nil:
			t.Errorf("%s: %v", step.name, err)
		case (pid == first) != step.samePID:
			t.Errorf("%s: process %d after %d", step.name, pid, first)
		}
		mu.Lock()
		if starts != step.starts {
			t.Errorf("%s: %d starts, want %d", step.name, starts, step.starts)
		}
		mu.Unlock()
	}

	// Concurrent requests use at most the server's two processes.
	var wg sync.WaitGroup
	pids := make(chan int, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if pid, err := ask("more"); err == nil {
				pids <- pid
			} else {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	close(pids)
	seen := map[int]bool{}
	for pid := range pids {
		seen[pid] = true
	}
	if len(seen) > 2 || starts > 3 {
		t.Errorf("20 concurrent requests went to %d processes (%d starts in all), want at most 2", len(seen), starts)
	}
}

// TestServerReplacesWhatWentWrong: a process that ended while idle is
// replaced before the next request; one whose reply does not decode (a
// stray line on stdout) is stopped, so no later request gets an earlier
// reply; stderr quoted is the failing request's own.
func TestServerReplacesWhatWentWrong(t *testing.T) {
	tests := []struct {
		name, script string
		want         []string // per request: its reply's N, or "error: <text>"
	}{
		{"a process that ends after each reply",
			`read -r line; echo '{"n": 1}'`,
			[]string{"1", "1", "1"}},
		// Each new process writes the stray line again: every request
		// fails, none gets the reply of the one before.
		{"a stray line before the first reply",
			`n=0; while read -r line; do n=$((n+1)); [ $n = 1 ] && echo stray; echo "{\"n\": $n}"; done`,
			[]string{"error: decoding its reply", "error: decoding its reply", "error: decoding its reply"}},
		{"stderr of earlier requests is not quoted",
			`n=0; while read -r line; do n=$((n+1)); echo "warning $n" >&2; [ $n = 3 ] && exit 2; echo '{"n": 0}'; done`,
			[]string{"0", "0", "error: warning 3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			server := tools.NewServer(1, func() (*exec.Cmd, error) { return exec.Command("sh", "-c", tc.script), nil })
			for i, want := range tc.want {
				var reply struct{ N int }
				err := server.Exchange("x", &reply)
				got := strconv.Itoa(reply.N)
				if err != nil {
					got = "error: " + err.Error()
				}
				if !strings.Contains(got, strings.TrimPrefix(want, "error: ")) || strings.HasPrefix(want, "error") != (err != nil) || strings.Contains(got, "warning 1") {
					t.Errorf("request %d: %q, want %q", i+1, got, want)
				}
				time.Sleep(20 * time.Millisecond) // a process that ends does so
			}
		})
	}
}
