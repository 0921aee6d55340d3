package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/lambda/loaddata/ingest"
)

// putter keeps the keys written.
type putter struct {
	mu   sync.Mutex
	keys []string
}

func (p *putter) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keys = append(p.keys, *in.Key)
	return &s3.PutObjectOutput{}, nil
}

// feed serves a one-station GBFS folder stamped now.
func feed(t *testing.T) *httptest.Server {
	now := time.Now().Unix()
	docs := map[string]string{
		"/station_information.json": fmt.Sprintf(`{"last_updated": %d, "ttl": 60, "data": {"stations": [{"station_id": "1", "name": "A", "lat": 48.8, "lon": 2.3, "capacity": 10}]}}`, now),
		"/station_status.json":      fmt.Sprintf(`{"last_updated": %d, "ttl": 60, "data": {"stations": [{"station_id": "1", "num_bikes_available": 3, "num_docks_available": 7, "is_installed": 1, "is_renting": 1, "is_returning": 1, "last_reported": %d}]}}`, now, now),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, doc)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestHandlerIngestsTheEventsSystem(t *testing.T) {
	a, b := feed(t), feed(t)
	store := &putter{}
	var logs bytes.Buffer
	h := &handler{
		systems: []layout.System{{ID: "velib", URL: a.URL + "/"}, {ID: "citybikes", URL: b.URL + "/"}},
		bucket:  "data", prefix: layout.PrefixRawRoot,
		fetcher: &ingest.Fetcher{Client: a.Client(), Attempts: 1},
		s3:      store, log: slog.New(slog.NewJSONHandler(&logs, nil)), tempDir: t.TempDir(),
	}
	tests := []struct {
		system, wantPrefix, wantName, wantErr string
	}{
		{system: "citybikes", wantPrefix: "raw/citybikes/dt="},
		{system: "citybikes", wantPrefix: "raw/citybikes/dt=", wantName: "/citybikes-"},
		{system: "velib", wantPrefix: "raw/velib/dt="},
		{system: "oslo", wantErr: `unknown system "oslo": this function ingests [velib citybikes]`},
		{system: "", wantErr: `unknown system ""`},
	}
	for _, tc := range tests {
		t.Run(tc.system, func(t *testing.T) {
			store.keys = nil
			sum, err := h.handle(context.Background(), event{System: tc.system})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || len(store.keys) != 0 {
					t.Fatalf("err %v, wrote %v; want %q and nothing written", err, store.keys, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(store.keys) != 1 || !strings.HasPrefix(store.keys[0], tc.wantPrefix) || !strings.Contains(store.keys[0], tc.wantName) || sum.Key != store.keys[0] || sum.System != tc.system {
				t.Errorf("wrote %v, summary %+v; want one key under %s for %s", store.keys, sum, tc.wantPrefix, tc.system)
			}
		})
	}
}

func TestParseSystems(t *testing.T) {
	tests := []struct {
		text string
		ok   bool
	}{
		{`[{"id": "velib", "url": "https://a.example.org/"}]`, true},
		{`[{"id": "a", "url": "https://a.example.org/gbfs.json", "language": "fr"}]`, true},
		{`[]`, false},
		{`{"id": "velib"}`, false},
		{`velib`, false},
	}
	for _, tc := range tests {
		if _, err := parseSystems(tc.text); (err == nil) != tc.ok {
			t.Errorf("parseSystems(%s): err %v, want ok %v", tc.text, err, tc.ok)
		}
	}
}
