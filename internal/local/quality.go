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
	// Rejected counts the rows refused, by reason; they are in the rejects
	// table.
	Rejected map[string]int `json:"rejected"`
	// OverCapacity counts the rows kept with more bikes than capacity.
	OverCapacity int `json:"over_capacity"`
	// BadFiles lists the raw files left out as unreadable or not
	// snapshots (only when the job was told to accept that).
	BadFiles []string `json:"bad_files"`
	// NewFields lists the feed's fields that silver does not carry.
	NewFields []string `json:"new_fields"`
}

// lines says what q holds, a line per kind, nothing when all is well.
func (q Quality) lines() []string {
	var out []string
	if len(q.Rejected) > 0 {
		reasons := slices.Sorted(maps.Keys(q.Rejected))
		total, parts := 0, make([]string, len(reasons))
		for i, r := range reasons {
			total += q.Rejected[r]
			parts[i] = fmt.Sprintf("%s %d", r, q.Rejected[r])
		}
		out = append(out, fmt.Sprintf("%d rows rejected to %s (%s)", total, layout.TableRejects, strings.Join(parts, ", ")))
	}
	if q.OverCapacity > 0 {
		out = append(out, fmt.Sprintf("%d rows with more bikes than capacity, kept and flagged (over_capacity)", q.OverCapacity))
	}
	if len(q.BadFiles) > 0 {
		out = append(out, fmt.Sprintf("%d raw files left out, unreadable or not snapshots: %s", len(q.BadFiles), strings.Join(q.BadFiles, ", ")))
	}
	if len(q.NewFields) > 0 {
		out = append(out, "new feed fields, not carried to silver: "+strings.Join(q.NewFields, ", "))
	}
	return out
}
