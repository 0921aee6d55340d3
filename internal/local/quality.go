package local

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/partialruns/velib-pipeline/internal/layout"
)

// Quality is what the raw → silver job's result says of the data besides
// the rows it wrote.
type Quality struct {
	// Rejected counts the rows refused, by system and reason; they are in
	// the rejects table.
	Rejected map[string]map[string]int `json:"rejected"`
	// OverCapacity counts the rows kept with more bikes than capacity.
	OverCapacity int `json:"over_capacity"`
	// Repeats counts the station entries that repeated a report already
	// kept (same station, last_reported and values).
	Repeats int `json:"repeats"`
	// BadFiles lists the raw files left out as unreadable or not
	// snapshots (only when the job was told to accept that).
	BadFiles []string `json:"bad_files"`
	// NewFields lists the feed's fields that silver does not carry.
	NewFields []string `json:"new_fields"`
	// IgnoredFiles lists the hidden raw files (names starting with _ or .),
	// which are not read.
	IgnoredFiles []string `json:"ignored_files"`
}

// lines says what q holds, a line per kind (the rejects a line per
// system), nothing when all is well.
func (q Quality) lines() []string {
	var out []string
	for _, system := range slices.Sorted(maps.Keys(q.Rejected)) {
		reasons := q.Rejected[system]
		total, parts := 0, []string{}
		for _, r := range slices.Sorted(maps.Keys(reasons)) {
			total += reasons[r]
			parts = append(parts, fmt.Sprintf("%s %d", r, reasons[r]))
		}
		out = append(out, fmt.Sprintf("%s: %d rows rejected to %s (%s)", system, total, layout.TableRejects, strings.Join(parts, ", ")))
	}
	if q.OverCapacity > 0 {
		out = append(out, fmt.Sprintf("%d rows with more bikes than capacity, kept and flagged (over_capacity)", q.OverCapacity))
	}
	if q.Repeats > 0 {
		out = append(out, fmt.Sprintf("%d station entries repeated a report already kept (same last_reported and values), kept once", q.Repeats))
	}
	if len(q.BadFiles) > 0 {
		out = append(out, fmt.Sprintf("%d raw files left out, unreadable or not snapshots: %s", len(q.BadFiles), strings.Join(q.BadFiles, ", ")))
	}
	if len(q.IgnoredFiles) > 0 {
		out = append(out, fmt.Sprintf("%d hidden raw files (names starting with _ or .) not read: %s", len(q.IgnoredFiles), strings.Join(q.IgnoredFiles, ", ")))
	}
	if len(q.NewFields) > 0 {
		out = append(out, "new feed fields, not carried to silver: "+strings.Join(q.NewFields, ", "))
	}
	return out
}
