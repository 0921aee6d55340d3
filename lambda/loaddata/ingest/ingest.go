package ingest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ObjectPutter is the one S3 call the ingest makes; *s3.Client has it.
type ObjectPutter interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Ingester takes one snapshot per Run.
type Ingester struct {
	// FeedURL is the GBFS folder or gbfs.json discovery URL.
	FeedURL string
	// Bucket and Prefix say where snapshots go, e.g. "raw/velib/".
	Bucket, Prefix string
	Fetcher        *Fetcher
	S3             ObjectPutter
	// Now stamps fetched_at. Default: time.Now.
	Now func() time.Time
	// Log receives one line per run. Default: slog.Default().
	Log *slog.Logger
}

// Summary is what Run reports, and what the state machine records.
type Summary struct {
	ObjectsWritten int    `json:"objects_written"`
	Bucket         string `json:"bucket"`
	Key            string `json:"key"`
	Stations       int    `json:"stations"`
	// StationsWithoutInformation counts status entries whose station is
	// missing from station_information.
	StationsWithoutInformation int `json:"stations_without_information"`
	// StationsWithoutID counts status entries with no usable station_id;
	// the snapshot keeps them and raw → silver rejects them.
	StationsWithoutID int    `json:"stations_without_id"`
	FeedTimestamp     string `json:"feed_timestamp"`
	// Date is the partition the snapshot was filed under (dt=, the feed
	// timestamp's UTC date): the day the state machine then processes.
	Date  string `json:"date"`
	Bytes int    `json:"bytes"`
}

// Run fetches both documents, validates them and writes the snapshot. On any
// failure it returns an error naming the feed and the reason, and writes
// nothing.
func (in *Ingester) Run(ctx context.Context) (Summary, error) {
	log := in.Log
	if log == nil {
		log = slog.Default()
	}
	infoURL, statusURL, err := FeedURLs(ctx, in.Fetcher, in.FeedURL)
	if err != nil {
		return Summary{}, err
	}
	now := time.Now
	if in.Now != nil {
		now = in.Now
	}
	feeds, err := in.fetchBoth(ctx, infoURL, statusURL, now)
	if err != nil {
		return Summary{}, err
	}
	info, status := feeds[0], feeds[1]
	body, err := Encode(Snapshot{
		Source:             in.FeedURL,
		FetchedAt:          now().UTC().Format(time.RFC3339),
		StationInformation: info.Raw,
		StationStatus:      status.Raw,
	})
	if err != nil {
		return Summary{}, fmt.Errorf("encoding the snapshot: %w", err)
	}
	key := Key(in.Prefix, status.LastUpdated)
	_, err = in.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:          aws.String(in.Bucket),
		Key:             aws.String(key),
		Body:            bytes.NewReader(body),
		ContentType:     aws.String("application/json"),
		ContentEncoding: aws.String("gzip"),
	})
	if err != nil {
		return Summary{}, fmt.Errorf("writing s3://%s/%s: %w", in.Bucket, key, err)
	}
	sum := Summary{
		ObjectsWritten:             1,
		Bucket:                     in.Bucket,
		Key:                        key,
		Stations:                   len(status.StationIDs) + status.WithoutID,
		StationsWithoutID:          status.WithoutID,
		StationsWithoutInformation: Unmatched(info, status),
		FeedTimestamp:              status.LastUpdated.Format(time.RFC3339),
		Date:                       status.LastUpdated.UTC().Format(time.DateOnly),
		Bytes:                      len(body),
	}
	log.InfoContext(ctx, "snapshot written", "bucket", sum.Bucket, "key", sum.Key, "stations", sum.Stations,
		"stations_without_information", sum.StationsWithoutInformation, "stations_without_id", sum.StationsWithoutID, "feed_timestamp", sum.FeedTimestamp, "bytes", sum.Bytes)
	if sum.StationsWithoutInformation > 0 {
		log.WarnContext(ctx, "status entries without station information", "count", sum.StationsWithoutInformation)
	}
	return sum, nil
}

// fetchBoth gets and validates the two documents concurrently; the first
// error wins and names its feed.
func (in *Ingester) fetchBoth(ctx context.Context, infoURL, statusURL string, now func() time.Time) ([2]*Feed, error) {
	var feeds [2]*Feed
	var errs [2]error
	var wg sync.WaitGroup
	for i, f := range [2]struct{ name, url string }{{FeedInformation, infoURL}, {FeedStatus, statusURL}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, err := in.Fetcher.Get(ctx, f.url)
			if err == nil {
				feeds[i], err = ParseFeed(f.name, f.url, body)
			}
			if err == nil {
				err = CheckFeedTime(feeds[i], now())
			}
			if err != nil {
				errs[i] = fmt.Errorf("%s feed %s: %w", f.name, f.url, err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return feeds, err
		}
	}
	return feeds, nil
}
