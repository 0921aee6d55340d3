package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Feed names as GBFS spells them.
const (
	FeedInformation = "station_information"
	FeedStatus      = "station_status"
)

// Feed is one validated GBFS document. Raw is the document as received.
type Feed struct {
	Name        string
	URL         string
	Raw         json.RawMessage
	LastUpdated time.Time
	// LastUpdatedRaw is last_updated as the feed wrote it, for messages.
	LastUpdatedRaw string
	// StationIDs lists data.stations[].station_id, as text: Vélib' uses
	// numbers, GBFS 2.x and later strings. Stations without a usable id
	// are left out here (the snapshot keeps them) and counted in
	// WithoutID; raw → silver rejects them.
	StationIDs []string
	WithoutID  int
}

// document is the part of a GBFS document this package reads. Everything
// else is kept verbatim in Feed.Raw.
type document struct {
	LastUpdated json.RawMessage `json:"last_updated"`
	Data        *struct {
		Stations []struct {
			StationID json.RawMessage `json:"station_id"`
		} `json:"stations"`
	} `json:"data"`
}

// ParseFeed validates body as the GBFS document name: a JSON object with a
// last_updated time and a non-empty data.stations list. Entries without a
// usable station_id are counted, not refused: raw stays verbatim, and the
// raw → silver job rejects them with a reason.
func ParseFeed(name, url string, body []byte) (*Feed, error) {
	var doc document
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not valid GBFS JSON: %v", err)
	}
	if dec.More() {
		return nil, errors.New("not valid GBFS JSON: data after the document")
	}
	updated, err := parseLastUpdated(doc.LastUpdated)
	if err != nil {
		return nil, err
	}
	if doc.Data == nil || doc.Data.Stations == nil {
		return nil, errors.New("data.stations is missing")
	}
	if len(doc.Data.Stations) == 0 {
		return nil, errors.New("data.stations is empty")
	}
	f := &Feed{Name: name, URL: url, Raw: json.RawMessage(body), LastUpdated: updated, LastUpdatedRaw: string(doc.LastUpdated)}
	for _, s := range doc.Data.Stations {
		if id, ok := stationID(s.StationID); ok {
			f.StationIDs = append(f.StationIDs, id)
		} else {
			f.WithoutID++
		}
	}
	return f, nil
}

// parseLastUpdated accepts POSIX seconds (GBFS 1.x and 2.x) or an RFC 3339
// time (GBFS 3.x).
func parseLastUpdated(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, errors.New("last_updated is missing")
	}
	var secs json.Number
	if err := json.Unmarshal(raw, &secs); err == nil {
		n, err := strconv.ParseInt(secs.String(), 10, 64)
		if err != nil || n <= 0 {
			return time.Time{}, fmt.Errorf("last_updated %s is not a positive whole number of seconds", raw)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	var text string
	if err := json.Unmarshal(raw, &text); err == nil {
		t, err := time.Parse(time.RFC3339, text)
		if err != nil {
			return time.Time{}, fmt.Errorf("last_updated %q is not an RFC 3339 time", text)
		}
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("last_updated %s is neither seconds nor an RFC 3339 time", raw)
}

// stationID reads a station_id: a number or a non-empty string.
func stationID(raw json.RawMessage) (string, bool) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil && n != "" { // null leaves n empty
		return n.String(), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil && s != "" {
		return s, true
	}
	return "", false
}

// Unmatched counts the status entries whose station has no information
// entry: the snapshot keeps them (raw is verbatim), but downstream they will
// have no name, position or capacity.
func Unmatched(information, status *Feed) int {
	known := make(map[string]struct{}, len(information.StationIDs))
	for _, id := range information.StationIDs {
		known[id] = struct{}{}
	}
	n := 0
	for _, id := range status.StationIDs {
		if _, ok := known[id]; !ok {
			n++
		}
	}
	return n
}
