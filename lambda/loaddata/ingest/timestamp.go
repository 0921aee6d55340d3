package ingest

import (
	"fmt"
	"time"
)

// EarliestFeedTime is the earliest last_updated a feed may carry: GBFS was
// first published in 2015, so anything before is a wrong value (0, or a
// count of something else), not an old feed.
var EarliestFeedTime = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)

// MaxClockSkew is how far after the fetch a feed's last_updated may be:
// servers' clocks drift, but not by more.
const MaxClockSkew = time.Hour

// CheckFeedTime rejects a last_updated no live feed can have, naming the
// value as the feed wrote it: before EarliestFeedTime, or more than
// MaxClockSkew after fetchedAt. Milliseconds read as seconds (a GBFS
// mistake seen in the wild) land tens of thousands of years ahead, and the
// error says so.
func CheckFeedTime(f *Feed, fetchedAt time.Time) error {
	t := f.LastUpdated
	switch {
	case t.Before(EarliestFeedTime):
		return fmt.Errorf("last_updated %s (%s) is implausible: it is before %s", f.LastUpdatedRaw, t.Format(time.RFC3339), EarliestFeedTime.Format(time.DateOnly))
	case t.After(fetchedAt.Add(MaxClockSkew)):
		hint := ""
		if ms := time.UnixMilli(t.Unix()).UTC(); !ms.Before(EarliestFeedTime) && !ms.After(fetchedAt.Add(MaxClockSkew)) {
			hint = " (milliseconds instead of seconds?)"
		}
		return fmt.Errorf("last_updated %s (%s) is implausible: it is after the fetch time %s%s", f.LastUpdatedRaw, t.Format(time.RFC3339), fetchedAt.UTC().Format(time.RFC3339), hint)
	}
	return nil
}
