// Package skippabletest answers, in Go alone, what a state machine built
// with skippable guards does with an execution input: whether its
// validation accepts the input (and if not, the error and cause the
// execution fails with), which flags' steps run and which are skipped, and
// the runs record a successful execution ends with.
//
// It reads the definition as synthesized (plain Amazon States Language,
// or a CloudFormation template, read with render.FromTemplate) and follows
// it state by state, as Step Functions would, assuming every task succeeds. A
// task's output is unknown to it: where a decision depends on one (a
// Choice that reads a task's result, a Map over a task's list), Run
// returns an [*UndecidedError] naming the state rather than guessing.
// JSONata is evaluated with jsonata-go; no Node or Python process runs.
//
// It imports no CDK package, so tools that read deployed definitions can
// use it; the subpackage fromstack loads a machine from a CDK stack.
package skippabletest
