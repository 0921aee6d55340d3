package ingest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"strings"
	"time"
)

// Snapshot is the raw object: both documents as received, plus where and
// when they were fetched. The raw → silver job reads this shape.
type Snapshot struct {
	Source             string          `json:"source"`
	FetchedAt          string          `json:"fetched_at"`
	StationInformation json.RawMessage `json:"station_information"`
	StationStatus      json.RawMessage `json:"station_status"`
}

// Key is the object key of system's snapshot taken at t (the status feed's
// last_updated): prefix + "dt=YYYY-MM-DD/<system>-YYYYMMDDTHHMMSSZ.json.gz",
// in UTC, so that a re-run of the same snapshot lands on the same key.
func Key(prefix, system string, t time.Time) string {
	t = t.UTC()
	return prefix + "dt=" + t.Format(time.DateOnly) + "/" + system + "-" + t.Format("20060102T150405Z") + ".json.gz"
}

// level trades size for time: raw snapshots are written once and read once
// per re-run, so the default level, well inside the function's time budget,
// is the right balance (see BenchmarkSnapshot).
const level = gzip.DefaultCompression

// Parts is what a snapshot is made of. The two documents are read to the
// end and copied byte for byte, so the snapshot holds exactly what the feed
// returned; they must be valid JSON values, as ParseFeed checks.
type Parts struct {
	Source, FetchedAt                 string
	StationInformation, StationStatus io.Reader
}

// Encode writes p to w as gzip-compressed JSON of the Snapshot shape,
// streaming: neither document is held in memory.
func Encode(w io.Writer, p Parts) error {
	source, err := json.Marshal(p.Source)
	if err != nil {
		return err
	}
	fetchedAt, err := json.Marshal(p.FetchedAt)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(w, level)
	if err != nil {
		return err
	}
	for _, part := range []io.Reader{
		strings.NewReader(`{"source":`), bytes.NewReader(source),
		strings.NewReader(`,"fetched_at":`), bytes.NewReader(fetchedAt),
		strings.NewReader(`,"station_information":`), p.StationInformation,
		strings.NewReader(`,"station_status":`), p.StationStatus,
		strings.NewReader("}\n"),
	} {
		if _, err := io.Copy(zw, part); err != nil {
			return err
		}
	}
	return zw.Close()
}
