package contract

// Derived is a value the validation works out from valid input and sets
// under Name in its output, in its own state (no transition of its own),
// for later states to read: e.g. a job's capacity for the days a date range
// covers. The input itself may not set Name: the validation refuses it as
// an unknown key.
//
// Expr is a JSONata expression with $in (the input object as sent, before
// defaults) and $today bound as for a Param's Default, and under the same
// rules every engine reads alike.
type Derived struct {
	Name string
	Expr string
}
