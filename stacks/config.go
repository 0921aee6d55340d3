package stacks

import (
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/partialruns/velib-pipeline/constructs/schedule"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

// Config is what a user may change through cdk.json context or `-c key=value`.
type Config struct {
	// NamePrefix starts the names of the jobs, the state machine, the
	// database and the topic, so several copies can live in one account.
	NamePrefix string
	// GlueWorkers is the number of G.1X workers per Glue job run.
	GlueWorkers int
	// GlueMaxWorkers caps the workers a run over a range of dates gets
	// (see capacity); at least GlueWorkers.
	GlueMaxWorkers int
	// GlueTimeoutMinutes stops a Glue job run that takes longer.
	GlueTimeoutMinutes int
	// Systems are the bike-share systems the pipeline ingests, each
	// under its own id; any GBFS system works.
	Systems []layout.System
	// IngestConcurrency is how many systems are ingested at once.
	IngestConcurrency int
	// NotificationEmail, when set, subscribes to failure notifications.
	NotificationEmail string
	// Destroy removes the bucket and its objects with the stack; otherwise
	// the data outlives the stack.
	Destroy bool
	// LogRetentionDays keeps Lambda, Glue and state machine logs this long.
	LogRetentionDays int
	// Schedules start the state machine on a timetable, each with its
	// stored input; SchedulesEnabled false deploys them turned off.
	Schedules        []schedule.Spec
	SchedulesEnabled bool
	// SilenceMinutes is how long without a raw snapshot, while a schedule
	// runs the ingest, fires the no-snapshots alarm.
	SilenceMinutes int
	// LambdaArchitecture is the ingest function's processor, "arm64"
	// (Graviton) or "x86_64". The emulator rehearsal sets the host's, so
	// the emulator can run the binary on this machine.
	LambdaArchitecture string
	// EventRuns starts runs when raw snapshots arrive by another way than
	// the ingest.
	EventRuns EventRuns
}

// Context keys and their defaults. cdk.json carries the same defaults so a
// user sees them; the code keeps them so tests and bare `go run .` agree.
const (
	keyNamePrefix        = "namePrefix"
	keyGlueWorkers       = "glueWorkers"
	keyGlueMaxWorkers    = "glueMaxWorkers"
	keyGlueTimeout       = "glueTimeoutMinutes"
	keyFeedURL           = "feedUrl"
	keySystems           = "systems"
	keyIngestConcurrency = "ingestConcurrency"
	keyNotificationEmail = "notificationEmail"
	keyRemovalPolicy     = "removalPolicy"
	keyLogRetentionDays  = "logRetentionDays"
	keyLambdaArch        = "lambdaArchitecture"
)

// DefaultConfig is the configuration when no context is given.
var DefaultConfig = Config{
	NamePrefix:         "velib",
	GlueWorkers:        2,
	GlueMaxWorkers:     24,
	GlueTimeoutMinutes: 60,
	Systems:            []layout.System{{ID: layout.DefaultSystem, URL: velibFeedURL}},
	IngestConcurrency:  4,
	LogRetentionDays:   30,
	Schedules:          defaultSchedules(),
	SchedulesEnabled:   true,
	SilenceMinutes:     60,
	LambdaArchitecture: "arm64",
	EventRuns:          defaultEventRuns(),
}

// velibFeedURL is Vélib' Métropole's GBFS folder.
const velibFeedURL = "https://velib-metropole-opendata.smovengo.cloud/opendata/Velib_Metropole/"

// namePrefixPattern keeps derived names valid everywhere they are used:
// Glue job, state machine and SNS topic names, and (with '-' turned into
// '_') Glue database names, which Athena wants lower case.
var namePrefixPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)

// retentions maps the day counts CloudWatch Logs accepts to CDK's names.
var retentions = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
	7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS, 120: awslogs.RetentionDays_FOUR_MONTHS,
	150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS, 731: awslogs.RetentionDays_TWO_YEARS,
	1096: awslogs.RetentionDays_THREE_YEARS, 1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
	2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS, 3288: awslogs.RetentionDays_NINE_YEARS,
	3653: awslogs.RetentionDays_TEN_YEARS,
}

// lambdaArchitectures maps the architectures Lambda runs to CDK's values.
var lambdaArchitectures = map[string]awslambda.Architecture{
	"arm64": awslambda.Architecture_ARM_64(), "x86_64": awslambda.Architecture_X86_64(),
}

// Architecture is LambdaArchitecture as CDK's value.
func (c Config) Architecture() awslambda.Architecture {
	return lambdaArchitectures[c.LambdaArchitecture]
}

// LogRetention is LogRetentionDays as CDK's enumeration.
func (c Config) LogRetention() awslogs.RetentionDays { return retentions[c.LogRetentionDays] }

