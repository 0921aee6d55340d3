// Package assembly reads what the CDK CLI reads from a cloud assembly
// besides the template: here, the error annotations that make cdk deploy
// refuse it. It needs no CDK.
package assembly

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// A Message is an annotation on one construct.
type Message struct {
	// Path is the construct's path, e.g. "/Stack/LoadData".
	Path string
	Text string
}

// An Entry is one metadata record of a construct: its type (such as
// "aws:cdk:error" or "aws:cdk:logicalId") and its data.
type Entry struct {
	Type string `json:"type"`
	Data any    `json:"data"`
}

// ReadMetadata reads a stack's metadata file (<stack>.metadata.json in
// the assembly): the entries of each construct, by construct path.
func ReadMetadata(path string) (map[string][]Entry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var metadata map[string][]Entry
	if err := json.Unmarshal(b, &metadata); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return metadata, nil
}

// Errors returns the error annotations of stack in the cloud assembly at
// dir, sorted by path. An assembly without a metadata file has none.
func Errors(dir, stack string) ([]Message, error) {
	metadata, err := ReadMetadata(filepath.Join(dir, stack+".metadata.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Message
	for path, entries := range metadata {
		for _, e := range entries {
			if e.Type == "aws:cdk:error" {
				out = append(out, Message{Path: path, Text: fmt.Sprint(e.Data)})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Path < out[j].Path || (out[i].Path == out[j].Path && out[i].Text < out[j].Text)
	})
	return out, nil
}
