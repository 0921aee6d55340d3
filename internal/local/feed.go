// Package local runs the whole pipeline on this machine, for `make local`:
// the synthesized state machine, executed by the local interpreter, drives
// the real ingest code (against a bundled GBFS feed served on loopback) and
// the real Glue job scripts (on local PySpark), with a local folder standing
// in for S3 and a local metastore for the Glue Data Catalog.
package local

import (
	"embed"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// The bundled feed: 300 Vélib'-shaped stations, a few with no capacity.
//
//go:embed feed/station_information.json feed/station_status.json
var feedFiles embed.FS

// Feed serves the bundled GBFS documents like a live feed: each request gets
// them with their times moved so that the status was last updated now.
type Feed struct {
	// Now stamps the documents. Default: time.Now.
	Now  func() time.Time
	docs map[string]map[string]any
}

// NewFeed loads the bundled documents.
func NewFeed() (*Feed, error) {
	info, err := feedFiles.ReadFile("feed/station_information.json")
	if err != nil {
		return nil, err
	}
	status, err := feedFiles.ReadFile("feed/station_status.json")
	if err != nil {
		return nil, err
	}
	return NewFeedFrom(info, status)
}

// NewFeedFrom serves the given station_information and station_status
// documents instead of the bundled ones.
func NewFeedFrom(information, status []byte) (*Feed, error) {
	f := &Feed{docs: map[string]map[string]any{}}
	for name, b := range map[string][]byte{"station_information": information, "station_status": status} {
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if _, ok := doc["last_updated"].(float64); !ok {
			return nil, fmt.Errorf("%s: last_updated must be a number of seconds", name)
		}
		f.docs[name] = doc
	}
	return f, nil
}

// Serve listens on a loopback port and returns the feed's base URL and a
// function that stops it.
func (f *Feed) Serve() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: f, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/", func() { srv.Close() }, nil
}

func (f *Feed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Any folder serves the documents, so each system can have its own:
	// <base>/<system>/station_status.json.
	name := strings.TrimSuffix(r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:], ".json")
	doc, ok := f.docs[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	shift := now().Unix() - int64(f.docs["station_status"]["last_updated"].(float64))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(shifted(doc, shift))
}

// shifted copies doc with last_updated and every station's last_reported
// moved by shift seconds.
func shifted(doc map[string]any, shift int64) map[string]any {
	out := map[string]any{}
	for k, v := range doc {
		out[k] = v
	}
	out["last_updated"] = int64(doc["last_updated"].(float64)) + shift
	stations := doc["data"].(map[string]any)["stations"].([]any)
	moved := make([]any, len(stations))
	for i, s := range stations {
		st := map[string]any{}
		for k, v := range s.(map[string]any) {
			st[k] = v
		}
		if t, ok := st["last_reported"].(float64); ok {
			st["last_reported"] = int64(t) + shift
		}
		moved[i] = st
	}
	out["data"] = map[string]any{"stations": moved}
	return out
}
