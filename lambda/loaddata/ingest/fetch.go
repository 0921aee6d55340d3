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
	return !errors.Is(err, errTooLarge) && !errors.Is(err, errDowngrade)
}

// errDowngrade refuses a redirect that leaves HTTPS: the feed would then
// travel, and could be altered, in the clear.
var errDowngrade = errors.New("redirect leaves HTTPS")

// refuseDowngrade is an http.Client CheckRedirect: it follows redirects as
// the default does (up to 10), except from HTTPS to anything else. A feed
// served over plain HTTP from the start (a local test server) is not
// affected; the deployed feed URL must be HTTPS.
func refuseDowngrade(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if from := via[len(via)-1].URL; from.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("%w: %s to %s refused", errDowngrade, from.Redacted(), req.URL.Redacted())
	}
	return nil
}

var errTooLarge = fmt.Errorf("response larger than %d bytes", maxBody)

// Get returns the body of url, after up to Attempts tries. It is for small
// documents; Fetch streams large ones.
func (f *Fetcher) Get(ctx context.Context, url string) ([]byte, error) {
	var body []byte
	err := f.Fetch(ctx, url, func(r io.Reader) (err error) {
		body, err = io.ReadAll(r)
		return err
	})
	return body, err
}

// Fetch streams the body of url to consume, after up to Attempts tries.
// consume is called afresh for each attempt that gets a 200 response and
// must start over each time. An error reading the body (the connection
// dropped, the timeout struck) is retried like any transport error; an
// error of consume's own (the body was read but is wrong) is returned at
// once, since the same answer would come again. A body over the size
// limit fails at once.
func (f *Fetcher) Fetch(ctx context.Context, url string, consume func(io.Reader) error) error {
	client, attempts := f.Client, f.Attempts
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if client.CheckRedirect == nil {
		c := *client
		c.CheckRedirect = refuseDowngrade
		client = &c
	}
	if attempts < 1 {
		attempts = 4
	}
	var err error
	for i := 0; i < attempts; i++ {
		var retryAfter time.Duration
		var final bool
		retryAfter, final, err = attempt(ctx, client, url, consume)
		if err == nil {
			return nil
		}
		if final || !retryable(err) || ctx.Err() != nil {
			return err
		}
		if i == attempts-1 {
			break
		}
		pause := max(f.backoff(i), retryAfter)
		if berr := f.checkBudget(ctx, client, pause, retryAfter); berr != nil {
			return fmt.Errorf("%w, after %d attempt(s); %v", err, i+1, berr)
		}
		if werr := wait(ctx, pause); werr != nil {
			return fmt.Errorf("%w (gave up waiting to retry: %v)", err, werr)
		}
	}
	return fmt.Errorf("%w, after %d attempts", err, attempts)
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

// attempt makes one request and hands a 200 response's body to consume.
// final reports an error of consume's own, which no retry can mend.
func attempt(ctx context.Context, client *http.Client, url string, consume func(io.Reader) error) (retryAfter time.Duration, final bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, true, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "velib-pipeline-ingest/1")
	resp, err := client.Do(req)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Drain a little so the connection can be reused.
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return parseRetryAfter(resp.Header.Get("Retry-After")), false, &StatusError{Code: resp.StatusCode}
	}
	body := &bodyReader{r: resp.Body, left: maxBody}
	err = consume(body)
	if body.err != nil {
		// The body could not be read whole: the reason is the transport's
		// (or the size limit's), whatever consume made of it.
		return 0, false, body.err
	}
	return 0, true, err
}

// bodyReader reads a response body, failing with errTooLarge past maxBody
// bytes, and keeps the first read error other than io.EOF.
type bodyReader struct {
	r    io.Reader
	left int64
	err  error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.left <= 0 {
		// One byte more tells a body of exactly maxBody from a larger one.
		var one [1]byte
		if n, _ := io.ReadFull(b.r, one[:]); n > 0 {
			b.err = errTooLarge
			return 0, b.err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
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
