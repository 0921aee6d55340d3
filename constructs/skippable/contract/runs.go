package contract

// Statuses recorded under RunsKey, one record per flag.
const (
	// StatusPending marks a task that the input asks to run; the guarded
	// task replaces it with its own record when it finishes.
	StatusPending = "pending"
	// StatusRan is the status a guarded task writes when it finishes.
	StatusRan = "ran"
	// StatusSkipped marks a task switched off by its flag.
	StatusSkipped = "skipped"
)

// ErrorInvalidInput is the error name of a failed validation.
const ErrorInvalidInput = "InvalidInput"

// RunPath is the JSONPath at which the task guarded by flag records its
// outcome.
func RunPath(flag string) string { return "$." + RunsKey + "." + flag }
