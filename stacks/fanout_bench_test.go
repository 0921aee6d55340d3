package stacks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/internal/aslrun"
	"github.com/partialruns/velib-pipeline/internal/cdktest"
	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/internal/local"
	"github.com/partialruns/velib-pipeline/lambda/loaddata/ingest"
	"github.com/partialruns/velib-pipeline/stacks"
)

// BenchmarkIngestTenSystems runs the synthesized state machine's ingest of
// ten systems (ingestConcurrency 10) on the local interpreter, each system's
// feed answering after a latency of its own (100 ms to 280 ms), the ingest
// code doing its real work against them. Target: the wall time stays near
// the slowest system's, far below the sum of all ten; it reports both.
func BenchmarkIngestTenSystems(b *testing.B) {
	const n = 10
	latency := func(i int) time.Duration { return time.Duration(100+20*i) * time.Millisecond }
	var systems []layout.System
	var sum, slowest time.Duration
	for i := range n {
		systems = append(systems, layout.System{ID: fmt.Sprintf("city-%d", i), URL: "https://example.org/"})
		sum += latency(i)
		slowest = max(slowest, latency(i))
	}
	dir := b.TempDir()
	cfg := stacks.DefaultConfig
	cfg.Systems, cfg.IngestConcurrency = systems, n
	if msg := cdktest.Catch(func() {
		app := cdktest.NewAppIn(dir, nil)
		stacks.NewPipelineStack(app, layout.StackID, &stacks.PipelineStackProps{Config: cfg})
		app.Synth(nil)
	}); msg != "" {
		b.Fatal(msg)
	}
	asm, err := local.LoadAssembly(dir, layout.StackID)
	if err != nil {
		b.Fatal(err)
	}
	feed, err := local.NewFeed()
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		fmt.Sscanf(r.URL.Path, "/city-%d/", &i)
		// The ingest fetches a system's two documents at once, so the
		// system takes about one latency.
		time.Sleep(latency(i))
		feed.ServeHTTP(w, r)
	}))
	defer srv.Close()
	store := local.Store{Root: filepath.Join(dir, "s3")}
	handle := func(state string, raw json.RawMessage) (any, error) {
		var in struct {
			Payload struct {
				System string `json:"system"`
			} `json:"Payload"`
		}
		if err := json.Unmarshal(raw, &in); err != nil || in.Payload.System == "" {
			return nil, &aslrun.TaskError{Name: "Bench.Unexpected", Cause: state + ": " + string(raw)}
		}
		ing := &ingest.Ingester{System: in.Payload.System, FeedURL: srv.URL + "/" + in.Payload.System + "/",
			Bucket: "data", Prefix: layout.PrefixRawRoot + in.Payload.System + "/",
			Fetcher: &ingest.Fetcher{Client: srv.Client()}, S3: store}
		sum, err := ing.Run(context.Background())
		if err != nil {
			return nil, &aslrun.TaskError{Name: "errorString", Cause: err.Error()}
		}
		return map[string]any{"StatusCode": 200, "Payload": sum}, nil
	}
	input := json.RawMessage(`{"velib_raw_to_silver": false, "velib_silver_to_gold_avg_stats": false, "velib_silver_to_gold_avail_percent": false}`)
	var mu sync.Mutex
	var mapStart, mapEnd time.Time
	var wall time.Duration
	for b.Loop() {
		mapStart, mapEnd = time.Time{}, time.Time{}
		res, err := aslrun.RunLive(asm.Definition, "", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), input, handle, func(e aslrun.Event) {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case e.State == "Load each system":
				mapStart = time.Now()
			case strings.HasPrefix(e.State, "Sort the systems"):
				mapEnd = time.Now()
			}
		})
		if err != nil || res.Status != "SUCCEEDED" {
			b.Fatalf("%v %s %s %s", err, res.Status, res.Error, res.Cause)
		}
		wall += mapEnd.Sub(mapStart)
	}
	perRun := wall / time.Duration(b.N)
	b.ReportMetric(float64(perRun.Milliseconds()), "ms-wall")
	b.ReportMetric(float64(slowest.Milliseconds()), "ms-slowest")
	b.ReportMetric(float64(sum.Milliseconds()), "ms-sum")
	verdict := "pass"
	if perRun > slowest*3/2 {
		verdict = "FAIL"
	}
	b.Logf("10 systems' ingest: %v wall, slowest system %v, sum %v; target ≤ 1.5 × slowest: %s", perRun.Round(time.Millisecond), slowest, sum, verdict)
}
