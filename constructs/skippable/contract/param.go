package contract

// Param is an execution-input key other than the flags that a state
// machine declares, with its validation, e.g. the date a pipeline
// processes. A flag may not take a declared name.
//
// Check and Default are JSONata expressions, evaluated by the validation
// state with these variables bound: $in (the whole input object) and $today
// (the execution's start date, YYYY-MM-DD, UTC); Check also has $value (the
// key's value; Check runs only when the key is present) and $show
// (ShowFunc, to render a value in a message). Default runs only on valid
// input. They must keep to what every JSONata engine reads alike: test a
// type positively ($type($value) = "string" ? … : …), show values with
// $show, and use no date pictures.
type Param struct {
	// Name is the input key.
	Name string
	// Describe says what the key holds, for the validation's comment and
	// the cause's list of valid keys, e.g. "a date YYYY-MM-DD".
	Describe string
	// Check evaluates to a message naming the key when the value is not
	// acceptable, and to an empty array when it is.
	Check string
	// Default, when set, evaluates to the value the validation fills in
	// when the key is absent, so later states can always read it.
	Default string
}

// DateParam declares key as an optional date with the date rule (a
// YYYY-MM-DD calendar date from MinDate to the start date), defaulting to
// the execution's start date, UTC.
func DateParam(key string) Param {
	return Param{
		Name:     key,
		Describe: "a date YYYY-MM-DD from " + MinDate + " to the start date",
		Check:    `($date := $value; ` + dateProblemExpr(key) + `)`,
		Default:  `$today`,
	}
}

// Names lists the params' names.
func Names(params []Param) []string {
	out := make([]string, len(params))
	for i, p := range params {
		out[i] = p.Name
	}
	return out
}
