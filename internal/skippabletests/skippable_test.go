package skippabletests

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/partialruns/velib-pipeline/constructs/skippable"
	"github.com/partialruns/velib-pipeline/constructs/skippable/contract"
	"github.com/partialruns/velib-pipeline/constructs/skippable/parallel"
	"github.com/partialruns/velib-pipeline/constructs/skippable/render"
	"github.com/partialruns/velib-pipeline/constructs/skippable/validation"
	"github.com/partialruns/velib-pipeline/internal/cdktest"
)

// guardRules are the rules every guard must render, in this order: the
// absent rule first, so the BooleanEquals rule never reads a missing path.
func guardRules(flag, target string) []any {
	return []any{
		map[string]any{"Variable": contract.FlagPath(flag), "IsPresent": false, "Next": target, "Comment": "flag absent: run"},
		map[string]any{"Variable": contract.FlagPath(flag), "BooleanEquals": true, "Next": target, "Comment": "flag true: run"},
	}
}

func TestGuardShapes(t *testing.T) {
	tests := []struct {
		name  string
		build func(stack awscdk.Stack) sfn.IChainable
		// guard and body start state, and where the skip path leads.
		flag, body, skipTo string
		// extra checks on the rendered states.
		check func(t *testing.T, def asl)
	}{
		{
			name: "task mid-chain: skip goes straight to the next state",
			build: func(s awscdk.Stack) sfn.IChainable {
				g := skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "load", Body: pass(s, "Load"), Unvalidated: true})
				return g.Next(pass(s, "After"))
			},
			flag: "load", body: "Load", skipTo: "After",
			check: func(t *testing.T, def asl) {
				if def.StartAt != "Run load?" {
					t.Errorf("StartAt = %q, want the guard", def.StartAt)
				}
				if got := def.States["Load"]["Next"]; got != "Ran load" {
					t.Errorf("Load.Next = %v, want the Pass that records it", got)
				}
				if got := def.States["Ran load"]["Next"]; got != "After" {
					t.Errorf("Ran load.Next = %v, want After", got)
				}
				want := map[string]any{"Type": "Pass", "Comment": `"load" ran: record it under runs.`,
					"Result": map[string]any{"status": "ran"}, "ResultPath": "$.runs.load", "Next": "After"}
				if got := def.States["Ran load"]; !reflect.DeepEqual(got, want) {
					t.Errorf("Ran load = %v, want %v", got, want)
				}
			},
		},
		{
			name: "chain body: every end of the chain continues to the next state",
			build: func(s awscdk.Stack) sfn.IChainable {
				body := sfn.Chain_Start(pass(s, "One")).Next(pass(s, "Two"))
				g := skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "pair", Body: body, Unvalidated: true})
				return g.Next(pass(s, "After"))
			},
			flag: "pair", body: "One", skipTo: "After",
			check: func(t *testing.T, def asl) {
				if got := def.States["One"]["Next"]; got != "Two" {
					t.Errorf("One.Next = %v, want Two", got)
				}
				if got := def.States["Two"]["Next"]; got != "Ran pair" {
					t.Errorf("Two.Next = %v, want Ran pair", got)
				}
			},
		},
		{
			name: "parallel body",
			build: func(s awscdk.Stack) sfn.IChainable {
				par := sfn.NewParallel(s, jsii.String("Both"), nil).Branch(pass(s, "Left")).Branch(pass(s, "Right"))
				g := skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "both", Body: par, Unvalidated: true})
				return g.Next(pass(s, "After"))
			},
			flag: "both", body: "Both", skipTo: "After",
			check: func(t *testing.T, def asl) {
				if got := def.States["Both"]["Next"]; got != "Ran both" {
					t.Errorf("Both.Next = %v, want Ran both", got)
				}
			},
		},
		{
			name: "guards in sequence: each skip path leads to the next guard",
			build: func(s awscdk.Stack) sfn.IChainable {
				a := skippable.New(s, jsii.String("A"), &skippable.Props{Flag: "a", Body: pass(s, "TaskA"), Unvalidated: true})
				b := skippable.New(s, jsii.String("B"), &skippable.Props{Flag: "b", Body: pass(s, "TaskB"), Unvalidated: true})
				return a.Next(b).Next(pass(s, "Done"))
			},
			flag: "a", body: "TaskA", skipTo: "Run b?",
			check: func(t *testing.T, def asl) {
				if got := def.States["Run b?"]["Default"]; got != "Done" {
					t.Errorf("Run b?.Default = %v, want Done", got)
				}
				if got := def.States["Ran a"]["Next"]; got != "Run b?" {
					t.Errorf("Ran a.Next = %v, want Run b?", got)
				}
			},
		},
		{
			name: "last in a parallel branch: skip ends in a Pass that records the skip",
			build: func(s awscdk.Stack) sfn.IChainable {
				g := skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "gold", Body: pass(s, "Gold"), Unvalidated: true})
				return sfn.NewParallel(s, jsii.String("Stage"), nil).Branch(g.End())
			},
			check: func(t *testing.T, def asl) {
				branch := def.States["Stage"]["Branches"].([]any)[0].(map[string]any)
				states := branch["States"].(map[string]any)
				guard := states["Run gold?"].(map[string]any)
				if !reflect.DeepEqual(guard["Choices"], guardRules("gold", "Gold")) {
					t.Errorf("branch guard rules = %v", guard["Choices"])
				}
				if guard["Default"] != "Skip gold" {
					t.Errorf("branch guard Default = %v, want Skip gold", guard["Default"])
				}
				skip := states["Skip gold"].(map[string]any)
				want := map[string]any{"status": "skipped"}
				if skip["Type"] != "Pass" || skip["End"] != true || !reflect.DeepEqual(skip["Result"], want) || skip["ResultPath"] != "$.runs.gold" {
					t.Errorf("Skip gold = %v", skip)
				}
				if ran := states["Ran gold"].(map[string]any); ran["End"] != true {
					t.Errorf("Ran gold = %v, want it to end the branch", ran)
				}
			},
		},
		{
			name: "End then Next: both the body and the skip Pass continue",
			build: func(s awscdk.Stack) sfn.IChainable {
				g := skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "x", Body: pass(s, "X"), Unvalidated: true})
				return g.End().Next(pass(s, "After"))
			},
			flag: "x", body: "X", skipTo: "Skip x",
			check: func(t *testing.T, def asl) {
				if got := def.States["Skip x"]["Next"]; got != "After" {
					t.Errorf("Skip x.Next = %v, want After", got)
				}
				if got := def.States["Ran x"]["Next"]; got != "After" {
					t.Errorf("Ran x.Next = %v, want After", got)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := synthASL(t, tc.build)
			if tc.flag != "" {
				guard := def.States[contract.GuardName(tc.flag)]
				if guard["Type"] != "Choice" {
					t.Fatalf("guard %q missing or not a Choice: %v", contract.GuardName(tc.flag), guard)
				}
				if !reflect.DeepEqual(guard["Choices"], guardRules(tc.flag, tc.body)) {
					t.Errorf("rules = %v, want %v", guard["Choices"], guardRules(tc.flag, tc.body))
				}
				if guard["Default"] != tc.skipTo {
					t.Errorf("Default (skip path) = %v, want %v", guard["Default"], tc.skipTo)
				}
			}
			tc.check(t, def)
		})
	}
}

