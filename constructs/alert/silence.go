package alert

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// SilenceProps configure [NewSilence].
type SilenceProps struct {
	// LogGroup receives a line matching Pattern each time the awaited
	// thing happens, e.g. a function's "snapshot written".
	LogGroup awslogs.ILogGroup
	Pattern  awslogs.IFilterPattern
	// Namespace and MetricName name the count of matching lines.
	Namespace, MetricName string
	// Window is how long nothing may happen before the alarm fires:
	// whole minutes, from 1 to 1,440 (CloudWatch's longest period).
	Window awscdk.Duration
	// AlarmName names the alarm, so that a topic may let CloudWatch
	// publish for it (Alert.Notify).
	AlarmName string
	// Description says what the silence means.
	Description string
	// ActionsOff deploys the alarm with its actions turned off, e.g. when
	// what should make the lines happen is turned off too.
	ActionsOff bool
}

// NewSilence is an alarm that fires when no line matching props.Pattern has
// reached props.LogGroup for props.Window: a count of the lines as a metric
// (a metric filter), an alarm on its sum below one, with missing data (no
// line at all) counted as breaching.
func NewSilence(scope constructs.Construct, id *string, props *SilenceProps) awscloudwatch.Alarm {
	minutes := *props.Window.ToMinutes(nil)
	if minutes < 1 || minutes > 1440 || minutes != float64(int(minutes)) {
		panic(fmt.Errorf("alert: %s: the silence window must be whole minutes from 1 to 1440, got %v", *id, minutes))
	}
	c := constructs.NewConstruct(scope, id)
	awslogs.NewMetricFilter(c, jsii.String("Filter"), &awslogs.MetricFilterProps{
		LogGroup:        props.LogGroup,
		FilterPattern:   props.Pattern,
		MetricNamespace: jsii.String(props.Namespace),
		MetricName:      jsii.String(props.MetricName),
		MetricValue:     jsii.String("1"),
	})
	metric := awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String(props.Namespace), MetricName: jsii.String(props.MetricName),
		Statistic: jsii.String("Sum"), Period: props.Window,
	})
	return awscloudwatch.NewAlarm(c, jsii.String("Alarm"), &awscloudwatch.AlarmProps{
		AlarmName:          jsii.String(props.AlarmName),
		AlarmDescription:   jsii.String(props.Description),
		Metric:             metric,
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_BREACHING,
		ActionsEnabled:     jsii.Bool(!props.ActionsOff),
	})
}