// ConfigFromContext reads the configuration through get, which returns a
// context value or nil (construct Node.TryGetContext). Values from cdk.json
// arrive as JSON types and values from `-c` as strings; both are accepted.
// Every invalid key is reported, each by name.
func ConfigFromContext(get func(key string) any) (Config, error) {
	c := DefaultConfig
	r := contextReader{get: get}
	r.str(keyNamePrefix, &c.NamePrefix)
	if !namePrefixPattern.MatchString(c.NamePrefix) {
		r.fail("context %q must be 1-20 characters of lower-case letters, digits and '-', starting with a letter; got %q", keyNamePrefix, c.NamePrefix)
	}
	// G.1X jobs need at least 2 workers; the cap guards against a typo
	// that would run up a large bill.
	r.num(keyGlueWorkers, &c.GlueWorkers, 2, 100)
	// Without its own cap, a deployment with more workers keeps them for
	// ranges too.
	if get(keyGlueMaxWorkers) == nil {
		c.GlueMaxWorkers = max(c.GlueMaxWorkers, c.GlueWorkers)
	}
	r.num(keyGlueMaxWorkers, &c.GlueMaxWorkers, 2, 100)
	if c.GlueMaxWorkers < c.GlueWorkers {
		r.fail("context %q (%d) must not be less than %q (%d)", keyGlueMaxWorkers, c.GlueMaxWorkers, keyGlueWorkers, c.GlueWorkers)
	}
	// Glue allows up to 7 days; two days is already far beyond a daily run.
	r.num(keyGlueTimeout, &c.GlueTimeoutMinutes, 1, 2880)
	r.systems(&c.Systems)
	// Beyond 40, Step Functions runs an inline Map's iterations no
	// faster; one at a time is the floor.
	r.num(keyIngestConcurrency, &c.IngestConcurrency, 1, 40)
	r.str(keyNotificationEmail, &c.NotificationEmail)
	if c.NotificationEmail != "" {
		if a, err := mail.ParseAddress(c.NotificationEmail); err != nil || a.Address != c.NotificationEmail {
			r.fail("context %q must be a plain e-mail address, got %q", keyNotificationEmail, c.NotificationEmail)
		}
	}
	policy := "retain"
	r.str(keyRemovalPolicy, &policy)
	switch strings.ToLower(policy) {
	case "retain":
	case "destroy":
		c.Destroy = true
	default:
		r.fail("context %q must be \"retain\" or \"destroy\", got %q", keyRemovalPolicy, policy)
	}
	r.num(keyLogRetentionDays, &c.LogRetentionDays, 1, 3653)
	if _, ok := retentions[c.LogRetentionDays]; !ok {
		r.fail("context %q must be one of %v, got %d", keyLogRetentionDays, slices.Sorted(maps.Keys(retentions)), c.LogRetentionDays)
	}
	r.schedules(keySchedules, &c.Schedules)
	r.boolean(keySchedulesEnabled, &c.SchedulesEnabled)
	// At least the default ingest's interval; at most CloudWatch's
	// longest alarm period.
	r.num(keySilenceMinutes, &c.SilenceMinutes, 15, 1440)
	r.eventRuns(keyEventRuns, &c.EventRuns)
	r.str(keyLambdaArch, &c.LambdaArchitecture)
	if _, ok := lambdaArchitectures[c.LambdaArchitecture]; !ok {
		r.fail("context %q must be \"arm64\" or \"x86_64\", got %q", keyLambdaArch, c.LambdaArchitecture)
	}
	return c, errors.Join(r.errs...)
}

// contextReader reads typed context values and collects every problem, so
// a user sees all of them at once.
type contextReader struct {
	get  func(key string) any
	errs []error
}

func (r *contextReader) fail(format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf(format, args...))
}

// str sets *dst to the string at key, if any.
func (r *contextReader) str(key string, dst *string) {
	switch v := r.get(key).(type) {
	case nil:
	case string:
		*dst = strings.TrimSpace(v)
	default:
		r.fail("context %q must be a string, got %v", key, v)
	}
}

// num sets *dst to the whole number at key, if any, between lo and hi.
func (r *contextReader) num(key string, dst *int, lo, hi int) {
	var n int
	switch v := r.get(key).(type) {
	case nil:
		return
	case float64:
		if v != float64(int(v)) {
			r.fail("context %q must be a whole number, got %v", key, v)
			return
		}
		n = int(v)
	case string:
		var err error
		if n, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
			r.fail("context %q must be a whole number, got %q", key, v)
			return
		}
	default:
		r.fail("context %q must be a whole number, got %v", key, v)
		return
	}
	if n < lo || n > hi {
		r.fail("context %q must be between %d and %d, got %d", key, lo, hi, n)
		return
	}
	*dst = n
}