func TestSynthErrors(t *testing.T) {
	tests := []struct {
		name  string
		build func(s awscdk.Stack) sfn.IChainable
		want  []string
	}{
		{"empty flag", guardWithFlag(""), []string{"empty flag name (guard Test/G)"}},
		{"space in flag", guardWithFlag("load data"), []string{`flag "load data" is not valid`}},
		{"leading digit", guardWithFlag("1load"), []string{`flag "1load" is not valid`}},
		{"dash", guardWithFlag("load-data"), []string{`skippable: flag "load-data" is not valid: use a letter followed by letters, digits or underscores (guard Test/G)`}},
		{"dot, which would change the JSONPath", guardWithFlag("load.data"), []string{`flag "load.data" is not valid`}},
		{"too long for a state name", guardWithFlag(strings.Repeat("f", 76)), []string{"76 characters", "limit is 75"}},
		{"reserved Comment", guardWithFlag("Comment"), []string{`flag "Comment" is reserved`}},
		{
			name: "a flag named like a declared parameter",
			build: func(s awscdk.Stack) sfn.IChainable {
				return validation.New(s, jsii.String("V"), dated).Next(guardWithFlag("process_date")(s))
			},
			want: []string{`skippable: flag "process_date" is reserved: the state machine declares it as an input parameter (guard Test/G)`},
		},
		{"reserved runs", guardWithFlag("runs"), []string{`flag "runs" is reserved`}},
		{
			name: "a flag used twice in one state machine",
			build: func(s awscdk.Stack) sfn.IChainable {
				a := skippable.New(s, jsii.String("A"), &skippable.Props{Flag: "load", Body: pass(s, "One")})
				b := skippable.New(s, jsii.String("B"), &skippable.Props{Flag: "load", Body: pass(s, "Two")})
				return validation.New(s, jsii.String("V"), nil).Next(a).Next(b.End())
			},
			want: []string{`skippable: flag "load" is guarded twice in one state machine, by Test/A and by Test/B`},
		},
		{
			name: "a guarded body that replaces the state",
			build: validatedBody(func(s awscdk.Stack) sfn.IChainable {
				return sfn.NewPass(s, jsii.String("Compute"), &sfn.PassProps{Result: sfn.Result_FromString(jsii.String("x"))})
			}),
			want: []string{`skippable: flag "load" (guard Test/G): state "Compute" replaces the whole state with its result, and the runs record with it`},
		},
		{
			name: "a guarded body that writes over the record",
			build: validatedBody(func(s awscdk.Stack) sfn.IChainable {
				return sfn.NewPass(s, jsii.String("Compute"), &sfn.PassProps{Result: sfn.Result_FromString(jsii.String("x")), ResultPath: jsii.String("$.runs")})
			}),
			want: []string{`skippable: flag "load" (guard Test/G): state "Compute" writes its result into $.runs, which the guards own`},
		},
		{
			name: "a state that keeps part of the state",
			build: validatedBody(func(s awscdk.Stack) sfn.IChainable {
				return sfn.NewPass(s, jsii.String("Narrow"), &sfn.PassProps{OutputPath: jsii.String("$.load")})
			}),
			want: []string{`skippable: flag "load" (guard Test/G): state "Narrow" keeps only part of the state (OutputPath)`},
		},
		{
			name: "a Parallel that drops its branches' records",
			build: func(s awscdk.Stack) sfn.IChainable {
				g := skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "gold", Body: pass(s, "Gold")})
				par := sfn.NewParallel(s, jsii.String("Stage"), &sfn.ParallelProps{ResultPath: sfn.JsonPath_DISCARD()}).Branch(g.End())
				return validation.New(s, jsii.String("V"), nil).Next(par)
			},
			want: []string{`state "Stage" runs guards in its branches but drops their runs records: build it with the skippable/parallel package`},
		},
		{
			name: "a branch added to a fold Parallel after it was built",
			build: func(s awscdk.Stack) sfn.IChainable {
				g := skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "gold", Body: pass(s, "Gold")})
				par := parallel.New(s, jsii.String("Stage"), &parallel.Props{Branches: []sfn.IChainable{g.End()}})
				par.State().Branch(pass(s, "Extra"))
				return validation.New(s, jsii.String("V"), nil).Next(par)
			},
			want: []string{`state "Stage" runs guards in its branches but drops their runs records`},
		},
		{
			name: "validation with no guard after it",
			build: func(s awscdk.Stack) sfn.IChainable {
				return validation.New(s, jsii.String("V"), nil).Next(pass(s, "X"))
			},
			want: []string{"no flags to validate: no guard can run after the validation"},
		},
		{
			name: "a flag used in two branches of one Parallel",
			build: func(s awscdk.Stack) sfn.IChainable {
				a := skippable.New(s, jsii.String("A"), &skippable.Props{Flag: "load", Body: pass(s, "One")})
				b := skippable.New(s, jsii.String("B"), &skippable.Props{Flag: "load", Body: pass(s, "Two")})
				return validation.New(s, jsii.String("V"), nil).Next(parallel.New(s, jsii.String("P"), &parallel.Props{Branches: []sfn.IChainable{a.End(), b.End()}}))
			},
			want: []string{`skippable: flag "load" is guarded twice in one state machine, by Test/A (branch 1 of P) and by Test/B (branch 2 of P)`},
		},
		{
			name: "a validation's explicit flags that miss a guard and name none",
			build: func(s awscdk.Stack) sfn.IChainable {
				g := skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "load", Body: pass(s, "Load")})
				return validation.New(s, jsii.String("V"), &validation.Props{Flags: []string{"lod"}}).Next(g.End())
			},
			want: []string{`skippable: flag "load" (guard Test/G) can run after the validation but is not in its Props.Flags (lod)`,
				`the validation's Props.Flags lists "lod", which no guard after it reads`},
		},
		{
			name: "a guarded Pass without a result that writes into the record",
			build: validatedBody(func(s awscdk.Stack) sfn.IChainable {
				return sfn.NewPass(s, jsii.String("Copy"), &sfn.PassProps{ResultPath: jsii.String("$.runs.x")})
			}),
			want: []string{`skippable: flag "load" (guard Test/G): state "Copy" writes its result into $.runs, which the guards own`},
		},
		{
			name: "parameters that cannot be declared",
			build: func(s awscdk.Stack) sfn.IChainable {
				g := skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "load", Body: pass(s, "Load")})
				return validation.New(s, jsii.String("V"), &validation.Props{Params: []contract.Param{
					contract.StringParam("a\"b", "quoted"), contract.JSONParam("runs", "x"), contract.StringParam("note", "x"), contract.StringParam("note", "y"),
				}}).Next(g.End())
			},
			want: []string{`skippable: parameter "a\"b" is not valid`},
		},
		{
			name: "a parameter named like a reserved key",
			build: func(s awscdk.Stack) sfn.IChainable {
				g := skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "load", Body: pass(s, "Load")})
				return validation.New(s, jsii.String("V"), &validation.Props{Params: []contract.Param{contract.JSONParam("runs", "x")}}).Next(g.End())
			},
			want: []string{`skippable: parameter "runs" is reserved`},
		},
		{
			name: "a parameter declared twice",
			build: func(s awscdk.Stack) sfn.IChainable {
				g := skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "load", Body: pass(s, "Load")})
				return validation.New(s, jsii.String("V"), &validation.Props{Params: []contract.Param{contract.StringParam("note", "x"), contract.StringParam("note", "y")}}).Next(g.End())
			},
			want: []string{`skippable: parameter "note" is declared twice`},
		},
		{
			name: "a validation with explicit flags chained to nothing",
			build: func(s awscdk.Stack) sfn.IChainable {
				return validation.New(s, jsii.String("V"), &validation.Props{Flags: []string{"load"}})
			},
			want: []string{"the validation leads nowhere"},
		},
		{
			name: "a ResultPath into the record in brackets",
			build: validatedBody(func(s awscdk.Stack) sfn.IChainable {
				return sfn.NewPass(s, jsii.String("Forge"), &sfn.PassProps{Result: sfn.Result_FromString(jsii.String("x")), ResultPath: jsii.String("$['runs']['x']")})
			}),
			want: []string{`skippable: flag "load" (guard Test/G): state "Forge" writes its result into $.runs`},
		},
		{
			name: "a JSONPath guard in a JSONata state machine",
			build: jsonataMachine(func(s awscdk.Stack) sfn.IChainable {
				g := skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "load", Body: sfn.Pass_Jsonata(s, jsii.String("Load"), nil)})
				return validation.New(s, jsii.String("V"), nil).Next(g.End())
			}),
			want: []string{`skippable: flag "load" (guard Test/G): state machine Test/Machine is JSONata, the guard JSONPath, which AWS refuses: set Props.QueryLanguage`},
		},
		{
			name: "guards without a validation",
			build: func(s awscdk.Stack) sfn.IChainable {
				return skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "load", Body: pass(s, "Load")}).End()
			},
			want: []string{`skippable: flag "load" (guard Test/G): state machine Test/Machine starts with "Run load?", not with a validation`},
		},
		{
			name: "a validation after the first guard",
			build: func(s awscdk.Stack) sfn.IChainable {
				first := skippable.New(s, jsii.String("First"), &skippable.Props{Flag: "load", Body: pass(s, "Load")})
				second := skippable.New(s, jsii.String("Second"), &skippable.Props{Flag: "save", Body: pass(s, "Save")})
				v := validation.New(s, jsii.String("V"), nil)
				return first.Next(v).Next(second.End())
			},
			want: []string{`flag "load" (guard Test/First): state machine Test/Machine starts with "Run load?"`, `flag "save" (guard Test/Second)`},
		},
		{
			name: "a JSONata Map whose list of outputs replaces the state",
			build: jsonataMachine(func(s awscdk.Stack) sfn.IChainable {
				m := sfn.Map_Jsonata(s, jsii.String("Each"), &sfn.MapJsonataProps{Items: sfn.ProvideItems_Jsonata(jsii.String("{% [1, 2] %}"))})
				m.ItemProcessor(sfn.Pass_Jsonata(s, jsii.String("Work"), nil), nil)
				g := skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "load", Body: sfn.Pass_Jsonata(s, jsii.String("Load"), nil), QueryLanguage: sfn.QueryLanguage_JSONATA})
				return validation.New(s, jsii.String("V"), nil).Next(g).Next(m)
			}),
			want: []string{`state "Each" replaces the whole state with its result, and the runs record with it: set its Output`},
		},
		{
			name: "a guard in a Distributed Map that does not pass its flag",
			build: func(s awscdk.Stack) sfn.IChainable {
				m := sfn.NewDistributedMap(s, jsii.String("Each"), &sfn.DistributedMapProps{ItemsPath: jsii.String("$.items"), ResultPath: sfn.JsonPath_DISCARD()})
				m.ItemProcessor(skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "save", Body: pass(s, "Save")}).End(), nil)
				return validation.New(s, jsii.String("V"), nil).Next(m)
			},
			want: []string{`state "Each" is a Distributed Map whose child executions would not see the flag(s) "save" (guard Test/G): pass each in the ItemSelector of a JSONata Distributed Map`},
		},
		{
			name: "no body",
			build: func(s awscdk.Stack) sfn.IChainable {
				return skippable.New(s, jsii.String("Empty"), &skippable.Props{Flag: "load"})
			},
			want: []string{`skippable: flag "load" (guard Test/Empty): Props.Body is required`},
		},
		{
			name: "skip path left dangling",
			build: func(s awscdk.Stack) sfn.IChainable {
				return skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "load", Body: pass(s, "Load")})
			},
			want: []string{`skip path of flag "load" leads nowhere`, "call End()"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := synthError(tc.build)
			if msg == "" {
				t.Fatal("synth succeeded, want an error")
			}
			for _, w := range tc.want {
				mustContain(t, msg, w)
			}
		})
	}
}

