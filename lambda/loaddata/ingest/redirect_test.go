package ingest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRedirects: a redirect from HTTPS to plain HTTP is refused at once,
// naming both ends; one that stays on HTTPS, and a plain-HTTP feed from the
// start (as local test servers serve), are followed.
func TestRedirects(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("plain")) }))
	defer plain.Close()
	var hits atomic.Int32
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/down":
			http.Redirect(w, r, plain.URL+"/feed", http.StatusFound)
		case "/moved":
			http.Redirect(w, r, "/feed", http.StatusMovedPermanently)
		default:
			w.Write([]byte("secure"))
		}
	}))
	defer secure.Close()
	plainRedirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/feed", http.StatusFound)
	}))
	defer plainRedirect.Close()

	for _, c := range []struct {
		name, url, body, err string
		hits                 int32
	}{
		{name: "HTTPS to HTTP", url: secure.URL + "/down", err: "redirect leaves HTTPS: " + secure.URL + "/down to " + plain.URL + "/feed refused", hits: 1},
		{name: "HTTPS to HTTPS", url: secure.URL + "/moved", body: "secure", hits: 2},
		{name: "plain HTTP throughout", url: plainRedirect.URL, body: "plain"},
	} {
		t.Run(c.name, func(t *testing.T) {
			hits.Store(0)
			f := &Fetcher{Client: secure.Client(), Attempts: 3}
			body, err := f.Get(context.Background(), c.url)
			switch {
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Errorf("error %v, want %q", err, c.err)
			case c.err == "" && (err != nil || string(body) != c.body):
				t.Errorf("got %q, %v; want %q", body, err, c.body)
			}
			if got := hits.Load(); got != c.hits {
				t.Errorf("%d requests to the HTTPS server, want %d (a refused redirect is not retried)", got, c.hits)
			}
		})
	}
}
