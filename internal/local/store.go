package local

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Store keeps objects as files, at Root/<bucket>/<key>: the layout S3 would
// have, browsable with ls. It implements ingest.ObjectPutter.
type Store struct{ Root string }

// Path is where an object is kept.
func (s Store) Path(bucket, key string) string {
	return filepath.Join(s.Root, bucket, filepath.FromSlash(key))
}

// PutObject writes the object whole or not at all: a temporary file is
// renamed into place, as S3 never shows a half-written object.
func (s Store) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if in.Bucket == nil || in.Key == nil || in.Body == nil {
		return nil, fmt.Errorf("local store: bucket, key and body are required")
	}
	path := s.Path(*in.Bucket, *in.Key)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".put-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in.Body); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	return &s3.PutObjectOutput{}, os.Rename(tmp.Name(), path)
}