// jsonataMachine builds the chain in a JSONata state machine.
func jsonataMachine(chain func(s awscdk.Stack) sfn.IChainable) func(s awscdk.Stack) sfn.IChainable {
	return func(s awscdk.Stack) sfn.IChainable {
		c := chain(s)
		sfn.NewStateMachine(s, jsii.String("Machine"), &sfn.StateMachineProps{
			DefinitionBody: sfn.DefinitionBody_FromChainable(c), QueryLanguage: sfn.QueryLanguage_JSONATA,
		})
		return nil
	}
}

// validatedBody is a validation followed by a guard of flag "load" around
// the body build returns.
func validatedBody(build func(s awscdk.Stack) sfn.IChainable) func(s awscdk.Stack) sfn.IChainable {
	return func(s awscdk.Stack) sfn.IChainable {
		g := skippable.New(s, jsii.String("G"), &skippable.Props{Flag: "load", Body: build(s)})
		return validation.New(s, jsii.String("V"), nil).Next(g.End())
	}
}

func guardWithFlag(flag string) func(s awscdk.Stack) sfn.IChainable {
	return func(s awscdk.Stack) sfn.IChainable {
		return skippable.New(s, jsii.String("G"), &skippable.Props{Flag: flag, Body: pass(s, "Body")}).End()
	}
}

