package ingest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
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

// Key is the object key of the snapshot taken at t (the status feed's
// last_updated): prefix + "dt=YYYY-MM-DD/velib-YYYYMMDDTHHMMSSZ.json.gz", in
// UTC, so that a re-run of the same snapshot lands on the same key.
func Key(prefix string, t time.Time) string {
	t = t.UTC()
	return prefix + "dt=" + t.Format(time.DateOnly) + "/velib-" + t.Format("20060102T150405Z") + ".json.gz"
}

// level trades size for time: raw snapshots are written once and read once
// per re-run, so the default level, well inside the function's time budget,
// is the right balance (see BenchmarkSnapshot).
const level = gzip.DefaultCompression

// Encode renders s as gzip-compressed JSON. The two documents are copied
// byte for byte, so the snapshot holds exactly what the feed returned; they
// must be valid JSON values, as ParseFeed guarantees.
func Encode(s Snapshot) ([]byte, error) {
	source, err := json.Marshal(s.Source)
	if err != nil {
		return nil, err
	}
	fetchedAt, err := json.Marshal(s.FetchedAt)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		return nil, err
	}
	for _, part := range [][]byte{
		[]byte(`{"source":`), source,
		[]byte(`,"fetched_at":`), fetchedAt,
		[]byte(`,"station_information":`), s.StationInformation,
		[]byte(`,"station_status":`), s.StationStatus,
		[]byte("}\n"),
	} {
		if _, err := zw.Write(part); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
