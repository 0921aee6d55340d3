// Package skippable lets any Step Functions task, Parallel, Map or chain be
// switched off by a boolean flag in the execution input, so that part of a
// pipeline can be re-run without the rest.
//
// A [Skippable] puts a Choice state named "Run <flag>?" in front of its body.
// The rules are evaluated in order:
//
//  1. the flag is absent: run the body;
//  2. the flag is true: run the body;
//  3. otherwise (the flag is false): skip straight to whatever follows.
//
// The absent rule comes first because a Choice rule that reads a missing path
// is a runtime error in Step Functions; ordering the rules this way means no
// rule ever reads a path that is not there.
//
// A validation (package validation) placed at the start of the state machine rejects any input
// that the guards would misread: an unknown key (a misspelt flag would
// otherwise be ignored and its task would run), a flag that is not a boolean,
// a declared parameter its check refuses (e.g. a date, with
// contract.DateParam), or input that is not a JSON object. It fails the
// execution with the error contract.ErrorInvalidInput and a cause naming
// every offending key. The flags it accepts are those of the guards that can
// run after it in its state machine, so the list can never drift.
//
// The validation's JSONata keeps to what every engine reads alike (no field
// read from the context item, no lone $ or $$, no date pictures, nothing that
// depends on number formatting or key order), because Step Functions checks
// each expression when the definition is created and emulators embed other
// engines. The tests prove it on jsonata-js 2.0.6 and jsonata-python and on
// two Step Functions interpreters (aws-local-stepfunctions and moto); the
// repository's docs/jsonata.md lists each rule with its source, and
// `make validate` asks AWS itself.
//
// Outcomes are recorded in the state under "runs", and only the construct
// writes there: the validation records each flag the input switches off as
// "skipped", and each guard records its body as "ran" in a Pass after it. A
// body only has to keep the state (a task's result goes beside the input,
// with ResultPath); the synth names the states it can tell would replace
// the state or write into the record: JSONPath states by their paths,
// JSONata Tasks, Maps and Parallels without an Output. A JSONata Pass or
// Wait's Output is the author's: one that drops $states.input drops the
// record too. Guards side by side go in a Parallel built by package
// parallel, which merges its branches' records. A succeeded execution's
// output therefore says, per flag outside a Map, whether its body ran.
package skippable
