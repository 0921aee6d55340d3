// Package jsiiclose ends a jsii program's Node child cleanly, so that jsii
// and its kernel remove what they unpacked under TMPDIR at start (about
// 2 MB, which would otherwise stay behind after every synth and every test
// binary).
package jsiiclose

import (
	"os"

	"github.com/aws/jsii-runtime-go"
)

// Close calls jsii.Close with os.Stderr pointing to the null device. jsii's
// own watcher of the child races Close's wait for it and, when it loses,
// prints "Runtime process exited abnormally: waitid: no child processes";
// call Close only when the program has written all it has to say.
func Close() {
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		os.Stderr = null
	}
	jsii.Close()
}
