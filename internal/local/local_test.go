package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/partialruns/velib-pipeline/internal/layout"
	"github.com/partialruns/velib-pipeline/internal/local"
	"github.com/partialruns/velib-pipeline/internal/modroot"
	"github.com/partialruns/velib-pipeline/internal/testassembly"
	"github.com/partialruns/velib-pipeline/internal/testinputs"
	"github.com/partialruns/velib-pipeline/internal/tools"
)

func TestMain(m *testing.M) {
	if os.Getenv("HOLD_DIR") != "" {
		holdFolder()
		return
	}
	os.Exit(m.Run())
}

// tinyFeed has five stations: one without capacity, one with more bikes
// than its capacity says, and one whose status has a negative count.
func tinyFeed(t *testing.T) *local.Feed {
	t.Helper()
	info := `{"last_updated": 1000, "data": {"stations": [
		{"station_id": 1, "stationCode": "c1", "name": "One", "lat": 48.8, "lon": 2.3, "capacity": 20},
		{"station_id": 2, "stationCode": "c2", "name": "Two", "lat": 48.8, "lon": 2.3, "capacity": 10},
		{"station_id": 3, "stationCode": "c3", "name": "Three", "lat": 48.8, "lon": 2.3, "capacity": 0},
		{"station_id": 4, "stationCode": "c4", "name": "Four", "lat": 48.8, "lon": 2.3, "capacity": 6},
		{"station_id": 5, "stationCode": "c5", "name": "Five", "lat": 48.8, "lon": 2.3, "capacity": 6}]}}`
	status := `{"last_updated": 1000, "data": {"stations": [
		{"station_id": 1, "stationCode": "c1", "num_bikes_available": 5, "num_bikes_available_types": [{"mechanical": 2}, {"ebike": 3}], "num_docks_available": 15, "is_installed": 1, "is_renting": 1, "is_returning": 1, "last_reported": 990},
		{"station_id": 2, "stationCode": "c2", "num_bikes_available": 0, "num_bikes_available_types": [{"mechanical": 0}, {"ebike": 0}], "num_docks_available": 10, "is_installed": 1, "is_renting": 1, "is_returning": 1, "last_reported": 980},
		{"station_id": 3, "stationCode": "c3", "num_bikes_available": 0, "num_bikes_available_types": [{"mechanical": 0}, {"ebike": 0}], "num_docks_available": 0, "is_installed": 0, "is_renting": 0, "is_returning": 0, "last_reported": 970},
		{"station_id": 4, "stationCode": "c4", "num_bikes_available": 8, "num_bikes_available_types": [{"mechanical": 8}, {"ebike": 0}], "num_docks_available": 0, "is_installed": 1, "is_renting": 1, "is_returning": 1, "last_reported": 995},
		{"station_id": 5, "stationCode": "c5", "num_bikes_available": -1, "num_docks_available": 3, "is_installed": 1, "is_renting": 1, "is_returning": 1, "last_reported": 990}]}}`
	f, err := local.NewFeedFrom([]byte(info), []byte(status))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// files lists the Parquet files under dir with their modification times.
func files(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".parquet") {
			out[p] = info.ModTime()
		}
		return nil
	})
	return out
}

func under(all map[string]time.Time, part string) map[string]time.Time {
	out := map[string]time.Time{}
	for p, m := range all {
		if strings.Contains(p, part) {
			out[p] = m
		}
	}
	return out
}

// endToEnd sets up a test of whole local runs: the module root, the
// project's Python, a new work folder and, in work/cdk.out, a copy of the
// assembly make local runs (two systems, velib and citybikes), which the
// test may change. Call t.Parallel after it, so the runs go beside the
// other end-to-end tests.
func endToEnd(t *testing.T) (root, python, work, asm string) {
	t.Helper()
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	if python, err = tools.VenvBin("python"); err != nil {
		t.Fatal(err)
	}
	// The runner is read by Python, not by this test; the job scripts it
	// runs are the assembly's copies, which testassembly reads.
	testinputs.Declare(t, "glue_scripts/local_runner.py")
	work = t.TempDir()
	asm = filepath.Join(work, "cdk.out")
	testassembly.Copy(t, asm)
	return root, python, work, asm
}

