// Package golambda builds Go Lambda functions for the provided.al2023
// runtime on arm64 with the local Go toolchain: no Docker, no prebuilt
// binaries.
//
// The asset hash is computed from what goes into the binary (the source
// files of every package of the main module that the function imports, plus
// go.mod, go.sum and the build settings), so it is identical on every
// machine and changes exactly when the function would. CDK skips the build
// when an asset with that hash is already staged.
package golambda
