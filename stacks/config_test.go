package stacks

import (
	"reflect"
	"strings"
	"testing"

	"github.com/partialruns/velib-pipeline/constructs/schedule"
	"github.com/partialruns/velib-pipeline/internal/cdktest"
	"github.com/partialruns/velib-pipeline/internal/layout"
)

func TestConfigFromContext(t *testing.T) {
	tests := []struct {
		name    string
		ctx     map[string]any
		check   func(t *testing.T, c Config)
		wantErr []string
	}{
		{name: "no context gives the defaults", ctx: nil, check: func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c, DefaultConfig) {
				t.Errorf("got %+v, want %+v", c, DefaultConfig)
			}
		}},
		{name: "cdk.json types", ctx: map[string]any{
			"namePrefix": "bikes-dev", "glueWorkers": float64(10), "glueTimeoutMinutes": float64(30),
			"feedUrl": "https://gbfs.example.org/gbfs/en/", "notificationEmail": "ops@example.org",
			"removalPolicy": "destroy", "logRetentionDays": float64(7),
		}, check: func(t *testing.T, c Config) {
			want := Config{NamePrefix: "bikes-dev", GlueWorkers: 10, GlueMaxWorkers: 24, GlueTimeoutMinutes: 30,
				Systems: []layout.System{{ID: "velib", URL: "https://gbfs.example.org/gbfs/en/"}}, IngestConcurrency: 4, NotificationEmail: "ops@example.org", Destroy: true, LogRetentionDays: 7,
				Schedules: DefaultConfig.Schedules, SchedulesEnabled: true, SilenceMinutes: 60, LambdaArchitecture: "arm64", EventRuns: DefaultConfig.EventRuns}
			if !reflect.DeepEqual(c, want) {
				t.Errorf("got %+v, want %+v", c, want)
			}
		}},
		{name: "-c strings", ctx: map[string]any{"glueWorkers": "5", "removalPolicy": "RETAIN", "logRetentionDays": " 90 "},
			check: func(t *testing.T, c Config) {
				if c.GlueWorkers != 5 || c.Destroy || c.LogRetentionDays != 90 {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "more workers than the default cap raise it", ctx: map[string]any{"glueWorkers": float64(40)}, check: func(t *testing.T, c Config) {
			if c.GlueWorkers != 40 || c.GlueMaxWorkers != 40 {
				t.Errorf("workers %d, cap %d; want 40 and 40", c.GlueWorkers, c.GlueMaxWorkers)
			}
		}},
		{name: "a cap of its own", ctx: map[string]any{"glueWorkers": "4", "glueMaxWorkers": "8"}, check: func(t *testing.T, c Config) {
			if c.GlueWorkers != 4 || c.GlueMaxWorkers != 8 {
				t.Errorf("workers %d, cap %d; want 4 and 8", c.GlueWorkers, c.GlueMaxWorkers)
			}
		}},
		{name: "systems from cdk.json", ctx: map[string]any{"ingestConcurrency": float64(2), "systems": []any{
			map[string]any{"id": "velib", "url": "https://velib.example.org/"},
			map[string]any{"id": "citybikes-oslo", "url": "https://oslo.example.org/gbfs.json", "language": "nb"},
		}}, check: func(t *testing.T, c Config) {
			want := []layout.System{{ID: "velib", URL: "https://velib.example.org/"}, {ID: "citybikes-oslo", URL: "https://oslo.example.org/gbfs.json", Language: "nb"}}
			if !reflect.DeepEqual(c.Systems, want) || c.IngestConcurrency != 2 {
				t.Errorf("systems %+v, concurrency %d", c.Systems, c.IngestConcurrency)
			}
		}},
		{name: "systems from -c", ctx: map[string]any{"systems": `[{"id": "a", "url": "https://a.example.org/"}]`}, check: func(t *testing.T, c Config) {
			if len(c.Systems) != 1 || c.Systems[0].ID != "a" {
				t.Errorf("systems %+v", c.Systems)
			}
		}},
		{name: "empty email means none", ctx: map[string]any{"notificationEmail": ""}, check: func(t *testing.T, c Config) {
			if c.NotificationEmail != "" {
				t.Errorf("email = %q", c.NotificationEmail)
			}
		}},
		{name: "systems and feedUrl", ctx: map[string]any{"feedUrl": "https://a.example.org/", "systems": []any{map[string]any{"id": "a", "url": "https://a.example.org/"}}},
			wantErr: []string{`context "systems" and "feedUrl" are both set`}},
		{name: "no systems", ctx: map[string]any{"systems": []any{}}, wantErr: []string{`context "systems" must be a list of 1 to 100 systems`}},
		{name: "systems not JSON", ctx: map[string]any{"systems": "[{"}, wantErr: []string{`context "systems" must be a JSON list of systems`}},
		{name: "a bad system", ctx: map[string]any{"systems": []any{
			map[string]any{"id": "Velib", "url": "https://a.example.org/"},
			map[string]any{"id": "b", "url": "http://b.example.org/", "language": "not a tag", "colour": "red"},
			map[string]any{"id": "b", "url": "https://b.example.org/"},
			"c",
		}}, wantErr: []string{
			`entry 1: id must be 1-32 characters of lower-case letters`,
			`context "systems": system "b": url must be an https:// URL (http:// on loopback only), got "http://b.example.org/"`,
			`context "systems": system "b": language must be a language tag`,
			`entry 2 has unknown field "colour"`,
			`id "b" is listed twice`,
			`entry 4 must be an object`,
		}},
		{name: "ingest concurrency", ctx: map[string]any{"ingestConcurrency": float64(0)}, wantErr: []string{`"ingestConcurrency" must be between 1 and 40, got 0`}},
		{name: "bad prefix", ctx: map[string]any{"namePrefix": "Velib_Prod"}, wantErr: []string{`"namePrefix"`, `"Velib_Prod"`}},
		{name: "one worker", ctx: map[string]any{"glueWorkers": float64(1)}, wantErr: []string{`"glueWorkers" must be between 2 and 100, got 1`}},
		{name: "a cap below the workers", ctx: map[string]any{"glueWorkers": float64(10), "glueMaxWorkers": float64(4)},
			wantErr: []string{`"glueMaxWorkers" (4) must not be less than "glueWorkers" (10)`}},
		{name: "a cap out of range", ctx: map[string]any{"glueMaxWorkers": float64(101)}, wantErr: []string{`"glueMaxWorkers" must be between 2 and 100, got 101`}},
		{name: "fractional workers", ctx: map[string]any{"glueWorkers": 2.5}, wantErr: []string{`"glueWorkers" must be a whole number, got 2.5`}},
		{name: "workers not a number", ctx: map[string]any{"glueWorkers": "two"}, wantErr: []string{`"glueWorkers" must be a whole number, got "two"`}},
		{name: "workers of the wrong type", ctx: map[string]any{"glueWorkers": true}, wantErr: []string{`"glueWorkers" must be a whole number`}},
		{name: "timeout too long", ctx: map[string]any{"glueTimeoutMinutes": float64(5000)}, wantErr: []string{`"glueTimeoutMinutes" must be between 1 and 2880`}},
		{name: "feed not a URL", ctx: map[string]any{"feedUrl": "velib"}, wantErr: []string{`"feedUrl" must be an https:// URL (http:// on loopback only), got "velib"`}},
		{name: "feed over plain HTTP", ctx: map[string]any{"feedUrl": "http://gbfs.example.org/"}, wantErr: []string{`"feedUrl" must be an https:// URL (http:// on loopback only), got "http://gbfs.example.org/"`}},
		{name: "plain HTTP on a loopback name", ctx: map[string]any{"feedUrl": "http://localhost.example.org/"}, wantErr: []string{`"feedUrl" must be an https:// URL (http:// on loopback only)`}},
		{name: "plain HTTP on loopback", ctx: map[string]any{"systems": []any{
			map[string]any{"id": "a", "url": "http://127.0.0.1:8080/"}, map[string]any{"id": "b", "url": "http://[::1]:9/"}, map[string]any{"id": "c", "url": "http://localhost/"},
		}}, check: func(t *testing.T, c Config) {
			if len(c.Systems) != 3 {
				t.Errorf("systems = %v, want all three", c.Systems)
			}
		}},
		{name: "x86_64 function", ctx: map[string]any{"lambdaArchitecture": "x86_64"}, check: func(t *testing.T, c Config) {
			if *c.Architecture().Name() != "x86_64" {
				t.Errorf("architecture = %s, want x86_64", *c.Architecture().Name())
			}
		}},
		{name: "unknown architecture", ctx: map[string]any{"lambdaArchitecture": "amd64"}, wantErr: []string{`"lambdaArchitecture" must be "arm64" or "x86_64", got "amd64"`}},
		{name: "feed with another scheme", ctx: map[string]any{"feedUrl": "ftp://example.org/"}, wantErr: []string{`"feedUrl"`}},
		{name: "bad email", ctx: map[string]any{"notificationEmail": "ops at example"}, wantErr: []string{`"notificationEmail" must be a plain e-mail address`}},
		{name: "email with a display name", ctx: map[string]any{"notificationEmail": "Ops <ops@example.org>"}, wantErr: []string{`"notificationEmail"`}},
		{name: "unknown removal policy", ctx: map[string]any{"removalPolicy": "snapshot"}, wantErr: []string{`"removalPolicy" must be "retain" or "destroy", got "snapshot"`}},
		{name: "retention CloudWatch refuses", ctx: map[string]any{"logRetentionDays": float64(10)}, wantErr: []string{`"logRetentionDays" must be one of [1 3 5 7 14 30`}},
		{name: "string where a string is expected", ctx: map[string]any{"namePrefix": float64(3)}, wantErr: []string{`"namePrefix" must be a string, got 3`}},
		{name: "schedules from cdk.json, in name order", ctx: map[string]any{"schedules": map[string]any{
			"weekly": map[string]any{"expression": "cron(0 6 ? * MON *)", "timeZone": "Europe/Paris", "input": map[string]any{"lambda_load_data": false}},
			"hourly": map[string]any{"expression": "rate(1 hour)", "input": map[string]any{}},
		}}, check: func(t *testing.T, c Config) {
			want := []schedule.Spec{
				{Name: "hourly", Expression: "rate(1 hour)", Input: map[string]any{}},
				{Name: "weekly", Expression: "cron(0 6 ? * MON *)", TimeZone: "Europe/Paris", Input: map[string]any{"lambda_load_data": false}},
			}
			if !reflect.DeepEqual(c.Schedules, want) || !c.SchedulesEnabled {
				t.Errorf("got %+v, enabled %v", c.Schedules, c.SchedulesEnabled)
			}
		}},
		{name: "-c schedules as JSON text, turned off", ctx: map[string]any{"schedules": `{"s": {"expression": "rate(2 days)", "input": {}}}`, "schedulesEnabled": "false"},
			check: func(t *testing.T, c Config) {
				if len(c.Schedules) != 1 || c.Schedules[0].Expression != "rate(2 days)" || c.SchedulesEnabled {
					t.Errorf("got %+v, enabled %v", c.Schedules, c.SchedulesEnabled)
				}
			}},
		{name: "no schedules", ctx: map[string]any{"schedules": map[string]any{}}, check: func(t *testing.T, c Config) {
			if len(c.Schedules) != 0 {
				t.Errorf("got %+v", c.Schedules)
			}
		}},
		{name: "schedules not an object", ctx: map[string]any{"schedules": []any{}}, wantErr: []string{`"schedules" must be an object`}},
		{name: "schedules not JSON", ctx: map[string]any{"schedules": "{daily"}, wantErr: []string{`"schedules" must be a JSON object of schedules`}},
		{name: "a schedule not an object", ctx: map[string]any{"schedules": map[string]any{"d": "rate(1 day)"}}, wantErr: []string{`schedule "d" must be an object`}},
		{name: "a schedule's unknown field", ctx: map[string]any{"schedules": map[string]any{"d": map[string]any{"expression": "rate(1 day)", "input": map[string]any{}, "timezone": "UTC"}}},
			wantErr: []string{`schedule "d" has unknown field "timezone" (known: expression, timeZone, input, quiet)`}},
		{name: "quiet not a boolean", ctx: map[string]any{"schedules": map[string]any{"d": map[string]any{"expression": "rate(1 day)", "input": map[string]any{}, "quiet": "yes"}}},
			wantErr: []string{`schedule "d": quiet must be true or false, got yes`}},
		{name: "a schedule without expression or input", ctx: map[string]any{"schedules": map[string]any{"d": map[string]any{}}},
			wantErr: []string{`schedule "d" needs an expression`, `schedule "d" needs an input object`}},
		{name: "a time zone of the wrong type", ctx: map[string]any{"schedules": map[string]any{"d": map[string]any{"expression": "rate(1 day)", "input": map[string]any{}, "timeZone": 1.0}}},
			wantErr: []string{`schedule "d": timeZone must be a string, got 1`}},
		{name: "silence shorter than the ingest's interval", ctx: map[string]any{"silenceMinutes": float64(5)}, wantErr: []string{`"silenceMinutes" must be between 15 and 1440, got 5`}},
		{name: "schedulesEnabled not a boolean", ctx: map[string]any{"schedulesEnabled": "no"}, wantErr: []string{`"schedulesEnabled" must be true or false, got "no"`}},
		{name: "event runs from cdk.json, fields left out keep their defaults", ctx: map[string]any{"eventRuns": map[string]any{"enabled": true, "quietMinutes": float64(10)}},
			check: func(t *testing.T, c Config) {
				if want := (EventRuns{Enabled: true, Prefix: "arrivals/", QuietMinutes: 10}); c.EventRuns != want {
					t.Errorf("got %+v, want %+v", c.EventRuns, want)
				}
			}},
		{name: "event runs from -c", ctx: map[string]any{"eventRuns": `{"enabled": "true", "prefix": "partners/drop/", "quietMinutes": "1"}`},
			check: func(t *testing.T, c Config) {
				if want := (EventRuns{Enabled: true, Prefix: "partners/drop/", QuietMinutes: 1}); c.EventRuns != want {
					t.Errorf("got %+v, want %+v", c.EventRuns, want)
				}
			}},
		{name: "event runs not an object", ctx: map[string]any{"eventRuns": true}, wantErr: []string{`context "eventRuns" must be an object {enabled, prefix, quietMinutes}, got true`}},
		{name: "event runs not JSON", ctx: map[string]any{"eventRuns": "{enabled"}, wantErr: []string{`context "eventRuns" must be a JSON object`}},
		{name: "event runs' every bad field", ctx: map[string]any{"eventRuns": map[string]any{"enabled": "maybe", "quietMinutes": float64(0), "window": 5.0}},
			wantErr: []string{`"eventRuns" has unknown field "window" (known: enabled, prefix, quietMinutes)`, `"eventRuns.enabled" must be true or false, got "maybe"`, `"eventRuns.quietMinutes" must be between 1 and 60, got 0`}},
		{name: "event runs under raw/", ctx: map[string]any{"eventRuns": map[string]any{"prefix": "raw/partners/"}},
			wantErr: []string{`prefix "raw/partners/" overlaps the pipeline's own "raw/"`}},
		{name: "event runs above the tables", ctx: map[string]any{"eventRuns": map[string]any{"prefix": "gold/"}},
			wantErr: []string{`prefix "gold/" overlaps the pipeline's own "gold/"`}},
		{name: "event runs' prefix without its slash, or encoded by S3", ctx: map[string]any{"eventRuns": map[string]any{"prefix": "Drop Zone"}},
			wantErr: []string{`prefix must be 1 to 4 folders of lower-case letters, digits, '-' and '_', each ending in '/', e.g. "arrivals/"; got "Drop Zone"`}},
		{name: "every error is reported", ctx: map[string]any{"glueWorkers": float64(0), "removalPolicy": "x"},
			wantErr: []string{`"glueWorkers"`, `"removalPolicy"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ConfigFromContext(func(key string) any { return tc.ctx[key] })
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error, want one mentioning %v", tc.wantErr)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

// TestCdkJSONTurnsOffTelemetry keeps a direct `cdk synth` (not only make
// synth, which sets CDK_DISABLE_CLI_TELEMETRY) from sending CLI telemetry:
// the CLI reads "cli-telemetry": false from cdk.json's context.
func TestCdkJSONTurnsOffTelemetry(t *testing.T) {
	cdk := struct{ Context map[string]any }{cdkJSONContext(t)}
	if v, ok := cdk.Context["cli-telemetry"]; !ok || v != false {
		t.Errorf(`cdk.json context "cli-telemetry" = %v, want false`, v)
	}
}

// TestCdkJSONDefaults: cdk.json shows a user the defaults the code has.
func TestCdkJSONDefaults(t *testing.T) {
	cdk := struct{ Context map[string]any }{cdkJSONContext(t)}
	c, err := ConfigFromContext(func(key string) any { return cdk.Context[key] })
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, DefaultConfig) {
		t.Errorf("cdk.json gives %+v, the code %+v", c, DefaultConfig)
	}
}

// cdkJSONContext is the context section of the project's cdk.json.
func cdkJSONContext(t *testing.T) map[string]any {
	t.Helper()
	ctx, err := cdktest.CDKJSONContext()
	if err != nil {
		t.Fatal(err)
	}
	return ctx
}
