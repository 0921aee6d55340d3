package stacks_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/internal/ruler"
	"github.com/partialruns/velib-pipeline/internal/testinputs"
)

// s3Event is an Object Created event as S3 sends it to EventBridge.
func s3Event(detailType, bucket, key string) map[string]any {
	return map[string]any{
		"version": "0", "id": "17793124-05d4-b198-2fde-7ededc63b103", "detail-type": detailType, "source": "aws.s3",
		"account": "111122223333", "time": "2026-12-06T06:00:00Z", "region": "eu-west-3",
		"resources": []any{"arn:aws:s3:::" + bucket},
		"detail": map[string]any{
			"version": "0", "bucket": map[string]any{"name": bucket},
			"object":     map[string]any{"key": key, "size": 5, "etag": "b1946ac92492d2347c6235b4d2611184", "sequencer": "00617F08299329D189"},
			"request-id": "N4N7GDK58NMKJ12R", "requester": "111122223333", "source-ip-address": "192.0.2.1", "reason": "PutObject",
		},
	}
}

// TestArrivalsPatternOnEventRuler matches the synthesized rule's pattern,
// with the bucket's name in place of its reference, against sample events
// on aws/event-ruler: keys under the arrivals prefix, as written or
// URL-encoded, with spaces and %, start a window; the ingest's own writes,
// other prefixes, other buckets and other events start none.
func TestArrivalsPatternOnEventRuler(t *testing.T) {
	// The JVM's reads are the test's inputs too (go test sees only its own).
	testinputs.Declare(t, "internal/ruler/Match.java", "internal/ruler/pom.xml")
	const bucket = "velib-data-111122223333"
	var pattern map[string]any
	for id, r := range synth(t, configurations[1]).Resources("AWS::Events::Rule") {
		if strings.HasPrefix(id, "ArrivalsRule") {
			b, err := json.Marshal(r["Properties"].(map[string]any)["EventPattern"])
			if err != nil {
				t.Fatal(err)
			}
			// The bucket's name is a reference until deployed.
			b = []byte(strings.ReplaceAll(string(b), `{"Ref":"Data666C94C7"}`, `"`+bucket+`"`))
			if err := json.Unmarshal(b, &pattern); err != nil {
				t.Fatal(err)
			}
		}
	}
	if pattern == nil {
		t.Fatal("no arrivals rule in the template with event runs on")
	}
	cases := []struct {
		name  string
		event map[string]any
		want  bool
	}{
		{"a partner's upload", s3Event("Object Created", bucket, "arrivals/velib/dt=2026-12-06/velib-20261206T060000Z.json.gz"), true},
		{"a key with spaces and %", s3Event("Object Created", bucket, "arrivals/velib/dt=2026-12-06/partner copy/snap 100%.json"), true},
		{"a key URL-encoded", s3Event("Object Created", bucket, "arrivals/velib/dt%3D2026-12-06/partner+copy/snap+100%25.json"), true},
		{"a key with its slashes encoded", s3Event("Object Created", bucket, "arrivals%2Fvelib%2Fdt%3D2026-12-06%2Fa.json"), true},
		{"a folder made in the console", s3Event("Object Created", bucket, "arrivals/velib/dt=2026-12-06/"), true},
		{"the ingest's own snapshot", s3Event("Object Created", bucket, "raw/velib/dt=2026-12-06/velib-20261206T060000Z.json.gz"), false},
		{"the ingest's snapshot URL-encoded", s3Event("Object Created", bucket, "raw/velib/dt%3D2026-12-06/velib-20261206T060000Z.json.gz"), false},
		{"a table file", s3Event("Object Created", bucket, "silver/velib_data_silver/data/system=velib/dt=2026-12-06/00000-1.parquet"), false},
		{"a Glue job's temporary file", s3Event("Object Created", bucket, "tmp/velib_raw_to_silver/arrivals/x"), false},
		{"a prefix that only starts alike", s3Event("Object Created", bucket, "arrivalsx/velib/dt=2026-12-06/a.json"), false},
		{"the prefix in capitals", s3Event("Object Created", bucket, "ARRIVALS/velib/dt=2026-12-06/a.json"), false},
		{"another bucket", s3Event("Object Created", "someone-else", "arrivals/velib/dt=2026-12-06/a.json"), false},
		{"a deletion", s3Event("Object Deleted", bucket, "arrivals/velib/dt=2026-12-06/a.json"), false},
	}
	events := make([]any, len(cases))
	for i, c := range cases {
		events[i] = c.event
	}
	got, err := ruler.Matches(pattern, events)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		if got[i] != c.want {
			t.Errorf("%s (%v): matched %v, want %v", c.name, c.event["detail"].(map[string]any)["object"].(map[string]any)["key"], got[i], c.want)
		}
	}
}
