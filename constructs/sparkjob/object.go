package sparkjob

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Object is one S3 object the job runs: its script or a module. The role
// may read that object and nothing else of its bucket.
type Object struct {
	Bucket awss3.IBucket
	Key    *string
}

// Asset uploads a file, or a folder as one zip, as a CDK asset and returns
// its object. Python caches are left out, so the asset's hash follows the
// sources only.
func Asset(scope constructs.Construct, id, path string) Object {
	asset := awss3assets.NewAsset(scope, jsii.String(id), &awss3assets.AssetProps{
		Path:    jsii.String(path),
		Exclude: jsii.Strings("__pycache__", "*.pyc"),
	})
	return Object{Bucket: asset.Bucket(), Key: asset.S3ObjectKey()}
}

func (o Object) url() *string { return o.Bucket.S3UrlForObject(o.Key) }

func (o Object) arn() *string { return o.Bucket.ArnForObjects(o.Key) }
