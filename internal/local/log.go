package local

import (
	"io"
	"log/slog"
)

// discardLogger silences the ingest's JSON logs: the local run reports its
// own progress lines instead.
func discardLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }
