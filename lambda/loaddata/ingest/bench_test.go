package ingest_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/partialruns/velib-pipeline/lambda/loaddata/ingest"
)

// BenchmarkSnapshot measures the work the function does between fetching
// and writing, for Vélib's size (about 1,500 stations): parse and validate
// both documents, match them, and encode the gzip snapshot.
func BenchmarkSnapshot(b *testing.B) {
	info, status := velibFeeds(1500, 1763769018)
	b.SetBytes(int64(len(info) + len(status)))
	b.ReportAllocs()
	for b.Loop() {
		fi, err := ingest.ParseFeed(ingest.FeedInformation, "info", bytes.NewReader(info))
		if err != nil {
			b.Fatal(err)
		}
		fs, err := ingest.ParseFeed(ingest.FeedStatus, "status", bytes.NewReader(status))
		if err != nil {
			b.Fatal(err)
		}
		ingest.Unmatched(fi, fs)
		if err := ingest.Encode(io.Discard, ingest.Parts{Source: "bench", FetchedAt: "now", StationInformation: bytes.NewReader(info), StationStatus: bytes.NewReader(status)}); err != nil {
			b.Fatal(err)
		}
	}
}
