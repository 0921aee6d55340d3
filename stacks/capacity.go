package stacks

import (
	"strconv"

	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

// capacityKey is where the validation puts each Glue job run's size, for
// the Glue tasks to read and the execution output to show.
const capacityKey = "glue_capacity"

// The rule's constants, from a local 7-day range (about 8 s a day on two
// workers): 15 s a day is the allowance per day on the deployed workers,
// and 15 minutes covers a run's start and its catalog updates.
const (
	daysPerStep      = 31
	secondsPerDay    = 15
	overheadMinutes  = 15
	secondsPerMinute = 60
)

// capacity sizes a Glue job run for the days it processes. A run gets the
// deployed workers for each started block of 31 days, up to maxWorkers,
// so each worker's share stays about a month; and the deployed timeout, or
// 15 minutes plus 15 s for each day of a deployed worker's share if that
// is longer, which happens once maxWorkers stops the workers growing (or
// with a deployed timeout under half an hour). A single day runs exactly
// as deployed.
//
// The rule has two renderings, for the synth (the state machine's own
// timeout must outlast the longest run) and for the definition (each run's
// size): TestCapacityRule holds them to the same figures.
type capacity struct {
	workers, maxWorkers, timeoutMinutes int
}

func capacityOf(cfg Config) capacity {
	return capacity{workers: cfg.GlueWorkers, maxWorkers: cfg.GlueMaxWorkers, timeoutMinutes: cfg.GlueTimeoutMinutes}
}

// forDays is the size of a run of days.
func (c capacity) forDays(days int) (workers, timeoutMinutes int) {
	workers = min(c.workers*ceilDiv(days, daysPerStep), c.maxWorkers)
	timeoutMinutes = max(c.timeoutMinutes, overheadMinutes+ceilDiv(days*secondsPerDay*c.workers, workers*secondsPerMinute))
	return workers, timeoutMinutes
}

// longestTimeout is the longest timeout any accepted process_date gets.
func (c capacity) longestTimeout() int {
	longest := 0
	for days := 1; days <= layout.MaxRangeDays; days++ {
		_, t := c.forDays(days)
		longest = max(longest, t)
	}
	return longest
}

// derived is the rule as the validation evaluates it, from the days the
// input's process_date, or its arrivals, cover. Each division is the last
// operation before its $ceil, so every engine rounds the same quotient.
func (c capacity) derived(arrivals arrivalRule) contract.Derived {
	w, maxW, t := strconv.Itoa(c.workers), strconv.Itoa(c.maxWorkers), strconv.Itoa(c.timeoutMinutes)
	return contract.Derived{Name: capacityKey, Expr: `(
		$days := ` + arrivals.given() + ` ? ` + arrivals.daysExpr() + ` : ` + contract.DaysExpr(layout.DateKey) + `;
		$workers := $min([` + w + ` * $ceil($days / ` + strconv.Itoa(daysPerStep) + `), ` + maxW + `]);
		{
			"workers": $workers,
			"timeout_minutes": $max([` + t + `, ` + strconv.Itoa(overheadMinutes) + ` + $ceil($days * ` +
		strconv.Itoa(secondsPerDay) + ` * ` + w + ` / ($workers * ` + strconv.Itoa(secondsPerMinute) + `))])
		}
	)`}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
