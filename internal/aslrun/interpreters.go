package aslrun

// Interpreter is one of the package's runners, named for test messages.
type Interpreter struct {
	Name string
	Run  func(definition []byte, startTime string, cases []Case) ([]Result, error)
	// JSONata says whether it runs JSONata states anywhere in a machine;
	// aws-local-stepfunctions runs only the leading ones (see run.js).
	JSONata bool
	// MapContext says whether a Map iteration sees the execution's input
	// in $$.Execution.Input, as on AWS; aws-local-stepfunctions 3.0.0 puts
	// the item there.
	MapContext bool
}

// Interpreters are every runner, in the order tests report them.
var Interpreters = []Interpreter{
	{Name: "aws-local-stepfunctions", Run: Run},
	{Name: "moto", Run: RunMoto, JSONata: true, MapContext: true},
}

// For lists the interpreters that can run a machine: all of them, or for a
// machine with JSONata states beyond the first ones, those that run
// JSONata.
func For(jsonataThroughout bool) []Interpreter {
	var out []Interpreter
	for _, in := range Interpreters {
		if in.JSONata || !jsonataThroughout {
			out = append(out, in)
		}
	}
	return out
}
