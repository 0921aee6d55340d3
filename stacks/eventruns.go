package stacks

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/partialruns/velib-pipeline/internal/layout"
)

// EventRuns starts partial runs when raw snapshots arrive under Prefix
// by another way than the ingest: one execution per quiet window.
type EventRuns struct {
	// Enabled turns it on. Off by default, so an upgraded stack starts
	// no run unasked; raw → silver reads the arrivals either way.
	Enabled bool
	// Prefix is where arrivals land, in the raw layout:
	// <Prefix><system>/dt=<YYYY-MM-DD>/<any name>.
	Prefix string
	// QuietMinutes is how long after the last arrival a window closes and
	// its run starts.
	QuietMinutes int
}

const keyEventRuns = "eventRuns"

// eventRunsFields are the keys eventRuns may hold.
var eventRunsFields = []string{"enabled", "prefix", "quietMinutes"}

// defaultEventRuns is off, under arrivals/, with a 5-minute window: long
// enough for a copy tool's pauses between files, short enough that a day
// copied by hand is refined while someone still looks.
func defaultEventRuns() EventRuns {
	return EventRuns{Prefix: layout.DefaultArrivalsPrefix, QuietMinutes: 5}
}

// arrivalsPrefixPattern is what a prefix may hold: folders of lower-case
// letters, digits, '-' and '_', which URL encoding leaves alone, so the
// rule's prefix matches a key whether S3 encodes it or not.
var arrivalsPrefixPattern = regexp.MustCompile(`^([a-z0-9][a-z0-9_-]*/){1,4}$`)

// eventRuns reads the object at key (or its JSON text from -c); fields
// left out keep their defaults.
func (r *contextReader) eventRuns(key string, dst *EventRuns) {
	raw := r.get(key)
	if s, ok := raw.(string); ok {
		if err := json.Unmarshal([]byte(s), &raw); err != nil {
			// Quote marks lost to a shell are the usual cause: show what
			// arrived.
			r.fail("context %q must be a JSON object {enabled, prefix, quietMinutes}, got %q: %v", key, s, err)
			return
		}
	}
	if raw == nil {
		return
	}
	entry, ok := raw.(map[string]any)
	if !ok {
		r.fail("context %q must be an object {enabled, prefix, quietMinutes}, got %v", key, raw)
		return
	}
	for _, field := range slices.Sorted(maps.Keys(entry)) {
		if !slices.Contains(eventRunsFields, field) {
			r.fail("context %q has unknown field %q (known: %s)", key, field, strings.Join(eventRunsFields, ", "))
		}
	}
	// The fields read as top-level keys would, with their names in the
	// messages.
	field := &contextReader{get: func(f string) any { return entry[strings.TrimPrefix(f, key+".")] }}
	field.boolean(key+".enabled", &dst.Enabled)
	field.str(key+".prefix", &dst.Prefix)
	// A window under a minute would split a copy tool's batches; over an
	// hour, a late file's day waits longer than the daily run.
	field.num(key+".quietMinutes", &dst.QuietMinutes, 1, 60)
	r.errs = append(r.errs, field.errs...)
	if !arrivalsPrefixPattern.MatchString(dst.Prefix) {
		r.fail("context %q: prefix must be 1 to 4 folders of lower-case letters, digits, '-' and '_', each ending in '/', e.g. %q; got %q",
			key, layout.DefaultArrivalsPrefix, dst.Prefix)
		return
	}
	for _, taken := range reservedPrefixes() {
		if strings.HasPrefix(dst.Prefix, taken) || strings.HasPrefix(taken, dst.Prefix) {
			r.fail("context %q: prefix %q overlaps the pipeline's own %q: arrivals need a prefix of their own, so the pipeline's writes start no run", key, dst.Prefix, taken)
		}
	}
}

// reservedPrefixes are the bucket prefixes the pipeline writes.
func reservedPrefixes() []string {
	out := []string{layout.PrefixRawRoot, layout.PrefixTmp, layout.PrefixLogs}
	for _, t := range layout.Tables {
		out = append(out, strings.SplitAfter(layout.TablePrefix(t), "/")[0])
	}
	slices.Sort(out)
	return slices.Compact(out)
}
