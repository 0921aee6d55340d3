// Package layout is the Vélib' pipeline's data contract, shared by the
// stack, the ingest Lambda's wiring, the Glue jobs' arguments and the local
// runner: the stack's name, the flag names, the table names and the bucket
// prefixes. It depends on no CDK package, so the tools that only read a
// synthesized template need not load the CDK. The flag names are the
// original project's, kept verbatim so its documented execution inputs
// still work.
package layout

// StackID is the original project's stack name, kept so that
// `cdk deploy AWSStateFunctionPartialRuns` still works.
const StackID = "AWSStateFunctionPartialRuns"

// Flags, in execution order.
const (
	FlagLoadData     = "lambda_load_data"
	FlagRawToSilver  = "velib_raw_to_silver"
	FlagAvgStats     = "velib_silver_to_gold_avg_stats"
	FlagAvailPercent = "velib_silver_to_gold_avail_percent"
)

// DateKey is the optional execution-input key naming the date partition
// ("YYYY-MM-DD") the Glue jobs process; the validation fills in the
// execution's start date when it is absent.
const DateKey = "process_date"

// MaxRangeDays is the longest range of dates one execution processes, as
// the Glue jobs' own limit (glue_scripts/lib/velib_io.py, MAX_DAYS).
const MaxRangeDays = 366

// DayBeforeKey is the optional execution-input key, a UTC time, whose
// previous UTC day the jobs process instead: what a daily schedule sets to
// the time it fired.
const DayBeforeKey = "process_day_before"

// Flags lists the flags in execution order.
var Flags = []string{FlagLoadData, FlagRawToSilver, FlagAvgStats, FlagAvailPercent}

// Tables in the Glue Data Catalog.
const (
	TableSilver = "velib_data_silver"
	// TableRejects holds the raw rows raw → silver refused, with why.
	TableRejects      = "velib_data_rejects"
	TableAvgStats     = "velib_avg_stats_gold"
	TableAvailPercent = "velib_avail_percent_gold"
)

// IcebergCatalog is the name the jobs' Spark sessions give the Glue Data
// Catalog's Iceberg tables (and make local its local catalog), so that a
// query names a table the same way everywhere.
const IcebergCatalog = "glue_catalog"

// PendingUpgradeSuffix names the definition an upgrade from Parquet keeps
// over a table's files while it adopts them into Iceberg
// (glue_scripts/lib/velib_upgrade.py); the job writing the table may
// create and drop it.
const PendingUpgradeSuffix = "__parquet_upgrade"

// ExecutionArg is the job argument naming the Step Functions execution a
// run belongs to: every Iceberg commit carries it, and undo finds an
// execution's commits by it.
const ExecutionArg = "execution_id"

// Tables lists the pipeline's tables, in the order the jobs write them.
var Tables = []string{TableRejects, TableSilver, TableAvgStats, TableAvailPercent}

// FlagMaintenance is not a flag but the maintenance job's script name, as
// the pipeline jobs' scripts are named after their flags.
const FlagMaintenance = "velib_maintenance"

// Bucket prefixes. Raw snapshots are immutable, each system's under
// raw/<system>/; tables live under their layer, partitioned by system and
// date; tmp/ and logs/ expire.
const (
	PrefixRawRoot = "raw/"
	PrefixTmp     = "tmp/"
	PrefixLogs    = "logs/"
)

// DefaultSystem is the bike-share system the pipeline ingests unless told
// otherwise, and the system the rows of tables written before the system
// partition belong to.
const DefaultSystem = "velib"

// TablePrefix is where a table's Parquet files live.
func TablePrefix(table string) string {
	switch table {
	case TableSilver:
		return "silver/" + table + "/"
	case TableRejects:
		return "rejects/" + table + "/"
	default:
		return "gold/" + table + "/"
	}
}

// SystemIDPattern is the rule for a system's id, which names its raw folder
// and its tables' system partitions: the Glue jobs apply the same
// (glue_scripts/lib/velib_io.py, SYSTEM_ID).
const SystemIDPattern = `^[a-z][a-z0-9-]{0,31}$`

// System is one bike-share system the pipeline ingests. The stack hands the
// list to the ingest function as JSON, in the SYSTEMS variable.
type System struct {
	// ID names the system's raw folder and partitions, e.g. "velib".
	ID string `json:"id"`
	// URL is the system's GBFS folder or gbfs.json discovery document.
	URL string `json:"url"`
	// Language picks the feeds of a gbfs.json that lists them by language
	// (GBFS 1.x and 2.x). Default: English, else the first language.
	Language string `json:"language,omitempty"`
}

// SystemsKey is the optional execution-input key listing the ids of the
// systems a run processes; without it, every configured system.
const SystemsKey = "systems"

// RawPrefix is where a system's raw snapshots go.
func RawPrefix(system string) string { return PrefixRawRoot + system + "/" }

// DefaultArrivalsPrefix is where raw snapshots that come by another way
// than the ingest land (a partner's upload, a copy, a restore), in the raw
// layout: <prefix><system>/dt=<YYYY-MM-DD>/<any name>. Raw → silver reads
// them beside the ingest's, and, with event runs on, a file landing there
// starts a run of its system and day. Kept apart from raw/ so that the
// ingest's own writes never start one.
const DefaultArrivalsPrefix = "arrivals/"

// ArrivalsKey is the execution-input key listing the arrivals a run
// refines: keys, or their day folders, under the arrivals prefix. The
// validation works out the run's systems and days from them.
const ArrivalsKey = "arrivals"

// ArrivalsArg is the raw → silver job argument naming the arrivals'
// root, read beside raw_path.
const ArrivalsArg = "arrivals_path"

// SystemIDs lists the systems' ids, in order.
func SystemIDs(systems []System) []string {
	ids := make([]string, len(systems))
	for i, s := range systems {
		ids[i] = s.ID
	}
	return ids
}
