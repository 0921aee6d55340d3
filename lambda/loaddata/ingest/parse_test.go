package ingest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/lambda/loaddata/ingest"
)

func TestParseFeed(t *testing.T) {
	tests := []struct {
		name, body string
		updated    time.Time
		ids        []string
		withoutID  int
		err        string
	}{
		{name: "numeric ids, seconds", body: `{"last_updated": 1763769018, "data": {"stations": [{"station_id": 36255}, {"station_id": 213688169}]}}`,
			updated: time.Date(2025, 11, 21, 23, 50, 18, 0, time.UTC), ids: []string{"36255", "213688169"}},
		{name: "string ids, RFC 3339", body: `{"last_updated": "2025-11-22T00:50:18+01:00", "data": {"stations": [{"station_id": "a1"}]}}`,
			updated: time.Date(2025, 11, 21, 23, 50, 18, 0, time.UTC), ids: []string{"a1"}},
		{name: "not JSON", body: `<html>maintenance</html>`, err: "not valid GBFS JSON"},
		{name: "two documents", body: `{"last_updated": 1, "data": {"stations": [{"station_id": 1}]}} {}`, err: "data after the document"},
		{name: "no data", body: `{"last_updated": 1763769018}`, err: "data.stations is missing"},
		{name: "no stations", body: `{"last_updated": 1763769018, "data": {}}`, err: "data.stations is missing"},
		{name: "empty stations", body: `{"last_updated": 1763769018, "data": {"stations": []}}`, err: "data.stations is empty"},
		{name: "null last_updated", body: `{"last_updated": null, "data": {"stations": [{"station_id": 1}]}}`, err: "last_updated is missing"},
		{name: "negative last_updated", body: `{"last_updated": -5, "data": {"stations": [{"station_id": 1}]}}`, err: "not a positive whole number"},
		{name: "fractional last_updated", body: `{"last_updated": 17637.5, "data": {"stations": [{"station_id": 1}]}}`, err: "not a positive whole number"},
		{name: "last_updated not a time", body: `{"last_updated": "yesterday", "data": {"stations": [{"station_id": 1}]}}`, err: `"yesterday" is not an RFC 3339 time`},
		{name: "last_updated an object", body: `{"last_updated": {}, "data": {"stations": [{"station_id": 1}]}}`, err: "neither seconds nor an RFC 3339 time"},
		{name: "a duplicate top-level key", body: `{"last_updated": 1763769018, "data": {"stations": [{"station_id": 1}]}, "data": {"stations": []}}`,
			err: `duplicate key "data" in the document`},
		{name: "a duplicate key in data", body: `{"last_updated": 1763769018, "data": {"stations": [{"station_id": 1}], "stations": [{"station_id": 2}]}}`,
			err: `duplicate key "stations" in data`},
		{name: "last_updated twice", body: `{"last_updated": 1763769018, "last_updated": 1, "data": {"stations": [{"station_id": 1}]}}`,
			err: `duplicate key "last_updated" in the document`},
		// A bad row is the row's fault, not the file's: raw keeps it, and
		// raw → silver rejects it with its reason.
		{name: "values no column can hold", body: `{"last_updated": 1763769018, "data": {"stations": [{"station_id": 1, "last_reported": 99999999999999999, "num_bikes_available": 1.2e29, "lat": "abc"}]}}`,
			updated: time.Date(2025, 11, 21, 23, 50, 18, 0, time.UTC), ids: []string{"1"}},
		{name: "a key repeated inside a station is the row's business", body: `{"last_updated": 1763769018, "data": {"stations": [{"station_id": 1, "station_id": 2}]}}`,
			updated: time.Date(2025, 11, 21, 23, 50, 18, 0, time.UTC), ids: []string{"2"}},
		// Raw stays verbatim: stations without a usable id are counted.
		{name: "station without id", body: `{"last_updated": 1763769018, "data": {"stations": [{"station_id": 1}, {"name": "x"}]}}`,
			updated: time.Date(2025, 11, 21, 23, 50, 18, 0, time.UTC), ids: []string{"1"}, withoutID: 1},
		{name: "empty, null and object ids", body: `{"last_updated": 1763769018, "data": {"stations": [{"station_id": ""}, {"station_id": null}, {"station_id": {}}, {"station_id": "b"}]}}`,
			updated: time.Date(2025, 11, 21, 23, 50, 18, 0, time.UTC), ids: []string{"b"}, withoutID: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ingest.ParseFeed(ingest.FeedStatus, "http://feed", strings.NewReader(tc.body))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !f.LastUpdated.Equal(tc.updated) || f.LastUpdated.Location() != time.UTC {
				t.Errorf("LastUpdated = %v, want %v in UTC", f.LastUpdated, tc.updated)
			}
			if strings.Join(f.StationIDs, ",") != strings.Join(tc.ids, ",") || f.WithoutID != tc.withoutID {
				t.Errorf("ids = %v and %d without, want %v and %d", f.StationIDs, f.WithoutID, tc.ids, tc.withoutID)
			}
		})
	}
}

