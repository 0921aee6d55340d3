package sparkjob

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"
)

// grantData allows reading the declared read prefixes, reading and writing
// the write prefixes, and reading, writing and deleting the prune,
// temporary and Spark UI prefixes (Spark clears its scratch space).
// Listing is limited to the same prefixes by an s3:prefix condition: the
// role lists nothing else in the bucket.
func grantData(role awsiam.Role, p Props) {
	rwd := append(append([]string(nil), p.Prunes...), p.TempPrefix, p.SparkUIPrefix)
	all := append(append(append([]string(nil), p.Reads...), p.Writes...), rwd...)
	if len(p.Reads) > 0 {
		role.AddToPolicy(statement([]string{"s3:GetObject"}, objects(p, p.Reads)))
	}
	if len(p.Writes) > 0 {
		role.AddToPolicy(statement([]string{"s3:GetObject", "s3:PutObject"}, objects(p, p.Writes)))
	}
	role.AddToPolicy(statement([]string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, objects(p, rwd)))
	var listed []*string
	for _, prefix := range all {
		listed = append(listed, *jsii.Strings(Keys(prefix)...)...)
	}
	list := statement([]string{"s3:ListBucket"}, []*string{p.Bucket.BucketArn()})
	list.AddCondition(jsii.String("StringLike"), map[string]any{"s3:prefix": listed})
	role.AddToPolicy(list)
}

// Keys are the key patterns a grant on prefix covers: the keys under it,
// the folder's own key, and the "<folder>_$folder$" marker that Glue's S3
// client writes beside a folder and looks up. Nothing else: a grant on
// "raw/" does not reach "rawfoo/".
func Keys(prefix string) []string {
	folder := strings.TrimSuffix(prefix, "/")
	return []string{folder + "/*", folder, folder + "_$folder$"}
}

func objects(p Props, prefixes []string) []*string {
	var arns []*string
	for _, prefix := range prefixes {
		for _, k := range Keys(prefix) {
			arns = append(arns, p.Bucket.ArnForObjects(jsii.String(k)))
		}
	}
	return arns
}

// grantCode allows reading the script and the modules, those objects only.
func grantCode(role awsiam.Role, p Props) {
	arns := []*string{p.Script.arn()}
	for _, f := range p.ExtraPythonFiles {
		arns = append(arns, f.arn())
	}
	role.AddToPolicy(statement([]string{"s3:GetObject"}, arns))
}

// Catalog actions: reading a table and its partitions, and maintaining them.
var (
	catalogReads = []string{
		"glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition",
	}
	// DeleteTable lets a job define a table again, over the same files,
	// when its partitioning changes (the tables are external: the files
	// stay).
	catalogWrites = []string{
		"glue:CreateTable", "glue:UpdateTable", "glue:DeleteTable",
		"glue:CreatePartition", "glue:BatchCreatePartition", "glue:UpdatePartition", "glue:BatchUpdatePartition",
		"glue:DeletePartition", "glue:BatchDeletePartition",
	}
)

// grantCatalog allows reading the database and every declared table, and
// writing the tables the job writes, and no other: a job that reads silver
// cannot alter it. Spark's catalog client also looks up the database
// "default" when it starts.
func grantCatalog(role awsiam.Role, stack awscdk.Stack, p Props) {
	arn := func(resource, name string) *string {
		return stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("glue"), Resource: jsii.String(resource), ResourceName: jsii.String(name)})
	}
	table := func(t string) *string { return arn("table", *p.Database.DatabaseName()+"/"+t) }
	read := []*string{
		stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("glue"), Resource: jsii.String("catalog")}),
		p.Database.DatabaseArn(),
		arn("database", "default"),
	}
	for _, t := range append(append([]string(nil), p.ReadTables...), p.WriteTables...) {
		read = append(read, table(t))
	}
	role.AddToPolicy(statement(catalogReads, read))
	if len(p.WriteTables) > 0 {
		written := make([]*string, len(p.WriteTables))
		for i, t := range p.WriteTables {
			written[i] = table(t)
		}
		role.AddToPolicy(statement(catalogWrites, append([]*string{
			stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("glue"), Resource: jsii.String("catalog")}),
			p.Database.DatabaseArn(),
		}, written...)))
	}
}

// grantRuntime allows what every run needs: writing to its own log groups,
// publishing its metrics, and using the key for logs and bookmarks.
func grantRuntime(role awsiam.Role, p Props, logs ...awslogs.LogGroup) {
	role.AddToPolicy(statement([]string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"}, logGroupArns(logs...)))
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
