package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"

	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/lambda/loaddata/ingest"
)

// event is what the state machine sends: the system to ingest, and for
// the logs the date and execution (the ingest always takes the feed's
// current snapshot).
type event struct {
	System      string `json:"system"`
	ProcessDate string `json:"process_date"`
	Execution   string `json:"execution"`
}

// handler ingests one system per invocation.
type handler struct {
	systems []layout.System
	// bucket and prefix say where snapshots go: prefix + system id + "/".
	bucket, prefix string
	fetcher        *ingest.Fetcher
	s3             ingest.ObjectPutter
	log            *slog.Logger
	// tempDir is passed on to the Ingester (see there).
	tempDir string
}

// parseSystems reads the SYSTEMS variable: the systems as JSON.
func parseSystems(text string) ([]layout.System, error) {
	var systems []layout.System
	if err := json.Unmarshal([]byte(text), &systems); err != nil || len(systems) == 0 {
		return nil, fmt.Errorf("environment variable SYSTEMS must be a JSON list of systems {id, url, language}: %q", text)
	}
	return systems, nil
}

// handle ingests the event's system. An unknown or missing system is an
// error naming the ones this function knows: a state machine and a
// function deployed from different configurations must not pass unseen.
func (h *handler) handle(ctx context.Context, e event) (ingest.Summary, error) {
	i := slices.Index(layout.SystemIDs(h.systems), e.System)
	if i < 0 {
		err := fmt.Errorf("unknown system %q: this function ingests %v", e.System, layout.SystemIDs(h.systems))
		h.log.ErrorContext(ctx, "ingest refused", "error", err)
		return ingest.Summary{}, err
	}
	s := h.systems[i]
	in := &ingest.Ingester{
		System:   s.ID,
		FeedURL:  s.URL,
		Language: s.Language,
		Bucket:   h.bucket,
		Prefix:   h.prefix + s.ID + "/",
		Fetcher:  h.fetcher,
		S3:       h.s3,
		Log:      h.log.With("system", s.ID),
		TempDir:  h.tempDir,
	}
	h.log.InfoContext(ctx, "ingest starting", "execution", e.Execution, "process_date", e.ProcessDate, "system", s.ID, "feed", s.URL)
	sum, err := in.Run(ctx)
	if err != nil {
		h.log.ErrorContext(ctx, "ingest failed", "system", s.ID, "error", err)
	}
	return sum, err
}
