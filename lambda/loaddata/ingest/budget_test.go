package ingest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestRetryBudget checks that retries, Retry-After waits included, stay
// inside the context's deadline less Margin: a retry that would not fit is
// not made, and the error says why instead of the deadline striking.
func TestRetryBudget(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		deadline   time.Duration
		hits       int32    // requests the server must have seen
		want       []string // what the error must say
	}{
		{name: "Retry-After longer than the time left fails at once", retryAfter: "3600", deadline: 20 * time.Second, hits: 1,
			want: []string{"HTTP 503", "after 1 attempt(s)", "the server asks to wait 1h0m0s (Retry-After)", "before the deadline"}},
		// The second attempt fits (1 s wait + 0.5 s timeout + 0.5 s margin
		// = 2 s, with up to 0.95 s spent on the first, however busy the
		// machine); a third never does.
		{name: "retries stop when the next would not end before the margin", retryAfter: "1", deadline: 2950 * time.Millisecond, hits: 2,
			want: []string{"HTTP 503", "after 2 attempt(s)", "not retrying"}},
		{name: "no deadline: every attempt is made", retryAfter: "", deadline: 0, hits: 3,
			want: []string{"HTTP 503", "after 3 attempts"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.WriteHeader(http.StatusServiceUnavailable)
			}))
			defer srv.Close()
			ctx := context.Background()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.deadline)
				defer cancel()
			}
			f := &Fetcher{Client: &http.Client{Timeout: 500 * time.Millisecond}, Attempts: 3,
				Backoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, Margin: 500 * time.Millisecond}
			_, err := f.Get(ctx, srv.URL)
			if err == nil {
				t.Fatal("Get succeeded against a server that always answers 503")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "context deadline exceeded") {
				t.Errorf("the deadline struck: %v", err)
			}
			if got := hits.Load(); got != tc.hits {
				t.Errorf("the server saw %d requests, want %d", got, tc.hits)
			}
		})
	}
}
