// Package render describes what the skippable construct writes into a
// state machine definition: the shape of a guard and how to recognise one,
// the records of the runs, the fold of a Parallel's branches; and how to
// read a definition out of a synthesized CloudFormation template. It is for
// tools that read synthesized definitions (a planner, a test kit, a
// linter) and imports no CDK package; a state machine's author needs only
// packages skippable, validation, parallel and contract.
package render
