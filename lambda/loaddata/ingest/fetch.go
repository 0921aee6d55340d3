package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// maxBody bounds what one document may weigh: Vélib's status feed is about
// 1 MB, and a runaway response must not exhaust the function's memory.
const maxBody = 64 << 20

// Fetcher downloads JSON documents, retrying what is worth retrying:
// timeouts and other transport errors, 429 and 5xx responses. Any other
// status fails at once, since asking again would get the same answer.
type Fetcher struct {
	// Client makes the requests; its Timeout bounds each attempt.
	// Default: a client with a 10-second timeout.
	Client *http.Client
	// Attempts is the total number of tries. Default: 4.
	Attempts int
	// Backoff is the ceiling of the first wait; it doubles per retry, up to
	// MaxBackoff, and the actual wait is drawn uniformly below it (full
	// jitter). Defaults: 500 ms and 8 s.
	Backoff, MaxBackoff time.Duration
	// Margin is the time kept in hand before the context's deadline (the
	// function's timeout) for what follows the fetch, such as writing the
	// snapshot. A retry whose wait and attempt would eat into it is not
	// made: Get fails at once, saying why. Default: 5 s.
	Margin time.Duration
}

// StatusError is an HTTP response other than 200.
type StatusError struct{ Code int }

func (e *StatusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.Code, http.StatusText(e.Code))
}

// retryable reports whether another attempt might succeed.
func retryable(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code == http.StatusTooManyRequests || se.Code >= 500
	}
	return !errors.Is(err, errTooLarge)
}

var errTooLarge = fmt.Errorf("response larger than %d bytes", maxBody)

// Get returns the body of url, after up to Attempts tries.
func (f *Fetcher) Get(ctx context.Context, url string) ([]byte, error) {
	client, attempts := f.Client, f.Attempts
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if attempts < 1 {
		attempts = 4
	}
	var err error
	for i := 0; i < attempts; i++ {
		var body []byte
		var retryAfter time.Duration
		body, retryAfter, err = get(ctx, client, url)
		if err == nil {
			return body, nil
		}
		if !retryable(err) || ctx.Err() != nil {
			return nil, err
		}
		if i == attempts-1 {
			break
		}
		pause := max(f.backoff(i), retryAfter)
		if berr := f.checkBudget(ctx, client, pause, retryAfter); berr != nil {
			return nil, fmt.Errorf("%w, after %d attempt(s); %v", err, i+1, berr)
		}
		if werr := wait(ctx, pause); werr != nil {
			return nil, fmt.Errorf("%w (gave up waiting to retry: %v)", err, werr)
		}
	}
	return nil, fmt.Errorf("%w, after %d attempts", err, attempts)
}

// checkBudget refuses a retry that cannot finish in time: waiting pause and
// then a whole attempt must leave Margin before the context's deadline.
func (f *Fetcher) checkBudget(ctx context.Context, client *http.Client, pause, retryAfter time.Duration) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		return nil
	}
	margin := f.Margin
	if margin <= 0 {
		margin = 5 * time.Second
	}
	left := time.Until(deadline) - margin
	if pause+client.Timeout <= left {
		return nil
	}
	if retryAfter > 0 && retryAfter == pause {
		return fmt.Errorf("not retrying: the server asks to wait %s (Retry-After), longer than the %s left before the deadline", retryAfter, left.Round(time.Millisecond))
	}
	return fmt.Errorf("not retrying: waiting %s and another attempt of up to %s would not end %s before the deadline", pause.Round(time.Millisecond), client.Timeout, margin)
}

// backoff draws the wait before retry number i+1.
func (f *Fetcher) backoff(i int) time.Duration {
	base, ceiling := f.Backoff, f.MaxBackoff
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	if ceiling <= 0 {
		ceiling = 8 * time.Second
	}
	d := min(base<<i, ceiling)
	return rand.N(d) + 1
}

func get(ctx context.Context, client *http.Client, url string) (body []byte, retryAfter time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "velib-pipeline-ingest/1")
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Drain a little so the connection can be reused.
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, parseRetryAfter(resp.Header.Get("Retry-After")), &StatusError{Code: resp.StatusCode}
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, 0, err
	}
	if len(body) > maxBody {
		return nil, 0, errTooLarge
	}
	return body, 0, nil
}

// parseRetryAfter reads a Retry-After given in seconds; dates are ignored.
// A wait too long for the time left is refused by checkBudget, not
// shortened: the server said when it will answer.
func parseRetryAfter(v string) time.Duration {
	secs, err := strconv.Atoi(v)
	if err != nil || secs <= 0 {
		return 0
	}
	return time.Duration(min(secs, 24*3600)) * time.Second
}

func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
