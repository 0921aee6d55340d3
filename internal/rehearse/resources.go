package rehearse

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// deployed is a stack as the emulator's CloudFormation reports it, with
// the template it was deployed from.
type deployed struct {
	template map[string]any
	// physical maps logical ids to physical ids.
	physical map[string]string
	status   map[string]cfntypes.ResourceStatus
}

func (c *clients) describeStack(ctx context.Context, stack string, template map[string]any) (*deployed, error) {
	out, err := c.cfn.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(stack)})
	if err != nil {
		return nil, err
	}
	d := &deployed{template: template, physical: map[string]string{}, status: map[string]cfntypes.ResourceStatus{}}
	for _, r := range out.StackResources {
		d.physical[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
		d.status[aws.ToString(r.LogicalResourceId)] = r.ResourceStatus
	}
	return d, nil
}

// property is a resource's property, a {"Ref": id} resolved to the
// physical id.
func (d *deployed) property(id, key string) string {
	res, _ := d.template["Resources"].(map[string]any)[id].(map[string]any)
	props, _ := res["Properties"].(map[string]any)
	switch v := props[key].(type) {
	case string:
		return v
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok {
			return d.physical[ref]
		}
	case []any:
		if len(v) > 0 {
			if m, ok := v[0].(map[string]any); ok {
				if ref, ok := m["Ref"].(string); ok {
					return d.physical[ref]
				}
			}
		}
	}
	return ""
}

// resourceChecks ask the emulator's own service for each type, by the
// physical id CloudFormation reported: a resource CloudFormation lists but
// its service does not know fails the rehearsal.
var resourceChecks = map[string]func(ctx context.Context, c *clients, d *deployed, id, phys string) error{
	"AWS::CloudWatch::Alarm": func(ctx context.Context, c *clients, _ *deployed, _, phys string) error {
		return c.describeAlarm(ctx, phys)
	},
	"AWS::Events::Rule": func(ctx context.Context, c *clients, _ *deployed, _, phys string) error {
		name := phys[strings.LastIndex(phys, "/")+1:]
		_, err := c.events.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(name)})
		return err
	},
	"AWS::Glue::Database": func(ctx context.Context, c *clients, _ *deployed, _, phys string) error {
		_, err := c.glue.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String(phys)})
		return err
	},
	"AWS::Glue::Job": func(ctx context.Context, c *clients, _ *deployed, _, phys string) error {
		_, err := c.glue.GetJob(ctx, &glue.GetJobInput{JobName: aws.String(phys)})
		return err
	},
	"AWS::Glue::Trigger": func(ctx context.Context, c *clients, _ *deployed, _, phys string) error {
		_, err := c.glue.GetTrigger(ctx, &glue.GetTriggerInput{Name: aws.String(phys)})
		return err
	},
	"AWS::IAM::Role": func(ctx context.Context, c *clients, _ *deployed, _, phys string) error {
		_, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(phys)})
		return err
	},
	"AWS::IAM::Policy": func(ctx context.Context, c *clients, d *deployed, id, _ string) error {
		role := d.property(id, "Roles")
		name := d.property(id, "PolicyName")
		_, err := c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
		return err
	},
	"AWS::KMS::Key": func(ctx context.Context, c *clients, _ *deployed, _, phys string) error {
		_, err := c.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(phys)})
		return err
	},
	"AWS::Lambda::Function": func(ctx context.Context, c *clients, _ *deployed, _, phys string) error {
		_, err := c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(phys)})
		return err
	},
	"AWS::Logs::LogGroup": func(ctx context.Context, c *clients, _ *deployed, _, phys string) error {
		out, err := c.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(phys)})
		if err != nil {
			return err
		}
		for _, g := range out.LogGroups {
			if aws.ToString(g.LogGroupName) == phys {
				return nil
			}
		}
		return fmt.Errorf("DescribeLogGroups found no group %s", phys)
	},
	"AWS::Logs::MetricFilter": func(ctx context.Context, c *clients, d *deployed, id, phys string) error {
		group := d.property(id, "LogGroupName")
		out, err := c.logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(group)})
		if err == nil && len(out.MetricFilters) == 0 {
			err = fmt.Errorf("DescribeMetricFilters found none on %s", group)
		}
		return err
	},
	"AWS::S3::Bucket": func(ctx context.Context, c *clients, _ *deployed, _, phys string) error {
		_, err := c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(phys)})
		return err
	},
	"AWS::S3::BucketPolicy": func(ctx context.Context, c *clients, d *deployed, id, _ string) error {
		bucket := d.property(id, "Bucket")
		out, err := c.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
		if err == nil && aws.ToString(out.Policy) == "" {
			err = fmt.Errorf("bucket %s has no policy", bucket)
		}
		return err
	},
	"AWS::SNS::Topic": func(ctx context.Context, c *clients, _ *deployed, _, phys string) error {
		_, err := c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(phys)})
		return err
	},
	"AWS::SNS::TopicPolicy": func(ctx context.Context, c *clients, d *deployed, id, _ string) error {
		topic := d.property(id, "Topics")
		out, err := c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
		if err == nil && out.Attributes["Policy"] == "" {
			err = fmt.Errorf("topic %s has no policy", topic)
		}
		return err
	},
	"AWS::SQS::Queue": func(ctx context.Context, c *clients, _ *deployed, _, phys string) error {
		_, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(phys)})
		return err
	},
	"AWS::SQS::QueuePolicy": func(ctx context.Context, c *clients, d *deployed, id, _ string) error {
		queue := d.property(id, "Queues")
		out, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queue), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNamePolicy}})
		if err == nil && out.Attributes["Policy"] == "" {
			err = fmt.Errorf("queue %s has no policy", queue)
		}
		return err
	},
	"AWS::Scheduler::Schedule": func(ctx context.Context, c *clients, d *deployed, id, phys string) error {
		_, err := c.scheduler.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(phys), GroupName: aws.String(d.property(id, "GroupName"))})
		return err
	},
	"AWS::Scheduler::ScheduleGroup": func(ctx context.Context, c *clients, _ *deployed, _, phys string) error {
		_, err := c.scheduler.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String(phys)})
		return err
	},
	"AWS::StepFunctions::StateMachine": func(ctx context.Context, c *clients, _ *deployed, _, phys string) error {
		_, err := c.sfn.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(phys)})
		return err
	},
}

