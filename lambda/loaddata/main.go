// Command loaddata is the lambda_load_data task: for the system an
// invocation names, it fetches that system's GBFS feed (SYSTEMS lists each
// system's id, URL and language, as JSON) and writes one raw snapshot to
// s3://BUCKET/RAW_PREFIX<system>/ (see package ingest). It logs JSON lines
// and returns a small summary that the state machine records.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/partialruns/velib-pipeline/lambda/loaddata/ingest"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	slog.SetDefault(log)
	h, err := newHandler(context.Background(), log)
	if err != nil {
		log.Error("configuration", "error", err)
		os.Exit(1)
	}
	lambda.Start(h.handle)
}

func newHandler(ctx context.Context, log *slog.Logger) (*handler, error) {
	env := map[string]string{"SYSTEMS": "", "BUCKET": "", "RAW_PREFIX": ""}
	for k := range env {
		if env[k] = os.Getenv(k); env[k] == "" {
			return nil, fmt.Errorf("environment variable %s is not set", k)
		}
	}
	systems, err := parseSystems(env["SYSTEMS"])
	if err != nil {
		return nil, err
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return &handler{
		systems: systems,
		bucket:  env["BUCKET"],
		prefix:  env["RAW_PREFIX"],
		// Four 10-second attempts and at most 3.5 s of backoff stay
		// inside the function's 60-second timeout.
		fetcher: &ingest.Fetcher{Client: &http.Client{Timeout: 10 * time.Second}, Attempts: 4},
		s3:      s3.NewFromConfig(cfg),
		log:     log,
	}, nil
}
