package contract

// A guard reads its flag from the execution input, not from the state: the
// state inside a Map iteration is the item, and a task may replace the state
// with its result, but the execution input is the same everywhere, and it is
// what the validation checked.

// FlagPath is the JSONPath a JSONPath guard tests: the flag in the
// execution input, through the context object.
func FlagPath(flag string) string { return "$$.Execution.Input." + flag }

// FlagExpr is the JSONata expression that reads flag from the execution
// input, e.g. to pass it to the child executions of a Distributed Map.
func FlagExpr(flag string) string { return "$states.context.Execution.Input." + flag }
