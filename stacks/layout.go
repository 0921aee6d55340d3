package stacks

// The data contract shared by the ingest Lambda, the Glue jobs and the
// state machine: flag names, bucket prefixes and table names. DESIGN.md §2
// and §3 describe them; the flag names are the original project's, kept
// verbatim so its documented execution inputs still work.

// Flags, in execution order.
const (
	FlagLoadData     = "lambda_load_data"
	FlagRawToSilver  = "velib_raw_to_silver"
	FlagAvgStats     = "velib_silver_to_gold_avg_stats"
	FlagAvailPercent = "velib_silver_to_gold_avail_percent"
)

// Tables in the Glue Data Catalog.
const (
	TableSilver       = "velib_data_silver"
	TableAvgStats     = "velib_avg_stats_gold"
	TableAvailPercent = "velib_avail_percent_gold"
)

// Bucket prefixes. Raw snapshots are immutable; tables live under their
// layer; tmp/ and logs/ expire.
const (
	PrefixRaw  = "raw/velib/"
	PrefixTmp  = "tmp/"
	PrefixLogs = "logs/"
)

// tablePrefix is where a table's Parquet files live.
func tablePrefix(table string) string {
	switch table {
	case TableSilver:
		return "silver/" + table + "/"
	default:
		return "gold/" + table + "/"
	}
}
