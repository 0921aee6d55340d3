package stacks

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/partialruns/velib-pipeline/constructs/schedule"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

// Context keys of the schedules.
const (
	keySchedules        = "schedules"
	keySchedulesEnabled = "schedulesEnabled"
	keySilenceMinutes   = "silenceMinutes"
)

// quietPrefix is the prefix of the executions the failure rule leaves
// out: those of the quiet schedules, if any.
func (c Config) quietPrefix() string {
	for _, s := range c.Schedules {
		if s.Quiet {
			return schedule.QuietPrefix
		}
	}
	return ""
}

// ingestScheduled reports whether a schedule runs the ingest, so that a
// snapshot is due at least every SilenceMinutes.
func (c Config) ingestScheduled() bool {
	for _, s := range c.Schedules {
		if s.Input[layout.FlagLoadData] != false {
			return true
		}
	}
	return false
}

// defaultSchedules fetch the feed every 15 minutes and, at 00:30 UTC,
// refine the previous complete UTC day from what was fetched, without
// fetching: the day before the time the schedule fired, however late a
// retry starts it. The ingest is quiet: an outage is reported once, by the
// no-snapshots alarm, not by an e-mail every 15 minutes.
func defaultSchedules() []schedule.Spec {
	return []schedule.Spec{
		{Name: "daily", Expression: "cron(30 0 * * ? *)", TimeZone: "UTC", Input: map[string]any{
			layout.FlagLoadData: false, layout.DayBeforeKey: schedule.ScheduledTime,
		}},
		{Name: "ingest", Expression: "rate(15 minutes)", Quiet: true, Input: map[string]any{
			layout.FlagRawToSilver: false, layout.FlagAvgStats: false, layout.FlagAvailPercent: false,
		}},
	}
}

// scheduleFields are the keys a schedule's entry in the context may hold.
var scheduleFields = []string{"expression", "timeZone", "input", "quiet"}

// schedules reads the map of schedules at key, name → {expression,
// timeZone, input}, from cdk.json (an object) or -c (its JSON text), in
// name order. What the construct checks (names, expressions, time zones,
// and the input against the state machine's rules) it checks at synth.
func (r *contextReader) schedules(key string, dst *[]schedule.Spec) {
	raw := r.get(key)
	if s, ok := raw.(string); ok {
		if err := json.Unmarshal([]byte(s), &raw); err != nil {
			r.fail("context %q must be a JSON object of schedules: %v", key, err)
			return
		}
	}
	if raw == nil {
		return
	}
	entries, ok := raw.(map[string]any)
	if !ok {
		r.fail("context %q must be an object, schedule name → {expression, timeZone, input}; got %v", key, raw)
		return
	}
	specs := []schedule.Spec{}
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		entry, ok := entries[name].(map[string]any)
		if !ok {
			r.fail("context %q: schedule %q must be an object {expression, timeZone, input}, got %v", key, name, entries[name])
			continue
		}
		for field := range entry {
			if !slices.Contains(scheduleFields, field) {
				r.fail("context %q: schedule %q has unknown field %q (known: %s)", key, name, field, strings.Join(scheduleFields, ", "))
			}
		}
		spec := schedule.Spec{Name: name}
		spec.Expression, _ = entry["expression"].(string)
		if spec.Expression == "" {
			r.fail("context %q: schedule %q needs an expression, e.g. \"rate(15 minutes)\" or \"cron(30 0 * * ? *)\"", key, name)
		}
		if tz, present := entry["timeZone"]; present {
			if spec.TimeZone, ok = tz.(string); !ok {
				r.fail("context %q: schedule %q: timeZone must be a string, got %v", key, name, tz)
			}
		}
		if q, present := entry["quiet"]; present {
			if spec.Quiet, ok = q.(bool); !ok {
				r.fail("context %q: schedule %q: quiet must be true or false, got %v", key, name, q)
			}
		}
		if spec.Input, ok = entry["input"].(map[string]any); !ok {
			r.fail("context %q: schedule %q needs an input object (the execution input, e.g. {\"%s\": false})", key, name, layout.FlagLoadData)
		}
		specs = append(specs, spec)
	}
	*dst = specs
}

// boolean sets *dst to the boolean at key, if any: true or false, or their
// text from -c.
func (r *contextReader) boolean(key string, dst *bool) {
	switch v := r.get(key).(type) {
	case nil:
	case bool:
		*dst = v
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			r.fail("context %q must be true or false, got %q", key, v)
			return
		}
		*dst = b
	default:
		r.fail("context %q must be true or false, got %v", key, v)
	}
}
