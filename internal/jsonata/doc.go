// Package jsonata checks the JSONata expressions of a state machine
// definition against more than one implementation, because passing on one
// engine is no evidence that Step Functions will accept or evaluate an
// expression the same way.
//
// [Lint] parses every expression with jsonata-js 2.0.6 (the version Step
// Functions documents) and walks its syntax tree for constructs that some
// implementation refuses or reads differently: a field read from the
// context item at the top level (Step Functions evaluates with no context
// item and has been reported to refuse such expressions when a definition is
// created), a lone $ or $$ (LocalStack and moto refuse them anywhere), $eval
// (unavailable in Step Functions) and date pictures (parsed differently by
// the JavaScript and the Java lineage of JSONata).
//
// [Evaluate] runs every expression on each [Engine] for a table of inputs,
// binding $states as Step Functions does, and [Differences] lists where the
// engines disagree. The engines are jsonata (JavaScript) from npm and
// jsonata-python, a port of the Java implementation, from PyPI, both pinned
// packages make installs under .tools/, and jsonata-go, a Go module, run
// in process.
package jsonata
