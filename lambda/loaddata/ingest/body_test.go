package ingest

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestBodyReader(t *testing.T) {
	broken := errors.New("connection reset")
	tests := []struct {
		name string
		r    io.Reader
		left int64
		read string
		err  error
	}{
		{name: "under the limit", r: strings.NewReader("abc"), left: 4, read: "abc"},
		{name: "exactly the limit", r: strings.NewReader("abcd"), left: 4, read: "abcd"},
		{name: "one byte over", r: strings.NewReader("abcde"), left: 4, err: errTooLarge},
		{name: "cut short", r: io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(broken)), left: 4, err: broken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &bodyReader{r: tc.r, left: tc.left}
			got, err := io.ReadAll(b)
			if !errors.Is(err, tc.err) || !errors.Is(b.err, tc.err) {
				t.Fatalf("err = %v (kept %v), want %v", err, b.err, tc.err)
			}
			if tc.err == nil && string(got) != tc.read {
				t.Errorf("read %q, want %q", got, tc.read)
			}
		})
	}
}
