package contract

// A guard reads its flag from the execution input, not from the state: the
// state inside a Map iteration is the item, and a task may replace the state
// with its result, but the execution input is the same everywhere, and it is
// what the validation checked.

// FlagPath is the JSONPath a JSONPath guard tests: the flag in the
// execution input, through the context object.
func FlagPath(flag string) string { return "$$.Execution.Input." + flag }

// FlagValue is a JSONata field value that reads flag from the execution
// input as a guard does: false when the input sets it to false, true
// otherwise (absent included, so it always has a value). Pass it to the
// child executions of a Distributed Map in the Map's ItemSelector, e.g.
// {"load": contract.FlagValue("load")}: a child's input is its item.
func FlagValue(flag string) string {
	return "{% $not($states.context.Execution.Input." + flag + " = false) %}"
}
