package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/partialruns/velib-pipeline/lambda/loaddata/ingest"
)

const bucket = "data"

// fakeS3 is an S3 API server in this process, reached by the real SDK
// client over HTTP.
func fakeS3(t *testing.T) *s3.Client {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return s3.New(s3.Options{
		Region:       "eu-west-3",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
	})
}

func keys(t *testing.T, client *s3.Client) []string {
	t.Helper()
	out, err := client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var ks []string
	for _, o := range out.Contents {
		ks = append(ks, *o.Key)
	}
	return ks
}

// read downloads and decodes a snapshot, checking its headers.
func read(t *testing.T, client *s3.Client, key string) ingest.Snapshot {
	t.Helper()
	out, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	if got := aws.ToString(out.ContentType); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := aws.ToString(out.ContentEncoding); got != "gzip" {
		t.Errorf("Content-Encoding = %q", got)
	}
	zr, err := gzip.NewReader(out.Body)
	if err != nil {
		t.Fatalf("object is not gzip: %v", err)
	}
	var snap ingest.Snapshot
	if err := json.NewDecoder(zr).Decode(&snap); err != nil {
		t.Fatal(err)
	}
	return snap
}

// route answers one feed path; hits counts the requests it served.
type route struct {
	handler http.HandlerFunc
	hits    atomic.Int32
}

