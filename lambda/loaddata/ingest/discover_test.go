package ingest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDiscoveryFeeds(t *testing.T) {
	tests := []struct {
		name, body, lang, info string
		err                    string
	}{
		{name: "GBFS 3: one list", body: `{"data": {"feeds": [{"name": "station_information", "url": "u3"}]}}`, info: "u3"},
		{name: "GBFS 2: English preferred", body: `{"data": {"de": {"feeds": [{"name": "station_information", "url": "de"}]}, "en": {"feeds": [{"name": "station_information", "url": "en"}]}}}`, info: "en"},
		{name: "GBFS 2: first language otherwise", body: `{"data": {"nl": {"feeds": [{"name": "station_information", "url": "nl"}]}, "fr": {"feeds": [{"name": "station_information", "url": "fr"}]}}}`, info: "fr"},
		{name: "GBFS 2: the configured language", body: `{"data": {"en": {"feeds": [{"name": "station_information", "url": "en"}]}, "fr": {"feeds": [{"name": "station_information", "url": "fr"}]}}}`, lang: "fr", info: "fr"},
		{name: "GBFS 2: a language it lacks", body: `{"data": {"en": {"feeds": []}, "fr": {"feeds": []}}}`, lang: "de", err: `no feeds in language "de" (it has en, fr)`},
		{name: "GBFS 3: one list whatever the language", body: `{"data": {"feeds": [{"name": "station_information", "url": "u3"}]}}`, lang: "fr", info: "u3"},
		{name: "not JSON", body: `nope`, err: "not a GBFS discovery document"},
		{name: "no feeds", body: `{"data": {}}`, err: "data has no feeds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			feeds, err := discoveryFeeds([]byte(tc.body), tc.lang)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || feeds[FeedInformation] != tc.info {
				t.Errorf("feeds = %v, %v; want station_information %q", feeds, err, tc.info)
			}
		})
	}
}

func TestFeedURLsWithoutStationFeeds(t *testing.T) {
	// A discovery document that lists no station feeds is an error that
	// names the document.
	f := &Fetcher{Client: fakeClient(`{"data": {"en": {"feeds": [{"name": "system_information", "url": "x"}]}}}`)}
	_, _, err := FeedURLs(context.Background(), f, "https://bikes.example.org/gbfs.json", "")
	if err == nil || !strings.Contains(err.Error(), "lists no station_information or no station_status feed") {
		t.Errorf("err = %v", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := map[string]string{"": "0s", "3": "3s", "-1": "0s", "600": "10m0s", "3600": "1h0m0s", "999999": "24h0m0s", "Wed, 21 Oct 2015 07:28:00 GMT": "0s"}
	for in, want := range tests {
		if got := parseRetryAfter(in).String(); got != want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}

// fakeClient answers every request with 200 and body, without a network.
func fakeClient(body string) *http.Client {
	return &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(body)), Header: http.Header{}, Request: r}, nil
	})}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestBackoffBounds(t *testing.T) {
	f := &Fetcher{Backoff: 100 * time.Millisecond, MaxBackoff: time.Second}
	for i, ceiling := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second} {
		for range 200 {
			if d := f.backoff(i); d <= 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, want in (0, %v]", i, d, ceiling)
			}
		}
	}
}

// TestFeedURLsRefusePlainHTTP: the synth allows only https:// feeds (or
// http:// on loopback); a gbfs.json that lists an http:// feed elsewhere
// would bring the clear back, so the function applies the same rule.
func TestFeedURLsRefusePlainHTTP(t *testing.T) {
	tests := []struct {
		name, base, listed, err string
	}{
		{name: "an http feed listed", base: "https://bikes.example.org/gbfs.json", listed: "http://bikes.example.org/si.json", err: `gbfs feed https://bikes.example.org/gbfs.json: station_information must be an https:// URL (http:// on loopback only), got "http://bikes.example.org/si.json"`},
		{name: "an https feed listed", base: "https://bikes.example.org/gbfs.json", listed: "https://bikes.example.org/si.json"},
		{name: "a loopback feed listed", base: "http://127.0.0.1:9/gbfs.json", listed: "http://127.0.0.1:9/si.json"},
		{name: "a base over http", base: "http://bikes.example.org/", err: `feed URL must be an https:// URL (http:// on loopback only), got "http://bikes.example.org/"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := `{"data": {"feeds": [{"name": "station_information", "url": "` + tc.listed + `"}, {"name": "station_status", "url": "https://bikes.example.org/ss.json"}]}}`
			_, _, err := FeedURLs(context.Background(), &Fetcher{Client: fakeClient(doc)}, tc.base, "")
			if (tc.err == "") != (err == nil) || (err != nil && err.Error() != tc.err) {
				t.Errorf("err = %v, want %q", err, tc.err)
			}
		})
	}
}