func TestValidationFlagsInTreeOrder(t *testing.T) {
	var v *validation.Validation
	def := synthASL(t, func(s awscdk.Stack) sfn.IChainable {
		// The validation comes first and the chain is built back to front:
		// its flags are found when the machine is synthesized.
		v = validation.New(s, jsii.String("Validate"), dated)
		a := skippable.New(s, jsii.String("A"), &skippable.Props{Flag: "ingest", Body: pass(s, "Ingest")})
		b := skippable.New(s, jsii.String("B"), &skippable.Props{Flag: "refine", Body: pass(s, "Refine")})
		c := skippable.New(s, jsii.String("C"), &skippable.Props{Flag: "publish", Body: pass(s, "Publish")})
		tail := b.Next(c.End())
		return v.Next(a.Next(tail))
	})
	if got, want := v.Flags(), []string{"ingest", "refine", "publish"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Flags = %v, want %v", got, want)
	}
	mustContain(t, def.States[contract.InvalidName]["Cause"].(string), `["ingest","refine","publish"]`)
}

// TestTwoMachinesInOneStack shows that flags belong to a state machine: two
// machines in one stack reuse the flag "load", and each validation accepts
// its own flags and rejects the other's.
func TestTwoMachinesInOneStack(t *testing.T) {
	stack := awscdk.NewStack(cdktest.NewApp(nil), jsii.String("Test"), nil)
	machine := func(id, other string) *validation.Validation {
		scope := constructs.NewConstruct(stack, jsii.String(id))
		v := validation.New(scope, jsii.String("Validate"), nil)
		load := skippable.New(scope, jsii.String("Load"), &skippable.Props{Flag: "load", Body: pass(scope, "Fetch")})
		own := skippable.New(scope, jsii.String("Own"), &skippable.Props{Flag: other, Body: pass(scope, "Work")})
		sfn.NewStateMachine(scope, jsii.String("Machine"), &sfn.StateMachineProps{
			DefinitionBody: sfn.DefinitionBody_FromChainable(v.Next(load).Next(own.End())),
		})
		return v
	}
	first, second := machine("First", "publish"), machine("Second", "archive")
	var defs []asl
	if msg := cdktest.Catch(func() {
		machines := assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::StepFunctions::StateMachine"), nil)
		for _, id := range []string{"FirstMachine", "SecondMachine"} {
			for logical, m := range *machines {
				if strings.HasPrefix(logical, id) {
					var def asl
					raw := (*m)["Properties"].(map[string]any)["DefinitionString"].(string)
					lintJSONata(t, []byte(raw))
					if err := json.Unmarshal([]byte(raw), &def); err != nil {
						t.Fatal(err)
					}
					defs = append(defs, def)
				}
			}
		}
	}); msg != "" {
		t.Fatalf("synth failed: %s", msg)
	}
	if got := first.Flags(); !reflect.DeepEqual(got, []string{"load", "publish"}) {
		t.Errorf("first machine's flags = %v", got)
	}
	if got := second.Flags(); !reflect.DeepEqual(got, []string{"load", "archive"}) {
		t.Errorf("second machine's flags = %v", got)
	}
	if len(defs) != 2 {
		t.Fatalf("found %d state machines, want 2", len(defs))
	}
	mustContain(t, defs[0].States[contract.InvalidName]["Cause"].(string), `$flags := ["load","publish"]`)
	mustContain(t, defs[1].States[contract.InvalidName]["Cause"].(string), `$flags := ["load","archive"]`)
}

