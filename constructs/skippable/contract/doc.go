// Package contract is what a skippable state machine promises to its
// execution input: which flag names are allowed, the keys with a fixed
// meaning, the statuses of the "runs" record, the names of the states a
// guard adds, and the parameters a validation may declare besides the
// flags (ready-made ones, such as DateParam, and Param for one's own).
//
// It depends on no CDK package. What the construct writes into a
// definition, for tools that read it, is in package render.
package contract
