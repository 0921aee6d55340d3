package ingest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// MsgSnapshotWritten is the message of the log line each snapshot written
// logs: the stack counts these lines, and an alarm fires when none came
// for a while.
const MsgSnapshotWritten = "snapshot written"

// ObjectPutter is the one S3 call the ingest makes; *s3.Client has it.
type ObjectPutter interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Ingester takes one snapshot per Run.
type Ingester struct {
	// System is the id of the bike-share system, which the summary and
	// the snapshot's file name carry.
	System string
	// FeedURL is the GBFS folder or gbfs.json discovery URL.
	FeedURL string
	// Language picks a gbfs.json's feeds by language (see FeedURLs).
	Language string
	// Bucket and Prefix say where snapshots go, e.g. "raw/velib/".
	Bucket, Prefix string
	Fetcher        *Fetcher
	S3             ObjectPutter
	// Now stamps fetched_at. Default: time.Now.
	Now func() time.Time
	// Log receives one line per run. Default: slog.Default().
	Log *slog.Logger
	// TempDir is where the documents and the snapshot are spooled while
	// a run lasts. Default: os.TempDir(), /tmp in Lambda.
	TempDir string
}

// Summary is what Run reports, and what the state machine records.
type Summary struct {
	// System is the system's id.
	System         string `json:"system"`
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
// nothing. The documents and the snapshot stream through files in TempDir:
// the memory used does not grow with the feed's size.
func (in *Ingester) Run(ctx context.Context) (Summary, error) {
	log := in.Log
	if log == nil {
		log = slog.Default()
	}
	infoURL, statusURL, err := FeedURLs(ctx, in.Fetcher, in.FeedURL, in.Language)
	if err != nil {
		return Summary{}, err
	}
	now := time.Now
	if in.Now != nil {
		now = in.Now
	}
	var docs [2]*spool
	defer func() {
		for _, d := range docs {
			if d != nil {
				d.remove()
			}
		}
	}()
	for i, name := range [2]string{FeedInformation, FeedStatus} {
		if docs[i], err = newSpool(in.TempDir, name+"-*.json"); err != nil {
			return Summary{}, fmt.Errorf("spooling the %s feed: %w", name, err)
		}
	}
	feeds, err := in.fetchBoth(ctx, [2]string{infoURL, statusURL}, docs, now)
	if err != nil {
		return Summary{}, err
	}
	info, status := feeds[0], feeds[1]
	snap, size, err := in.encode(docs, now())
	if err != nil {
		return Summary{}, fmt.Errorf("encoding the snapshot: %w", err)
	}
	defer snap.remove()
	key := Key(in.Prefix, in.System, status.LastUpdated)
	_, err = in.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:          aws.String(in.Bucket),
		Key:             aws.String(key),
		Body:            snap.f,
		ContentLength:   aws.Int64(size),
		ContentType:     aws.String("application/json"),
		ContentEncoding: aws.String("gzip"),
	})
	if err != nil {
		return Summary{}, fmt.Errorf("writing s3://%s/%s: %w", in.Bucket, key, err)
	}
	sum := Summary{
		System:                     in.System,
		ObjectsWritten:             1,
		Bucket:                     in.Bucket,
		Key:                        key,
		Stations:                   len(status.StationIDs) + status.WithoutID,
		StationsWithoutID:          status.WithoutID,
		StationsWithoutInformation: Unmatched(info, status),
		FeedTimestamp:              status.LastUpdated.Format(time.RFC3339),
		Date:                       status.LastUpdated.UTC().Format(time.DateOnly),
		Bytes:                      int(size),
	}
	log.InfoContext(ctx, MsgSnapshotWritten, "system", sum.System, "bucket", sum.Bucket, "key", sum.Key, "stations", sum.Stations,
		"stations_without_information", sum.StationsWithoutInformation, "stations_without_id", sum.StationsWithoutID, "feed_timestamp", sum.FeedTimestamp, "bytes", sum.Bytes)
	if sum.StationsWithoutInformation > 0 {
		log.WarnContext(ctx, "status entries without station information", "count", sum.StationsWithoutInformation)
	}
	return sum, nil
}

// encode writes the snapshot of the two spooled documents to a spool of
// its own and returns it rewound, with its size.
func (in *Ingester) encode(docs [2]*spool, fetchedAt time.Time) (*spool, int64, error) {
	for _, d := range docs {
		if _, err := d.rewind(); err != nil {
			return nil, 0, err
		}
	}
	snap, err := newSpool(in.TempDir, "snapshot-*.json.gz")
	if err != nil {
		return nil, 0, err
	}
	w := bufio.NewWriter(snap.f)
	err = Encode(w, Parts{
		Source:             in.FeedURL,
		FetchedAt:          fetchedAt.UTC().Format(time.RFC3339),
		StationInformation: docs[0].f,
		StationStatus:      docs[1].f,
	})
	if err == nil {
		err = w.Flush()
	}
	var size int64
	if err == nil {
		size, err = snap.rewind()
	}
	if err != nil {
		snap.remove()
		return nil, 0, err
	}
	return snap, size, nil
}

// fetchBoth gets and validates the two documents concurrently, each
// streamed into its spool as it is parsed; the first error wins and names
// its feed.
func (in *Ingester) fetchBoth(ctx context.Context, urls [2]string, docs [2]*spool, now func() time.Time) ([2]*Feed, error) {
	var feeds [2]*Feed
	var errs [2]error
	var wg sync.WaitGroup
	for i, name := range [2]string{FeedInformation, FeedStatus} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := in.Fetcher.Fetch(ctx, urls[i], func(body io.Reader) error {
				if err := docs[i].reset(); err != nil {
					return err
				}
				var err error
				feeds[i], err = ParseFeed(name, urls[i], io.TeeReader(body, docs[i].f))
				return err
			})
			if err == nil {
				err = CheckFeedTime(feeds[i], now())
			}
			if err != nil {
				errs[i] = fmt.Errorf("%s feed %s: %w", name, urls[i], err)
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