// TestRecogniserRoundTrip renders guards of every shape and reads them back
// with render.Recognise, the recogniser partialrun and make local use:
// each guard is found with its flag, body and skip path, and nothing else
// is taken for a guard, so a change to how guards render cannot drift from
// how they are read.
func TestRecogniserRoundTrip(t *testing.T) {
	def := synthASL(t, func(s awscdk.Stack) sfn.IChainable {
		load := skippable.New(s, jsii.String("Load"), &skippable.Props{Flag: "load", Body: pass(s, "Fetch")})
		refine := skippable.New(s, jsii.String("Refine"), &skippable.Props{Flag: "refine",
			Body: sfn.Chain_Start(pass(s, "Clean")).Next(pass(s, "Dedupe"))})
		left := skippable.New(s, jsii.String("Left"), &skippable.Props{Flag: "left", Body: pass(s, "Build left")})
		right := skippable.New(s, jsii.String("Right"), &skippable.Props{Flag: "right", Body: pass(s, "Build right")})
		par := parallel.New(s, jsii.String("Both"), &parallel.Props{Branches: []sfn.IChainable{left.End(), right.End()}})
		publish := skippable.New(s, jsii.String("Publish"), &skippable.Props{Flag: "publish", Body: par})
		v := validation.New(s, jsii.String("Validate"), dated)
		return v.Next(load).Next(refine).Next(publish).Next(pass(s, "Done"))
	})
	want := map[string]render.Guard{
		"load":    {Flag: "load", Task: "Fetch", Skip: contract.GuardName("refine")},
		"refine":  {Flag: "refine", Task: "Clean", Skip: contract.GuardName("publish")},
		"publish": {Flag: "publish", Task: "Both", Skip: "Done"},
		"left":    {Flag: "left", Task: "Build left", Skip: contract.SkipName("left")},
		"right":   {Flag: "right", Task: "Build right", Skip: contract.SkipName("right")},
	}
	found := map[string]render.Guard{}
	var visit func(states map[string]map[string]any)
	visit = func(states map[string]map[string]any) {
		for name, st := range states {
			if g, ok := render.Recognise(st); ok {
				if name != contract.GuardName(g.Flag) {
					t.Errorf("state %q recognised as the guard of %q, whose name is %q", name, g.Flag, contract.GuardName(g.Flag))
				}
				found[g.Flag] = g
			}
			for _, g := range render.NestedGraphs(st) {
				var branch asl
				raw, _ := json.Marshal(g)
				if err := json.Unmarshal(raw, &branch); err != nil {
					t.Fatal(err)
				}
				visit(branch.States)
			}
		}
	}
	visit(def.States)
	if !reflect.DeepEqual(found, want) {
		t.Errorf("recognised %v\nwant %v", found, want)
	}
}