// notDeployed are types with nothing to describe: CDK's analytics record.
var notDeployed = map[string]bool{"AWS::CDK::Metadata": true}

// checkResources checks every resource of the template: CloudFormation
// reports it complete, and its service knows it. It returns how many it
// checked, by type.
func (c *clients) checkResources(ctx context.Context, d *deployed) (map[string]int, error) {
	resources, _ := d.template["Resources"].(map[string]any)
	ids := make([]string, 0, len(resources))
	for id := range resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	counts := map[string]int{}
	var problems []string
	for _, id := range ids {
		typ, _ := resources[id].(map[string]any)["Type"].(string)
		switch st := d.status[id]; st {
		case cfntypes.ResourceStatusCreateComplete, cfntypes.ResourceStatusUpdateComplete:
		case "":
			problems = append(problems, fmt.Sprintf("%s (%s): not in the stack", id, typ))
			continue
		default:
			problems = append(problems, fmt.Sprintf("%s (%s): %s", id, typ, st))
			continue
		}
		if notDeployed[typ] {
			continue
		}
		check, ok := resourceChecks[typ]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: no check for type %s (add one to resourceChecks)", id, typ))
			continue
		}
		if err := check(ctx, c, d, id, d.physical[id]); err != nil {
			problems = append(problems, fmt.Sprintf("%s (%s, %s): %v", id, typ, d.physical[id], err))
			continue
		}
		counts[typ]++
	}
	if len(problems) > 0 {
		return counts, fmt.Errorf("%d of %d resources failed:\n  %s", len(problems), len(ids), strings.Join(problems, "\n  "))
	}
	return counts, nil
}
