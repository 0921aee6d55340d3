// Command loaddata is the lambda_load_data task: it fetches the GBFS feed
// named by FEED_URL and writes one raw snapshot to s3://BUCKET/RAW_PREFIX
// (see package ingest). It logs JSON lines and returns a small summary that
// the state machine records.
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

// event is what the state machine sends; the ingest itself needs none of it
// (it always takes the feed's current snapshot), so it is only logged.
type event struct {
	ProcessDate string `json:"process_date"`
	Execution   string `json:"execution"`
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	slog.SetDefault(log)
	in, err := newIngester(context.Background(), log)
	if err != nil {
		log.Error("configuration", "error", err)
		os.Exit(1)
	}
	lambda.Start(func(ctx context.Context, e event) (ingest.Summary, error) {
		log.InfoContext(ctx, "ingest starting", "execution", e.Execution, "process_date", e.ProcessDate, "feed", in.FeedURL)
		sum, err := in.Run(ctx)
		if err != nil {
			log.ErrorContext(ctx, "ingest failed", "error", err)
		}
		return sum, err
	})
}

func newIngester(ctx context.Context, log *slog.Logger) (*ingest.Ingester, error) {
	env := map[string]string{"FEED_URL": "", "BUCKET": "", "RAW_PREFIX": ""}
	for k := range env {
		if env[k] = os.Getenv(k); env[k] == "" {
			return nil, fmt.Errorf("environment variable %s is not set", k)
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return &ingest.Ingester{
		FeedURL: env["FEED_URL"],
		Bucket:  env["BUCKET"],
		Prefix:  env["RAW_PREFIX"],
		// Four 10-second attempts and at most 3.5 s of backoff stay
		// inside the function's 60-second timeout.
		Fetcher: &ingest.Fetcher{Client: &http.Client{Timeout: 10 * time.Second}, Attempts: 4},
		S3:      s3.NewFromConfig(cfg),
		Log:     log,
	}, nil
}
