package asl

import (
	"strings"
	"testing"
)

func TestMermaid(t *testing.T) {
	def := `{"StartAt": "Check", "States": {
		"Check": {"Type": "Choice", "Choices": [
			{"Variable": "$.go", "IsPresent": false, "Next": "Work", "Comment": "absent"},
			{"Variable": "$.go", "BooleanEquals": true, "Next": "Work"}], "Default": "Both"},
		"Work": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "Next": "Both"},
		"Both": {"Type": "Parallel", "Next": "Done", "Branches": [
			{"StartAt": "Left", "States": {"Left": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}},
			{"StartAt": "Say \"hi\"", "States": {"Say \"hi\"": {"Type": "Pass", "End": true}}}]},
		"Done": {"Type": "Succeed"},
		"Orphan": {"Type": "Fail"}}}`
	got, err := Mermaid([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	want := `flowchart TD
    s1{"Check"}
    s2["Work<br/><small>Glue job, waits for the run</small>"]
    subgraph s3["Both (Parallel)"]
        direction TB
        s4["Left<br/><small>Lambda</small>"]
        s5["Say #quot;hi#quot;"]
    end
    s6(["Done"])
    s7(["Orphan"])
    s1 -- "absent" --> s2
    s1 -- "$.go BooleanEquals true" --> s2
    s1 -- "otherwise" --> s3
    s2 --> s3
    s3 --> s6
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestMermaidRejectsBadJSON(t *testing.T) {
	if _, err := Mermaid([]byte("{")); err == nil || !strings.Contains(err.Error(), "definition") {
		t.Errorf("err = %v", err)
	}
}
