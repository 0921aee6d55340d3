package sparkjob

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"
)

// Glue 5.0 writes a job's stdout and stderr to the log group "<prefix>/output"
// and Spark's and its own messages to "<prefix>/error"; the prefix is
// /aws-glue/jobs, shared by every job in the account and region, unless the
// job argument --custom-logGroup-prefix sets another. When the job's
// security configuration encrypts CloudWatch logs, as it does here, AWS's
// Glue 5.0 logging page gives "<prefix>/<configuration>-role/<role
// name>/output" and ".../error" instead. Each job here gets a prefix of its
// own and all four groups, so whichever Glue uses was created by the
// construct, with a retention and the key, not by Glue without either. (A
// prefix no job used before also means an upgraded stack does not collide
// with log groups Glue created earlier.) docs/operations.md gives the
// command that shows where a run's logs landed.

// LogGroupPrefix is the prefix of the log groups of the job named jobName.
func LogGroupPrefix(jobName string) string { return "/aws-glue/jobs/" + jobName }

// newLogGroups makes the groups "<prefix>/output" and "<prefix>/error",
// and, under "<prefix>/<configuration>-role/<role name>/", the two that
// Glue 5.0 writes to with CloudWatch encryption on.
func newLogGroups(j *Job, p Props) (output, errors, secureOutput, secureErrors awslogs.LogGroup) {
	group := func(id string, name *string) awslogs.LogGroup {
		g := awslogs.NewLogGroup(j.Construct, jsii.String(id), &awslogs.LogGroupProps{
			LogGroupName:  name,
			Retention:     p.LogRetention,
			EncryptionKey: p.Key,
			RemovalPolicy: p.LogRemovalPolicy,
		})
		// A group whose name changes (the role's, say) is replaced: the
		// old one, with its logs, stays beside the new one.
		g.Node().DefaultChild().(awscdk.CfnResource).CfnOptions().SetUpdateReplacePolicy(awscdk.CfnDeletionPolicy_RETAIN)
		return g
	}
	prefix := LogGroupPrefix(p.JobName)
	secure := func(stream string) *string {
		return awscdk.Fn_Join(jsii.String(""), &[]*string{
			jsii.String(prefix + "/"), p.SecurityConfiguration.SecurityConfigurationName(),
			jsii.String("-role/"), j.Role.RoleName(), jsii.String("/" + stream),
		})
	}
	return group("OutputLogs", jsii.String(prefix+"/output")), group("ErrorLogs", jsii.String(prefix+"/error")),
		group("SecureOutputLogs", secure("output")), group("SecureErrorLogs", secure("error"))
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
