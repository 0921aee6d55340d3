package contract

// Statuses recorded under RunsKey, one record per flag whose guard was
// reached: a guard records its body as ran once the body has finished, or
// as skipped.
const (
	// StatusRan marks a body that ran to its end.
	StatusRan = "ran"
	// StatusSkipped marks a body switched off by its flag.
	StatusSkipped = "skipped"
)

// ErrorInvalidInput is the error name of a failed validation.
const ErrorInvalidInput = "InvalidInput"

// ResultUnder is a JSONata Output for a task (or Map, or Parallel) in a
// state machine with guards: the state as it came in, with the task's
// result under key, so the runs record reaches the states after it.
func ResultUnder(key string) string {
	return `{% $merge([$states.input, {"` + key + `": $states.result}]) %}`
}