func TestPipelineEndToEnd(t *testing.T) {
	root, python, work, asm := endToEnd(t)
	t.Parallel()
	feed := tinyFeed(t)
	clock := time.Date(2025, 11, 21, 8, 0, 0, 0, time.UTC)
	// A relative state directory, as make local passes (.local): the
	// tables must land under <dir>/s3/<bucket>/, not under the metastore.
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.Rel(cwd, filepath.Join(work, ".local"))
	if err != nil {
		t.Fatal(err)
	}
	// One session for every run, query and undo below: one Spark start
	// instead of a dozen. The one-shot functions, which make local and
	// make sql call, start their own (TestSlowJobCompletes, cmd/local).
	session, err := local.Open(dir, python, filepath.Join(root, "glue_scripts", "local_runner.py"))
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	if _, err := local.Run(context.Background(), local.Options{Dir: dir}); !errors.As(err, new(*local.BusyError)) {
		t.Fatalf("a run beside the open session: %v, want the folder busy", err)
	}
	run := func(input string) (*local.Report, string) {
		t.Helper()
		var out bytes.Buffer
		rep, err := session.Run(context.Background(), local.Options{
			Assembly: asm, Stack: layout.StackID, Input: json.RawMessage(input),
			Out: &out, Now: func() time.Time { return clock }, Feed: feed,
		})
		if err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		return rep, out.String()
	}
	rows := func(rep *local.Report) map[string]int {
		m := map[string]int{}
		for _, s := range rep.Steps {
			if s.Status == local.StepRan {
				m[s.Task] = s.Rows
			}
		}
		return m
	}
	tables := filepath.Join(work, ".local", "s3")

	// An invalid flag map fails before any task: nothing is written.
	rep, out := run(`{"lamda_load_data": false}`)
	if rep.Status != "FAILED" || rep.Error != "InvalidInput" || !strings.Contains(rep.Cause, `unknown key(s) "lamda_load_data"`) {
		t.Fatalf("invalid input: %s %s %s\n%s", rep.Status, rep.Error, rep.Cause, out)
	}
	if len(rows(rep)) != 0 {
		t.Errorf("tasks ran on invalid input: %v", rows(rep))
	}
	checkStatuses(t, rep, map[string]string{"Load each system": local.StepNotReached, "Raw to silver": local.StepNotReached,
		"Gold avg stats": local.StepNotReached, "Gold avail percent": local.StepNotReached})
	if _, err := os.Stat(tables); !os.IsNotExist(err) {
		t.Errorf("something was written on invalid input: %v", err)
	}

	// A first snapshot of the day, ingest only.
	rep, out = run(`{"velib_raw_to_silver": false, "velib_silver_to_gold_avg_stats": false, "velib_silver_to_gold_avail_percent": false}`)
	if rep.Status != "SUCCEEDED" || rows(rep)["Load each system"] != 2*5 || len(rows(rep)) != 1 {
		t.Fatalf("ingest only: %s %v\n%s", rep.Status, rows(rep), out)
	}

	// A full run 15 minutes later: a second snapshot, then every table.
	clock = clock.Add(15 * time.Minute)
	rep, out = run(`{}`)
	// Each system's rows: the two systems have the same feed.
	want := map[string]int{"Load each system": 2 * 5, "Raw to silver": 2 * 8, "Gold avg stats": 2 * 4, "Gold avail percent": 2 * 8}
	if rep.Status != "SUCCEEDED" || !equal(rows(rep), want) {
		t.Fatalf("full run: %s, rows %v, want %v\n%s", rep.Status, rows(rep), want, out)
	}
	for _, line := range []string{"done   Raw to silver", "execution SUCCEEDED",
		"Raw to silver: citybikes: 2 rows rejected to velib_data_rejects (negative_count 2)",
		"Raw to silver: velib: 2 rows rejected to velib_data_rejects (negative_count 2)",
		"Raw to silver: 4 rows with more bikes than capacity, kept and flagged"} {
		if !strings.Contains(out, line) {
			t.Errorf("progress lacks %q:\n%s", line, out)
		}
	}
	checkSequential(t, out)
	if !strings.HasPrefix(rep.Execution, "arn:aws:states:local:") || !strings.Contains(out, "execution id: "+rep.Execution+" (undo") {
		t.Errorf("the summary does not give the execution id %q:\n%s", rep.Execution, out)
	}
	before := files(t, tables)
	if len(under(before, "/silver/velib_data_silver/")) == 0 || len(under(before, "/gold/velib_avg_stats_gold/")) == 0 {
		t.Errorf("no silver or gold Parquet under %s: %v", tables, before)
	}
	if stray := files(t, filepath.Join(work, ".local", "spark")); len(stray) != 0 {
		t.Errorf("table files under the metastore's warehouse instead of the bucket: %v", stray)
	}

	// Gold only: reads the silver written before, rewrites gold only.
	clock = clock.Add(time.Hour)
	rep, out = run(`{"lambda_load_data": false, "velib_raw_to_silver": false}`)
	want = map[string]int{"Gold avg stats": 2 * 4, "Gold avail percent": 2 * 8}
	if rep.Status != "SUCCEEDED" || !equal(rows(rep), want) {
		t.Fatalf("gold only: %s, rows %v, want %v\n%s", rep.Status, rows(rep), want, out)
	}
	if !strings.Contains(out, "skip   Raw to silver (velib_raw_to_silver is false)") {
		t.Errorf("progress does not mark the skip:\n%s", out)
	}
	checkStatuses(t, rep, map[string]string{"Load each system": local.StepSkipped, "Raw to silver": local.StepSkipped,
		"Gold avg stats": local.StepRan, "Gold avail percent": local.StepRan})
	if !strings.Contains(out, "Raw to silver          skipped") {
		t.Errorf("the summary does not show the skip:\n%s", out)
	}
	after := files(t, tables)
	if !equalTimes(under(before, "/silver/"), under(after, "/silver/")) || len(under(after, "/silver/")) == 0 {
		t.Error("the gold-only run changed silver")
	}
	if equalTimes(under(before, "/gold/"), under(after, "/gold/")) {
		t.Error("the gold-only run did not rewrite gold")
	}
	if got := len(under(after, "/raw/")); got != 0 {
		t.Errorf("unexpected parquet under raw: %d", got)
	}

	// A day with no raw data: silver fails, gold is never reached.
	rep, out = run(`{"lambda_load_data": false, "process_date": "2025-11-19"}`)
	if rep.Status != "FAILED" || rep.FailedState != "Raw to silver" {
		t.Fatalf("a day without data: %s at %q\n%s", rep.Status, rep.FailedState, out)
	}
	checkStatuses(t, rep, map[string]string{"Load each system": local.StepSkipped, "Raw to silver": local.StepFailed,
		"Gold avg stats": local.StepNotReached, "Gold avail percent": local.StepNotReached})
	if !strings.Contains(out, "Raw to silver          failed") || !strings.Contains(out, "Gold avg stats         not reached") {
		t.Errorf("the summary does not tell failed from not reached:\n%s", out)
	}

	// A backfill over three days, the middle one without data, after one
	// snapshot the next day: one run of each job for the range, writing
	// what the single days write (2025-11-21 gave 8, 4 and 8 rows above; a
	// one-snapshot day gives 4, 4 and 4), the empty day skipped.
	clock = clock.Add(48 * time.Hour)
	if rep, out = run(`{"velib_raw_to_silver": false, "velib_silver_to_gold_avg_stats": false, "velib_silver_to_gold_avail_percent": false}`); rep.Status != "SUCCEEDED" {
		t.Fatalf("ingest on 2025-11-23: %s\n%s", rep.Status, out)
	}
	rep, out = run(`{"lambda_load_data": false, "process_date": "2025-11-21..2025-11-23"}`)
	want = map[string]int{"Raw to silver": 2 * (8 + 4), "Gold avg stats": 2 * (4 + 4), "Gold avail percent": 2 * (8 + 4)}
	if rep.Status != "SUCCEEDED" || !equal(rows(rep), want) {
		t.Fatalf("backfill: %s, rows %v, want %v\n%s", rep.Status, rows(rep), want, out)
	}

	// A raw file put by hand, plain JSON with a space in its name, where
	// the summary says: refined like the ingest's, with ingest off.
	if !strings.Contains(out, "raw snapshots: "+rep.Raw+"<system>/dt=<YYYY-MM-DD>/") {
		t.Errorf("the summary does not say where raw snapshots go:\n%s", out)
	}
	day := filepath.Join(rep.Raw, "velib", "dt=2025-11-26")
	if err := os.MkdirAll(day, 0o755); err != nil {
		t.Fatal(err)
	}
	own := `{"source": "by hand", "fetched_at": "2025-11-26T10:00:05Z",
		"station_information": {"last_updated": 1764151200, "data": {"stations": [{"station_id": "h1", "name": "[Fermée] Place d'Italie", "capacity": 10, "lat": 48.83, "lon": 2.35}, {"station_id": "h2", "name": "Bastille", "capacity": 10, "lat": 48.85, "lon": 2.37}]}},
		"station_status": {"last_updated": 1764151200, "data": {"stations": [
			{"station_id": "h1", "num_bikes_available": 4, "num_docks_available": 6, "is_installed": 1, "is_renting": 1, "is_returning": 1, "last_reported": 1764151100},
			{"station_id": "h2", "num_bikes_available": 99999999999, "num_docks_available": 6, "is_installed": 1, "is_renting": 1, "is_returning": 1, "last_reported": 99999999999999999}]}}}`
	if err := os.WriteFile(filepath.Join(day, "my snapshot (1).json"), []byte(own), 0o644); err != nil {
		t.Fatal(err)
	}
	clock = time.Date(2025, 11, 26, 12, 0, 0, 0, time.UTC)
	rep, out = run(`{"lambda_load_data": false, "systems": ["velib"], "process_date": "2025-11-26", "velib_silver_to_gold_avg_stats": false, "velib_silver_to_gold_avail_percent": false}`)
	if rep.Status != "SUCCEEDED" || rows(rep)["Raw to silver"] != 1 || !strings.Contains(out, "Raw to silver: velib: 1 rows rejected to velib_data_rejects (out_of_range 1)") {
		t.Fatalf("a raw file of one's own: %s, rows %v\n%s", rep.Status, rows(rep), out)
	}

	// make sql's query on the same tables, then one the engine refuses.
	var table bytes.Buffer
	q := local.QueryOptions{Out: &table,
		SQL: "SELECT s.name, r.reason FROM velib_data_silver s, velib_data_rejects r WHERE s.dt = '2025-11-26' AND r.dt = s.dt AND r.system = s.system"}
	if err := session.Query(q); err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(table.String()); strings.Join(got, " ") != "name reason [Fermée] Place d'Italie out_of_range (1 rows)" {
		t.Errorf("query printed:\n%s", table.String())
	}
	q.SQL = "SELECT nope FROM velib_data_silver"
	var refused *local.QueryError
	if err := session.Query(q); !errors.As(err, &refused) || !strings.Contains(err.Error(), "the query failed: [UNRESOLVED_COLUMN") {
		t.Errorf("a bad query: %v", err)
	}

	// Undo that last run (partialrun undo --local): its silver day and
	// its reject are gone again; time travel still reads them.
	var undone bytes.Buffer
	u := local.UndoOptions{Assembly: asm, Stack: layout.StackID, Execution: rep.Execution, Out: &undone}
	if err := session.Undo(u); err != nil {
		t.Fatalf("undo %s: %v", rep.Execution, err)
	}
	m := regexp.MustCompile(`velib_lake\.velib_data_silver: snapshot (\d+) -> snapshot \d+`).FindStringSubmatch(undone.String())
	if m == nil || !strings.Contains(undone.String(), "velib_lake.velib_data_rejects: snapshot ") {
		t.Fatalf("undo printed:\n%s", undone.String())
	}
	for sql, want := range map[string]string{
		"SELECT count(*) FROM velib_data_silver WHERE dt = '2025-11-26'":                            "0",
		"SELECT count(*) FROM velib_data_silver VERSION AS OF " + m[1] + " WHERE dt = '2025-11-26'": "1",
		"SELECT count(*) FROM velib_data_silver WHERE dt = '2025-11-21'":                            "16",
		// The commit the run made, by its execution id, in the metadata table.
		"SELECT count(*) FROM velib_lake.velib_data_silver.snapshots WHERE summary['velib.execution-id'] = '" + rep.Execution + "'": "1",
	} {
		table.Reset()
		q.SQL = sql
		if err := session.Query(q); err != nil {
			t.Fatal(err)
		}
		if got := strings.Fields(table.String()); len(got) < 2 || got[1] != want {
			t.Errorf("%s after the undo:\n%s", sql, table.String())
		}
	}
	// The session closed, make sql's and partialrun undo --local's own
	// starts: a query, then the same undo again, which has nothing left.
	session.Close()
	runnerPath := filepath.Join(root, "glue_scripts", "local_runner.py")
	table.Reset()
	q = local.QueryOptions{Dir: dir, Python: python, Runner: runnerPath, Out: &table,
		SQL: "SELECT count(*) FROM velib_data_silver WHERE dt = '2025-11-26'"}
	if err := local.Query(q); err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(table.String()); len(got) < 2 || got[1] != "0" {
		t.Errorf("make sql's own query after the undo:\n%s", table.String())
	}
	u.Dir, u.Python, u.Runner = dir, python, runnerPath
	var nothing *local.UndoError
	if err := local.Undo(u); !errors.As(err, &nothing) || !strings.Contains(err.Error(), "has no commit to undo") {
		t.Errorf("undoing it again: %v", err)
	}
}

// checkSequential checks that the progress shows the Glue jobs one after
// another, as the local Spark runs them: no job starts between another's
// start and its end. The systems' ingests run concurrently.
func checkSequential(t *testing.T, out string) {
	t.Helper()
	running := ""
	for _, line := range strings.Split(out, "\n") {
		_, rest, _ := strings.Cut(line, "] ")
		switch {
		case strings.Contains(rest, "Load each system"):
		case strings.HasPrefix(rest, "start  "):
			if running != "" {
				t.Errorf("%q starts while %q runs:\n%s", rest, running, out)
			}
			running = strings.TrimPrefix(rest, "start  ")
		case strings.HasPrefix(rest, "done   "), strings.HasPrefix(rest, "failed "):
			running = ""
		}
	}
}

func checkStatuses(t *testing.T, rep *local.Report, want map[string]string) {
	t.Helper()
	for _, s := range rep.Steps {
		if s.Status != want[s.Task] {
			t.Errorf("%s: %s, want %s", s.Task, s.Status, want[s.Task])
		}
	}
}

func equal(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func equalTimes(a, b map[string]time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !b[k].Equal(v) {
			return false
		}
	}
	return true
}
