package sparkjob

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// grantData allows reading the declared read prefixes and reading, writing
// and deleting (Spark overwrites partitions by deleting them) the write and
// temporary prefixes. Listing is limited to the same prefixes.
//
// Each grant covers the prefix without its final slash too ("silver/t*"):
// Glue's S3 client looks up the folder's own key and writes "silver/t_$folder$"
// markers beside it, and a 403 there would fail the job.
func grantData(role awsiam.Role, p Props) {
	rw := append(append([]string(nil), p.Writes...), p.TempPrefix)
	all := append(append([]string(nil), p.Reads...), rw...)
	if len(p.Reads) > 0 {
		role.AddToPolicy(statement([]string{"s3:GetObject"}, objects(p, p.Reads)))
	}
	role.AddToPolicy(statement([]string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, objects(p, rw)))
	listed := make([]*string, len(all))
	for i, prefix := range all {
		listed[i] = jsii.String(folder(prefix))
	}
	list := statement([]string{"s3:ListBucket"}, []*string{p.Bucket.BucketArn()})
	list.AddCondition(jsii.String("StringLike"), map[string]any{"s3:prefix": listed})
	role.AddToPolicy(list)
}

func objects(p Props, prefixes []string) []*string {
	arns := make([]*string, len(prefixes))
	for i, prefix := range prefixes {
		arns[i] = p.Bucket.ArnForObjects(jsii.String(folder(prefix)))
	}
	return arns
}

// folder is the key pattern of a prefix and its folder marker keys.
func folder(prefix string) string { return strings.TrimSuffix(prefix, "/") + "*" }

// grantCatalog allows reading the database and maintaining the declared
// tables and their partitions, so a job can register what it wrote.
func grantCatalog(role awsiam.Role, stack awscdk.Stack, p Props) {
	resources := []*string{
		stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("glue"), Resource: jsii.String("catalog")}),
		p.Database.DatabaseArn(),
	}
	for _, t := range p.Tables {
		resources = append(resources, stack.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("glue"),
			Resource:     jsii.String("table"),
			ResourceName: jsii.String(*p.Database.DatabaseName() + "/" + t),
		}))
	}
	role.AddToPolicy(statement([]string{
		"glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable",
		"glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition",
		"glue:CreatePartition", "glue:BatchCreatePartition", "glue:UpdatePartition", "glue:BatchUpdatePartition",
		"glue:DeletePartition", "glue:BatchDeletePartition",
	}, resources))
}

// grantRuntime allows what every Glue job run needs: writing its logs
// (encrypted with the security configuration's key), publishing its metrics,
// and using that key for logs and bookmarks.
func grantRuntime(role awsiam.Role, stack awscdk.Stack, p Props) {
	role.AddToPolicy(statement(
		[]string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"},
		[]*string{stack.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("logs"),
			Resource:     jsii.String("log-group"),
			ResourceName: jsii.String("/aws-glue/*"),
			ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})},
	))
	// PutMetricData has no resource-level permissions; the condition keeps
	// the job to Glue's own namespace.
	metrics := statement([]string{"cloudwatch:PutMetricData"}, []*string{jsii.String("*")})
	metrics.AddCondition(jsii.String("StringEquals"), map[string]any{"cloudwatch:namespace": "Glue"})
	role.AddToPolicy(metrics)
	// The exact actions bookmarks and encrypted logs need, rather than
	// Key.GrantEncryptDecrypt's wildcard forms.
	role.AddToPolicy(statement([]string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"}, []*string{p.Key.KeyArn()}))
}

func statement(actions []string, resources []*string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &resources,
	})
}
