// Package rehearse deploys the stack to MiniStack, a local AWS emulator,
// through the same paths a user takes (make bootstrap, make deploy: the CDK
// CLI, change sets, asset publishing), then checks what was created and
// runs executions. It is `make rehearse`; docs/rehearsal.md says what it
// shows, what it cannot, and each emulator gap it works around.
//
// The rehearsal never changes what make deploy sends to AWS: it deploys an
// assembly of its own, and Compare proves that assembly differs from
// make synth's by the listed substitutions only.
package rehearse
