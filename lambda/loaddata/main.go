// Command loaddata is the lambda_load_data task: it will fetch the GBFS feed
// and write one raw snapshot to S3 (see DESIGN §2).
//
// PLACEHOLDER: the ingest logic is not written yet. Until it is, every
// invocation fails with a message saying so, rather than reporting a
// snapshot that was never written. Skip the task with
// {"lambda_load_data": false} to run the rest of the pipeline.
package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(context.Context) (struct{}, error) {
	return struct{}{}, errors.New("lambda_load_data is a placeholder: ingest is not implemented yet")
}

func main() {
	lambda.Start(handle)
}
