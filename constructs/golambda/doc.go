// Package golambda builds Go Lambda functions for the provided.al2023
// runtime, on arm64 (or x86_64) with the local Go toolchain: no Docker, no
// prebuilt binaries.
//
// The asset hash is computed from what goes into the binary (the source
// files of every package of the main module that the function imports, the
// version of every other module it links, go.mod's go line and the build
// settings, the target architecture among them), so it is identical on
// every machine and changes exactly when the function would. CDK skips the
// build when an asset with that hash is already staged.
//
// An assembly synthesized with bundling skipped (cdk list, cdk bootstrap)
// holds no binary: its asset gets a hash of its own and the function an
// error annotation, so cdk deploy refuses that assembly instead of shipping
// the Go source.
package golambda