func TestKey(t *testing.T) {
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Date(2025, 11, 21, 23, 50, 18, 0, time.UTC), "raw/velib/dt=2025-11-21/velib-20251121T235018Z.json.gz"},
		// The date is the UTC date, whatever the feed's zone: 00:30 in Paris
		// on the 22nd is still the 21st in UTC.
		{time.Date(2025, 11, 22, 0, 30, 0, 0, time.FixedZone("CET", 3600)), "raw/velib/dt=2025-11-21/velib-20251121T233000Z.json.gz"},
	}
	for _, tc := range tests {
		if got := ingest.Key("raw/velib/", "velib", tc.at); got != tc.want {
			t.Errorf("Key(%v) = %s, want %s", tc.at, got, tc.want)
		}
	}
}

func TestUnmatched(t *testing.T) {
	info := &ingest.Feed{StationIDs: []string{"1", "2"}}
	status := &ingest.Feed{StationIDs: []string{"1", "2", "3", "4"}}
	if got := ingest.Unmatched(info, status); got != 2 {
		t.Errorf("Unmatched = %d, want 2", got)
	}
}

func TestCheckFeedTime(t *testing.T) {
	fetched := time.Date(2025, 11, 21, 23, 50, 30, 0, time.UTC)
	tests := []struct {
		raw     string
		problem string // "" when plausible
	}{
		{`1763769018`, ""},                     // 12 s before the fetch (GBFS 2.x seconds)
		{`"2025-11-21T23:50:18+01:00"`, ""},    // RFC 3339 with an offset (GBFS 3.0)
		{`1763772600`, ""},                     // an hour ahead: clock skew
		{`1420070400`, ""},                     // 2015-01-01, the earliest
		{`1763776230`, "after the fetch time"}, // an hour and a minute ahead
		{`1763769018000`, "milliseconds instead of seconds?"},
		{`4102444800`, "after the fetch time"}, // 2100
		{`1`, "before 2015-01-01"},
		{`"1970-01-01T00:00:00Z"`, "before 2015-01-01"},
	}
	for _, tc := range tests {
		body := `{"last_updated": ` + tc.raw + `, "data": {"stations": [{"station_id": 1}]}}`
		f, err := ingest.ParseFeed(ingest.FeedStatus, "http://feed", strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", tc.raw, err)
		}
		err = ingest.CheckFeedTime(f, fetched)
		switch {
		case tc.problem == "" && err != nil:
			t.Errorf("%s: %v, want plausible", tc.raw, err)
		case tc.problem != "" && (err == nil || !strings.Contains(err.Error(), tc.problem) || !strings.Contains(err.Error(), tc.raw)):
			t.Errorf("%s: %v, want an error naming the value and saying %q", tc.raw, err, tc.problem)
		}
	}
}
