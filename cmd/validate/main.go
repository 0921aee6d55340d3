// Command validate sends every state machine definition of a synthesized
// template to Step Functions' ValidateStateMachineDefinition API, which
// checks it as CreateStateMachine would (every JSONata expression included)
// without creating anything and at no cost, and prints the diagnostics.
//
// It is the one check that settles what AWS accepts; the offline tests can
// only show what other implementations accept. Without AWS credentials it
// says so in one line and exits 0, or 3 with -require-credentials (as make
// deploy runs it). It exits 1 when AWS reports an error, 2 on a usage error.
//
//	validate [-template cdk.out/STACK.template.json] [-profile p] [-region r] [-require-credentials]
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, newClient))
}
