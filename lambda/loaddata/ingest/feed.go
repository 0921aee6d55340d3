package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Feed names as GBFS spells them.
const (
	FeedInformation = "station_information"
	FeedStatus      = "station_status"
)

// Feed is what the ingest reads of one GBFS document; the document itself
// is kept verbatim elsewhere (a spool file), never in memory.
type Feed struct {
	Name string
	URL  string
	// LastUpdated is the document's last_updated time, in UTC.
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

// station is the part of a station entry this package reads.
type station struct {
	StationID json.RawMessage `json:"station_id"`
}

// ParseFeed validates the GBFS document name read from r: a JSON object
// with a last_updated time and a non-empty data.stations list. It reads the
// document as a stream, one station at a time, so its memory does not grow
// with the document's size. Entries without a usable station_id are
// counted, not refused: raw stays verbatim, and the raw → silver job
// rejects them with a reason.
func ParseFeed(name, url string, r io.Reader) (*Feed, error) {
	f := &Feed{Name: name, URL: url}
	dec := json.NewDecoder(r)
	var updated json.RawMessage
	sawStations := false
	err := object(dec, "the document", func(key string) error {
		switch key {
		case "last_updated":
			return dec.Decode(&updated)
		case "data":
			return object(dec, "data", func(key string) error {
				if key != "stations" {
					return skip(dec)
				}
				sawStations = true
				return f.readStations(dec)
			})
		}
		return skip(dec)
	})
	if err == nil {
		if _, err = dec.Token(); err == io.EOF {
			err = nil
		} else if err == nil {
			err = errors.New("data after the document")
		}
	}
	if err != nil {
		var missing *missingError
		if errors.As(err, &missing) {
			return nil, err
		}
		return nil, fmt.Errorf("not valid GBFS JSON: %w", err)
	}
	if f.LastUpdated, err = parseLastUpdated(updated); err != nil {
		return nil, err
	}
	f.LastUpdatedRaw = string(updated)
	switch {
	case !sawStations:
		return nil, &missingError{"data.stations is missing"}
	case len(f.StationIDs)+f.WithoutID == 0:
		return nil, &missingError{"data.stations is empty"}
	}
	return f, nil
}

// missingError is a well-formed document that lacks what GBFS requires.
type missingError struct{ msg string }

func (e *missingError) Error() string { return e.msg }

// readStations reads the stations array, keeping only each id.
func (f *Feed) readStations(dec *json.Decoder) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t == nil {
		return &missingError{"data.stations is missing"}
	}
	if t != json.Delim('[') {
		return &missingError{"data.stations is not a list"}
	}
	for dec.More() {
		var s station
		if err := dec.Decode(&s); err != nil {
			return err
		}
		if id, ok := stationID(s.StationID); ok {
			f.StationIDs = append(f.StationIDs, id)
		} else {
			f.WithoutID++
		}
	}
	_, err = dec.Token() // the closing bracket
	return err
}

// object reads a JSON object from dec, calling member for each key with
// the decoder positioned at the key's value, which member must consume.
// A document whose object is absent or null is missing what is named. A
// key given twice is refused: readers disagree on which one counts (Go and
// Spark take the last, others the first), so the file would mean different
// things to the ingest and to raw → silver.
func object(dec *json.Decoder, what string, member func(key string) error) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t != json.Delim('{') {
		if what == "the document" {
			return errors.New("the document is not a JSON object")
		}
		return &missingError{what + ".stations is missing"}
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key := t.(string)
		if seen[key] {
			return fmt.Errorf("duplicate key %q in %s", key, what)
		}
		seen[key] = true
		if err := member(key); err != nil {
			return err
		}
	}
	_, err = dec.Token() // the closing brace
	return err
}

// skip consumes one value token by token, so that a large value that is
// not read costs no memory.
func skip(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
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
