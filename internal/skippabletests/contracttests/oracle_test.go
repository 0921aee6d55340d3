package contracttests

import (
	"fmt"
	"strings"
	"time"

	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
)

// The date rules written a second time, in Go, as an oracle the JSONata
// rules the validation runs are held to over the shared table of dates.

// checkDate applies the date rule: a YYYY-MM-DD calendar date from contract.MinDate
// to today's date, UTC (today being when the execution starts).
func checkDate(s string, today time.Time) error {
	t, err := time.Parse(time.DateOnly, s)
	switch {
	case err != nil || t.Format(time.DateOnly) != s:
		return fmt.Errorf("%q is not a YYYY-MM-DD calendar date", s)
	case s < contract.MinDate:
		return fmt.Errorf("%q is before %s", s, contract.MinDate)
	case s > today.UTC().Format(time.DateOnly):
		return fmt.Errorf("%q is after today, %s (UTC)", s, today.UTC().Format(time.DateOnly))
	}
	return nil
}

// checkDateRange is checkDate for a date or a range of at most maxDays
// days, the rule DateRangeParam's check applies, for partialrun to apply
// before it starts an execution.
func checkDateRange(s string, today time.Time, maxDays int) error {
	first, last, isRange := strings.Cut(s, contract.RangeSep)
	if !isRange {
		return checkDate(s, today)
	}
	if strings.Contains(last, contract.RangeSep) {
		return fmt.Errorf("%q is not a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD", s)
	}
	for _, d := range []string{first, last} {
		if err := checkDate(d, today); err != nil {
			return err
		}
	}
	a, _ := time.Parse(time.DateOnly, first)
	b, _ := time.Parse(time.DateOnly, last)
	switch days := int(b.Sub(a).Hours()/24) + 1; {
	case days < 1:
		return fmt.Errorf("%q ends before it starts", s)
	case days > maxDays:
		return fmt.Errorf("%q spans %d days; the limit is %d", s, days, maxDays)
	}
	return nil
}
