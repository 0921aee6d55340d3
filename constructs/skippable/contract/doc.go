// Package contract is what a skippable state machine promises to its
// execution input and to the tools that read its definition: the names of
// the states a guard adds, which flag names are allowed, the keys with a
// fixed meaning, the "runs" record, the date rule, and how to recognise a
// guard in a rendered definition.
//
// It depends on no CDK package, so the construct that writes definitions
// (package skippable) and the tools that read them (partialrun, make local)
// share one source: a rule changed here changes both.
package contract
