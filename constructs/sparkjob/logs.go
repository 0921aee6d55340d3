package sparkjob

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"
)

// Glue 5.0 writes a job's stdout and stderr to the log group "<prefix>/output"
// and Spark's and its own messages to "<prefix>/error"; the prefix is
// /aws-glue/jobs, shared by every job in the account and region, unless the
// job argument --custom-logGroup-prefix sets another. Each job here gets a
// prefix of its own, so its two log groups can be created by the
// construct, with a retention and the key, instead of by Glue without
// either. (A prefix no job used before also means an upgraded stack does
// not collide with log groups Glue created earlier.)

// LogGroupPrefix is the prefix of the log groups of the job named jobName.
func LogGroupPrefix(jobName string) string { return "/aws-glue/jobs/" + jobName }

func newLogGroups(j *Job, p Props) (output, errors awslogs.LogGroup) {
	group := func(id, stream string) awslogs.LogGroup {
		return awslogs.NewLogGroup(j.Construct, jsii.String(id), &awslogs.LogGroupProps{
			LogGroupName:  jsii.String(LogGroupPrefix(p.JobName) + "/" + stream),
			Retention:     p.LogRetention,
			EncryptionKey: p.Key,
			RemovalPolicy: p.LogRemovalPolicy,
		})
	}
	return group("OutputLogs", "output"), group("ErrorLogs", "error")
}

// logGroupArns are the ARNs of the log groups (some actions name the group,
// others its streams, "…:*").
func logGroupArns(groups ...awslogs.LogGroup) []*string {
	var arns []*string
	for _, g := range groups {
		bare := awscdk.Stack_Of(g).FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("logs"), Resource: jsii.String("log-group"),
			ResourceName: g.LogGroupName(), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})
		arns = append(arns, bare, g.LogGroupArn())
	}
	return arns
}