func feedServer(t *testing.T, routes map[string]*route) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, ok := routes[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		rt.hits.Add(1)
		rt.handler(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func body(b []byte) *route {
	return &route{handler: func(w http.ResponseWriter, r *http.Request) { w.Write(b) }}
}

func file(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// failFirst answers code to the first n requests, then serves b.
func failFirst(n int32, code int, b []byte) *route {
	rt := &route{}
	rt.handler = func(w http.ResponseWriter, r *http.Request) {
		if rt.hits.Load() <= n {
			w.WriteHeader(code)
			return
		}
		w.Write(b)
	}
	return rt
}

// slow never answers: it holds the request until the client gives up.
func slow() *route {
	return &route{handler: func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}}
}

var fetchedAt = time.Date(2025, 11, 21, 23, 50, 30, 0, time.UTC)

func ingester(feedURL string, client *s3.Client) *ingest.Ingester {
	return &ingest.Ingester{
		System:  "velib",
		FeedURL: feedURL,
		Bucket:  bucket,
		Prefix:  "raw/velib/",
		// A short backoff keeps the failure cases fast. The timeout is
		// generous: a busy machine must not turn an answer into a retry;
		// the case that tests the timeout shortens it.
		Fetcher: &ingest.Fetcher{Client: &http.Client{Timeout: 30 * time.Second}, Attempts: 3, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
		S3:      client,
		Now:     func() time.Time { return fetchedAt },
	}
}

func velibRoutes(t *testing.T) map[string]*route {
	return map[string]*route{
		"/velib/station_information.json": body(file(t, "velib/station_information.json")),
		"/velib/station_status.json":      body(file(t, "velib/station_status.json")),
	}
}

func TestRun(t *testing.T) {
	bigInfo, bigStatus := velibFeeds(1500, 1763769018)
	tests := []struct {
		name   string
		routes func(t *testing.T) map[string]*route
		path   string // feed URL path on the test server
		// want: the summary's key and station counts; err: the error's
		// substrings (and then nothing may be written).
		key        string
		stations   int
		unmatched  int
		err        []string
		statusHits int32
		// timeout, if set, is the client's instead of the generous one.
		timeout time.Duration
	}{
		{name: "vélib feed", routes: velibRoutes, path: "/velib/",
			key: "raw/velib/dt=2025-11-21/velib-20251121T235018Z.json.gz", stations: 3, statusHits: 1},
		{name: "base URL without a trailing slash", routes: velibRoutes, path: "/velib",
			key: "raw/velib/dt=2025-11-21/velib-20251121T235018Z.json.gz", stations: 3, statusHits: 1},
		{name: "discovery document, string ids, RFC 3339 times", path: "/discovery/gbfs.json",
			routes: func(t *testing.T) map[string]*route {
				return map[string]*route{
					"/discovery/gbfs.json":                   nil, // filled in below with the server's URL
					"/discovery/en/station_information.json": body(file(t, "discovery/en/station_information.json")),
					"/discovery/en/station_status.json":      body(file(t, "discovery/en/station_status.json")),
				}
			},
			key: "raw/velib/dt=2025-11-21/velib-20251121T235018Z.json.gz", stations: 2, statusHits: 1},
		{name: "realistic size", path: "/big/",
			routes: func(t *testing.T) map[string]*route {
				return map[string]*route{"/big/station_information.json": body(bigInfo), "/big/station_status.json": body(bigStatus)}
			},
			key: "raw/velib/dt=2025-11-21/velib-20251121T235018Z.json.gz", stations: 1500, statusHits: 1},
		{name: "500 then success", path: "/velib/",
			routes: func(t *testing.T) map[string]*route {
				r := velibRoutes(t)
				r["/velib/station_status.json"] = failFirst(1, 500, file(t, "velib/station_status.json"))
				return r
			},
			key: "raw/velib/dt=2025-11-21/velib-20251121T235018Z.json.gz", stations: 3, statusHits: 2},
		{name: "429 then success", path: "/velib/",
			routes: func(t *testing.T) map[string]*route {
				r := velibRoutes(t)
				r["/velib/station_status.json"] = failFirst(2, 429, file(t, "velib/station_status.json"))
				return r
			},
			key: "raw/velib/dt=2025-11-21/velib-20251121T235018Z.json.gz", stations: 3, statusHits: 3},
		{name: "persistent 500", path: "/velib/",
			routes: func(t *testing.T) map[string]*route {
				r := velibRoutes(t)
				r["/velib/station_status.json"] = failFirst(100, 500, nil)
				return r
			},
			err: []string{"station_status feed http://", "HTTP 500 Internal Server Error, after 3 attempts"}, statusHits: 3},
		{name: "404 is not retried", path: "/velib/",
			routes: func(t *testing.T) map[string]*route {
				r := velibRoutes(t)
				r["/velib/station_status.json"] = failFirst(100, 404, nil)
				return r
			},
			err: []string{"station_status feed", "HTTP 404 Not Found"}, statusHits: 1},
		{name: "timeout", path: "/velib/",
			routes: func(t *testing.T) map[string]*route {
				r := velibRoutes(t)
				r["/velib/station_information.json"] = slow()
				return r
			},
			err: []string{"station_information feed", "Client.Timeout exceeded", "after 3 attempts"}, statusHits: 1, timeout: 300 * time.Millisecond},
		{name: "malformed JSON is not retried", path: "/velib/",
			routes: func(t *testing.T) map[string]*route {
				r := velibRoutes(t)
				r["/velib/station_status.json"] = body([]byte(`{"last_updated": 1763769018, "data": {"stations": [`))
				return r
			},
			err: []string{"station_status feed", "not valid GBFS JSON"}, statusHits: 1},
		{name: "empty station list", path: "/velib/",
			routes: func(t *testing.T) map[string]*route {
				r := velibRoutes(t)
				r["/velib/station_status.json"] = body([]byte(`{"last_updated": 1763769018, "data": {"stations": []}}`))
				return r
			},
			err: []string{"station_status feed", "data.stations is empty"}, statusHits: 1},
		{name: "milliseconds read as seconds", path: "/velib/",
			routes: func(t *testing.T) map[string]*route {
				r := velibRoutes(t)
				r["/velib/station_status.json"] = body([]byte(`{"last_updated": 1763769018000, "data": {"stations": [{"station_id": 1}]}}`))
				return r
			},
			err: []string{"station_status feed", "last_updated 1763769018000", "implausible", "after the fetch time 2025-11-21T23:50:30Z", "milliseconds instead of seconds?"}, statusHits: 1},
		{name: "a 1970 timestamp", path: "/velib/",
			routes: func(t *testing.T) map[string]*route {
				r := velibRoutes(t)
				r["/velib/station_status.json"] = body([]byte(`{"last_updated": 1, "data": {"stations": [{"station_id": 1}]}}`))
				return r
			},
			err: []string{"station_status feed", "last_updated 1 (1970-01-01T00:00:01Z) is implausible: it is before 2015-01-01"}, statusHits: 1},
		{name: "a 2100 timestamp, RFC 3339", path: "/velib/",
			routes: func(t *testing.T) map[string]*route {
				r := velibRoutes(t)
				r["/velib/station_information.json"] = body([]byte(`{"last_updated": "2100-01-01T00:00:00Z", "data": {"stations": [{"station_id": 1}]}}`))
				return r
			},
			err: []string{"station_information feed", `last_updated "2100-01-01T00:00:00Z"`, "after the fetch time"}, statusHits: 1},
		{name: "no last_updated", path: "/velib/",
			routes: func(t *testing.T) map[string]*route {
				r := velibRoutes(t)
				r["/velib/station_information.json"] = body([]byte(`{"data": {"stations": [{"station_id": 1}]}}`))
				return r
			},
			err: []string{"station_information feed", "last_updated is missing"}, statusHits: 1},
		{name: "status for a station missing from information", path: "/velib/",
			routes: func(t *testing.T) map[string]*route {
				r := velibRoutes(t)
				r["/velib/station_information.json"] = body([]byte(`{"last_updated": 1763768000, "data": {"stations": [{"station_id": 36255, "name": "Toudouze - Clauzel", "capacity": 21}]}}`))
				return r
			},
			key: "raw/velib/dt=2025-11-21/velib-20251121T235018Z.json.gz", stations: 3, unmatched: 2, statusHits: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			routes := tc.routes(t)
			srv := feedServer(t, routes)
			if _, ok := routes["/discovery/gbfs.json"]; ok {
				routes["/discovery/gbfs.json"] = body(bytes.ReplaceAll(file(t, "discovery/gbfs.json"), []byte("FEED_BASE"), []byte(srv.URL+"/discovery")))
			}
			client := fakeS3(t)
			in := ingester(srv.URL+tc.path, client)
			if tc.timeout > 0 {
				in.Fetcher.Client.Timeout = tc.timeout
			}
			sum, err := in.Run(context.Background())

			var statusHits int32
			for path, rt := range routes {
				if strings.HasSuffix(path, "station_status.json") && !strings.Contains(path, "/fr/") {
					statusHits += rt.hits.Load()
				}
			}
			if statusHits != tc.statusHits {
				t.Errorf("status feed requested %d times, want %d", statusHits, tc.statusHits)
			}
			if tc.err != nil {
				if err == nil {
					t.Fatalf("no error, want one mentioning %q", tc.err)
				}
				for _, want := range tc.err {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not mention %q", err, want)
					}
				}
				if ks := keys(t, client); len(ks) != 0 {
					t.Errorf("wrote %v after a failure", ks)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sum.Key != tc.key || sum.Stations != tc.stations || sum.StationsWithoutInformation != tc.unmatched || sum.ObjectsWritten != 1 || !strings.Contains(tc.key, "dt="+sum.Date+"/") {
				t.Errorf("summary = %+v", sum)
			}
			if ks := keys(t, client); len(ks) != 1 || ks[0] != tc.key {
				t.Fatalf("objects = %v, want [%s]", ks, tc.key)
			}
			snap := read(t, client, tc.key)
			if snap.Source != srv.URL+tc.path || snap.FetchedAt != "2025-11-21T23:50:30Z" {
				t.Errorf("source %q, fetched_at %q", snap.Source, snap.FetchedAt)
			}
		})
	}
}

// TestRoundTrip checks that the documents come back byte for byte as served.
func TestRoundTrip(t *testing.T) {
	srv := feedServer(t, velibRoutes(t))
	client := fakeS3(t)
	sum, err := ingester(srv.URL+"/velib/", client).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	snap := read(t, client, sum.Key)
	for name, got := range map[string][]byte{"velib/station_information.json": snap.StationInformation, "velib/station_status.json": snap.StationStatus} {
		if want := file(t, name); !bytes.Equal(got, bytes.TrimSpace(want)) {
			t.Errorf("%s changed on the way:\n got %.200s\nwant %.200s", name, got, want)
		}
	}
}

// TestCutBodyIsFetchedAgain: a response cut mid-body is a transport error,
// retried, and the snapshot holds the whole second answer, not the first
// answer's half followed by it.
func TestCutBodyIsFetchedAgain(t *testing.T) {
	status := file(t, "velib/station_status.json")
	r := velibRoutes(t)
	rt := &route{}
	rt.handler = func(w http.ResponseWriter, req *http.Request) {
		if rt.hits.Load() == 1 {
			w.Header().Set("Content-Length", fmt.Sprint(len(status)))
			w.Write(status[:len(status)/2])
			return // the server closes the connection short of the length
		}
		w.Write(status)
	}
	r["/velib/station_status.json"] = rt
	srv := feedServer(t, r)
	client := fakeS3(t)
	sum, err := ingester(srv.URL+"/velib/", client).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := rt.hits.Load(); got != 2 {
		t.Errorf("status feed requested %d times, want 2", got)
	}
	if snap := read(t, client, sum.Key); !bytes.Equal(snap.StationStatus, bytes.TrimSpace(status)) {
		t.Errorf("the snapshot's status document is not the one served:\n%.300s", snap.StationStatus)
	}
}

func TestSameSnapshotTwiceIsOneObject(t *testing.T) {
	srv := feedServer(t, velibRoutes(t))
	client := fakeS3(t)
	in := ingester(srv.URL+"/velib/", client)
	first, err := in.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	in.Now = func() time.Time { return fetchedAt.Add(time.Minute) } // a re-run, later
	second, err := in.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if first.Key != second.Key {
		t.Errorf("keys differ: %s, %s", first.Key, second.Key)
	}
	if ks := keys(t, client); len(ks) != 1 {
		t.Errorf("objects = %v, want one", ks)
	}
}

func TestS3FailureIsReported(t *testing.T) {
	srv := feedServer(t, velibRoutes(t))
	in := ingester(srv.URL+"/velib/", fakeS3(t))
	in.Bucket = "no-such-bucket"
	_, err := in.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "writing s3://no-such-bucket/raw/velib/dt=2025-11-21/") {
		t.Errorf("err = %v, want one naming the object", err)
	}
}

func TestInvalidFeedURL(t *testing.T) {
	for _, u := range []string{"", "velib", "ftp://example.org/gbfs/", "http://example.org/gbfs/"} {
		_, err := ingester(u, fakeS3(t)).Run(context.Background())
		if err == nil || !strings.Contains(err.Error(), "feed URL must be an https:// URL (http:// on loopback only)") {
			t.Errorf("%q: err = %v", u, err)
		}
	}
}

// TestStationsWithoutIDAreKept: raw stays verbatim. A status entry with no
// usable station_id is written with the others and counted in the result.
func TestStationsWithoutIDAreKept(t *testing.T) {
	client := fakeS3(t)
	r := velibRoutes(t)
	r["/velib/station_status.json"] = body([]byte(`{"last_updated": 1763769018, "data": {"stations": [{"station_id": 36255, "num_bikes_available": 3}, {"num_bikes_available": 1}, {"station_id": "", "num_bikes_available": 2}]}}`))
	srv := feedServer(t, r)
	sum, err := ingester(srv.URL+"/velib/", client).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Stations != 3 || sum.StationsWithoutID != 2 {
		t.Errorf("summary = %+v, want 3 stations of which 2 without an id", sum)
	}
	snap := read(t, client, sum.Key)
	if !strings.Contains(string(snap.StationStatus), `{"num_bikes_available": 1}`) {
		t.Errorf("the snapshot dropped the station without an id: %s", snap.StationStatus)
	}
}
