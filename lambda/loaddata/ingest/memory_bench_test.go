package ingest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/partialruns/velib-pipeline/lambda/loaddata/ingest"
)

// bigFeed is the size of each generated document in BenchmarkIngestMemory:
// 64 MiB less a little, the most a document may weigh.
const bigFeed = 64<<20 - 4096

// heapTarget is what the peak may reach: half the function's 256 MB, the
// rest being the runtime, the binary and the SDK.
const heapTarget = 128 << 20

// BenchmarkIngestMemory ingests a feed whose two documents weigh 64 MiB each
// and reports the peak heap seen while doing so, against heapTarget. The
// server writes the documents as it generates them and the S3 stand-in
// discards what it reads, so the heap measured is the ingest's own.
func BenchmarkIngestMemory(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := r.URL.Path[len("/big/") : len(r.URL.Path)-len(".json")]
		if err := writeFeed(w, kind, bigFeed, 1763769018); err != nil {
			b.Error(err)
		}
	}))
	defer srv.Close()
	var sink discardPutter
	in := &ingest.Ingester{
		System:  "velib",
		FeedURL: srv.URL + "/big/", Bucket: bucket, Prefix: "raw/velib/", TempDir: b.TempDir(),
		Fetcher: &ingest.Fetcher{Client: &http.Client{Timeout: time.Minute}, Attempts: 1},
		S3:      &sink,
		Now:     func() time.Time { return fetchedAt },
	}
	var peak uint64
	for b.Loop() {
		runtime.GC()
		stop := watchHeap(&peak)
		sum, err := in.Run(context.Background())
		stop()
		if err != nil {
			b.Fatal(err)
		}
		if sum.Stations == 0 || sink.bytes.Load() == 0 {
			b.Fatalf("nothing ingested: %+v", sum)
		}
	}
	b.SetBytes(2 * bigFeed)
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.Logf("peak heap %.1f MiB while ingesting 2 × %.0f MiB (target < %d MiB)", float64(peak)/(1<<20), float64(bigFeed)/(1<<20), heapTarget>>20)
	if peak >= heapTarget {
		b.Errorf("peak heap %.1f MiB, target < %d MiB", float64(peak)/(1<<20), heapTarget>>20)
	}
}

// watchHeap samples the bytes held by heap objects, live or not yet
// collected, every 100 µs and keeps the highest in *peak until stop is
// called.
func watchHeap(peak *uint64) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(100 * time.Microsecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			*peak = max(*peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// discardPutter stands in for S3: it reads the body to the end and keeps
// only its length.
type discardPutter struct{ bytes atomic.Int64 }

func (d *discardPutter) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	n, err := io.Copy(io.Discard, in.Body)
	d.bytes.Add(n)
	return &s3.PutObjectOutput{}, err
}

// writeFeed writes a Vélib'-shaped station_information or station_status
// document of about size bytes to w, one station at a time, so the writer
// never holds the document.
func writeFeed(w io.Writer, kind string, size int, lastUpdated int64) error {
	bw := bufio.NewWriter(w)
	written := 0
	put := func(s string) {
		n, _ := bw.WriteString(s)
		written += n
	}
	put(fmt.Sprintf(`{"last_updated":%d,"ttl":60,"data":{"stations":[`, lastUpdated))
	const tail = `]}}`
	for i := 0; ; i++ {
		b, err := json.Marshal(station(kind, i, lastUpdated))
		if err != nil {
			return err
		}
		if written+len(b)+1+len(tail) > size {
			break
		}
		if i > 0 {
			put(",")
		}
		put(string(b))
	}
	put(tail)
	return bw.Flush()
}

// station is entry i of a generated feed: information and status entries
// of the same i share their station_id.
func station(kind string, i int, lastUpdated int64) map[string]any {
	id, code := 100000+i*37, fmt.Sprint(1000+i)
	capacity := 12 + i%50
	mechanical, ebike := i%(capacity/2+1), (i/3)%(capacity/2+1)
	if kind == ingest.FeedInformation {
		return map[string]any{"station_id": id, "stationCode": code, "name": fmt.Sprintf("Station %d - Rue & Place", i),
			"lat": 48.8 + float64(i%1000)/10000, "lon": 2.25 + float64(i%997)/5000, "capacity": capacity,
			"rental_methods": []string{"CREDITCARD"}}
	}
	return map[string]any{"station_id": id, "stationCode": code,
		"num_bikes_available": mechanical + ebike, "numBikesAvailable": mechanical + ebike,
		"num_bikes_available_types": []map[string]int{{"mechanical": mechanical}, {"ebike": ebike}},
		"num_docks_available":       capacity - mechanical - ebike, "numDocksAvailable": capacity - mechanical - ebike,
		"is_installed": 1, "is_renting": 1, "is_returning": 1, "last_reported": lastUpdated - int64(i%600)}
}
