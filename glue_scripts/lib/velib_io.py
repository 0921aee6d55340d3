"""I/O shared by the Glue entry scripts: arguments, session, raw input, tables.

Nothing here imports ``awsglue``: on Glue the Spark session already uses the
Glue Data Catalog as its metastore (``--enable-glue-datacatalog``), and
locally the same code runs against Spark's own catalog.
"""

import datetime as dt
import json
import sys
import time

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

import velib_silver

MAX_DAYS = 366
RANGE_SEP = ".."


class JobError(Exception):
    """A job cannot proceed; the message says why and names the input at fault."""


def job_args(argv: list[str], required: list[str]) -> dict[str, str]:
    """Reads ``--name value`` pairs as Glue passes them, ignoring the ones
    Glue adds for itself. ``process_date`` defaults to today, UTC."""
    args: dict[str, str] = {}
    i = 0
    while i < len(argv):
        key = argv[i]
        if key.startswith("--") and i + 1 < len(argv) and not argv[i + 1].startswith("--"):
            args[key[2:]] = argv[i + 1]
            i += 2
        else:
            i += 1
    args.setdefault("process_date", dt.datetime.now(dt.UTC).date().isoformat())
    missing = [name for name in required if not args.get(name)]
    if missing:
        raise JobError("missing job argument(s): " + ", ".join("--" + m for m in missing))
    return args


def parse_dates(spec: str) -> list[str]:
    """``YYYY-MM-DD``, or ``YYYY-MM-DD..YYYY-MM-DD`` (inclusive) for a backfill."""
    first, sep, last = spec.strip().partition(RANGE_SEP)
    try:
        start = dt.date.fromisoformat(first)
        end = dt.date.fromisoformat(last) if sep else start
    except ValueError:
        raise JobError(f"process_date {spec!r} is not YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD") from None
    if end < start:
        raise JobError(f"process_date {spec!r} ends before it starts")
    days = (end - start).days + 1
    if days > MAX_DAYS:
        raise JobError(f"process_date {spec!r} spans {days} days; the limit is {MAX_DAYS}")
    return [(start + dt.timedelta(days=n)).isoformat() for n in range(days)]


def configure(spark: SparkSession) -> SparkSession:
    """Settings every job relies on: times in UTC, and an overwrite that
    replaces only the partitions written, which is what makes re-runs safe."""
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
    return spark


def days_with_data(spec: str, dates: list[str], present: set[str], where: str) -> tuple[list[str], list[str]]:
    """Splits the processing dates into those with data and those without.
    A single date without data, or a range with none at all, is an error
    (naming where the data was looked for); the empty days of a range are
    only reported, so a backfill over a gap in the feed still runs."""
    kept = [d for d in dates if d in present]
    missing = [d for d in dates if d not in present]
    if RANGE_SEP not in spec and missing:
        raise JobError(f"no {where.format(', '.join(missing))}")
    if not kept:
        raise JobError(f"no {where.format('any day of ' + spec.strip())}")
    return kept, missing


def list_raw(spark: SparkSession, root: str, dates: list[str]) -> dict[str, list[str]]:
    """The raw files of each of the given dates under root. Other dates are
    never listed, so the cost follows the dates processed, not the history."""
    return {d: _files(spark, f"{root}/dt={d}/") for d in dates}


def read_raw(spark: SparkSession, root: str, listed: dict[str, list[str]]) -> DataFrame:
    """The listed raw files (see list_raw), each date with some: one row per
    file, with its ``path``, its partition ``dt`` and its whole JSON text in
    ``value``, which is null when the file cannot be read (not gzip, cut
    short)."""
    dates = list(listed)
    # An unreadable file is left out of the read instead of failing it with
    # a stack trace; the join with the listing brings it back, valueless.
    read = (
        spark.read.option("basePath", root)
        .option("ignoreCorruptFiles", "true")
        .text([f"{root}/dt={d}/" for d in dates], wholetext=True)
        .select("value", _file_key(F.input_file_name()).alias("key"))
    )
    files = spark.createDataFrame(
        [(path, d) for d, paths in listed.items() for path in paths], "path string, dt string"
    ).withColumn("key", _file_key(F.col("path")))
    return files.join(read, on="key", how="left").select("path", "dt", "value")


def _file_key(path):
    """dt=…/name, which names a raw file whatever form its URL takes
    (file:/x and file:///x)."""
    return F.regexp_extract(path, r"(dt=[^/]+/[^/]+)$", 1)


def _files(spark: SparkSession, folder: str) -> list[str]:
    """The data files of a folder, by the folder's Hadoop file system (S3 on
    Glue, local in tests); hidden and marker files (_x, .x) are not data, as
    for Spark's own readers."""
    jvm = spark.sparkContext._jvm
    p = jvm.org.apache.hadoop.fs.Path(folder)
    fs = p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if not fs.exists(p):
        return []
    return sorted(
        st.getPath().toString()
        for st in fs.listStatus(p)
        if st.isFile() and not st.getPath().getName().startswith(("_", "."))
    )


def read_partitions(spark: SparkSession, database: str, table: str, dates: list[str]) -> DataFrame:
    """The rows of the given date partitions of a catalog table."""
    name = f"`{database}`.`{table}`"
    if not spark.catalog.tableExists(f"{database}.{table}"):
        raise JobError(f"table {database}.{table} does not exist yet: run the job that writes it first")
    return spark.table(name).where(F.col("dt").isin(dates))


def write_partitions(
    spark: SparkSession, df: DataFrame, database: str, table: str, path: str, dates: list[str], allow_empty=False
) -> int:
    """Replaces the given date partitions of a Parquet table partitioned by
    ``dt``, creating the table at ``path`` first if needed, and registers the
    partitions in the catalog. Returns the number of rows now in them.

    A column the table lacks is added to it first, so a table created by an
    earlier version keeps every column the job now writes. Dates with no rows
    are an error unless allow_empty: writing nothing would leave the old rows
    in place and report success. With allow_empty, their partitions are
    emptied.
    """
    name = f"`{database}`.`{table}`"
    if not spark.catalog.tableExists(f"{database}.{table}"):
        columns = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in df.schema.fields if f.name != "dt")
        spark.sql(
            f"CREATE TABLE IF NOT EXISTS {name} ({columns}, `dt` string) "
            f"USING PARQUET PARTITIONED BY (dt) LOCATION '{path}'"
        )
    _add_columns(spark, name, df)
    columns = [f.name for f in spark.table(name).schema.fields]
    df = df.where(F.col("dt").isin(dates)).select(columns).cache()
    try:
        present = {r.dt for r in df.select("dt").distinct().collect()}
        empty = [d for d in dates if d not in present]
        if empty and not allow_empty:
            raise JobError(f"no rows for {', '.join(empty)} to write to {database}.{table}")
        if present:
            df.write.insertInto(name, overwrite=True)
        for d in empty:
            _empty_partition(spark, name, df, d)
    finally:
        df.unpersist()
    return spark.table(name).where(F.col("dt").isin(dates)).count()


def _add_columns(spark: SparkSession, name: str, df: DataFrame) -> None:
    have = {f.name for f in spark.table(name).schema.fields}
    new = [f"`{f.name}` {f.dataType.simpleString()}" for f in df.schema.fields if f.name not in have]
    if new:
        spark.sql(f"ALTER TABLE {name} ADD COLUMNS ({', '.join(new)})")


def _empty_partition(spark: SparkSession, name: str, df: DataFrame, date: str) -> None:
    """Overwrites one partition with no rows: a static partition overwrite
    deletes what the partition held."""
    data = [c for c in df.columns if c != "dt"]
    df.limit(0).select(data).createOrReplaceTempView("_nothing")
    spark.sql(f"INSERT OVERWRITE TABLE {name} PARTITION (dt = '{date}') SELECT * FROM _nothing")


def flag_arg(args: dict[str, str], name: str) -> bool:
    """A true/false job argument; absent is false."""
    value = args.get(name, "false").strip().lower()
    if value not in ("true", "false"):
        raise JobError(f"--{name} must be true or false, not {args[name]!r}")
    return value == "true"


# The job argument that lets raw → silver go on without the raw files it
# cannot use, which it then names in its log and counts.
ACCEPT_BAD_FILES = "accept_bad_raw_files"


def silver(job: str, argv: list[str], spark: SparkSession) -> dict:
    """The raw → silver job: reads the raw files of the processing dates,
    replaces those partitions of the silver table with the rows that pass
    the checks and those of the rejects table with the rows that fail them,
    and returns its result (see silver_result)."""
    args = job_args(argv, ["database", "raw_path", "target_table", "target_path", "rejects_table", "rejects_path"])
    dates = parse_dates(args["process_date"])
    accept = flag_arg(args, ACCEPT_BAD_FILES)
    configure(spark)
    root = args["raw_path"].rstrip("/")
    listed = list_raw(spark, root, dates)
    present = {d for d, files in listed.items() if files}
    dates, without = days_with_data(args["process_date"], dates, present, "raw snapshots for {} under " + root + "/")
    if without:
        log(job, event="days without raw snapshots, skipped", days=without)
    snaps = velib_silver.snapshots(read_raw(spark, root, {d: listed[d] for d in dates})).cache()
    try:
        bad = [r.asDict() for r in velib_silver.bad_files(snaps).collect()]
        if bad and not accept:
            raise JobError(bad_files_message(bad))
        for b in bad:
            log(job, event="bad raw file left out", path=b["path"], problem=b["problem"])
        new_fields = [r.field for r in velib_silver.new_fields(snaps).collect()]
        if new_fields:
            log(job, event="new feed fields, not carried to silver", fields=new_fields)
        rows = velib_silver.station_rows(snaps).cache()
        try:
            kept, refused = velib_silver.silver(rows), velib_silver.rejects(rows)
            db = args["database"]
            written = write_partitions(spark, kept, db, args["target_table"], args["target_path"], dates)
            write_partitions(spark, refused, db, args["rejects_table"], args["rejects_path"], dates, allow_empty=True)
            result = silver_result(kept, refused, dates, written, bad, new_fields, without)
        finally:
            rows.unpersist()
    finally:
        snaps.unpersist()
    for reason, n in result["rejected"].items():
        log(job, event="rows rejected", reason=reason, rows=n, table=f"{db}.{args['rejects_table']}")
    log(job, dates=dates, table=f"{db}.{args['target_table']}", **result)
    return result


def bad_files_message(bad: list[dict]) -> str:
    listed = "; ".join(f"{b['path']} ({b['problem']})" for b in bad)
    return (
        f"{len(bad)} raw file(s) unreadable or not a snapshot, so nothing was written: {listed}. "
        f"To process the other files without them, run the job with --{ACCEPT_BAD_FILES} true"
    )


def silver_result(kept, refused, dates, written, bad, new_fields, without) -> dict:
    """What a raw → silver run did: ``rows`` written to silver, of which
    ``over_capacity`` flagged; ``rejected`` rows by reason; the ``bad_files``
    left out (only with --accept_bad_raw_files); the ``new_fields`` of the
    feed that silver does not carry; the days of a range skipped for want of
    raw snapshots, ``days_without_data``. The counts come from the rows just
    written (kept and refused, still cached), not from reading the tables
    back."""
    in_dates = F.col("dt").isin(dates)
    rejected = refused.where(in_dates).groupBy("reason").count().orderBy("reason").collect()
    return {
        "rows": written,
        "over_capacity": kept.where(in_dates & F.col("over_capacity")).count(),
        "rejected": {r["reason"]: r["count"] for r in rejected},
        "bad_files": [b["path"] for b in bad],
        "new_fields": new_fields,
        "days_without_data": without,
    }


def gold(job: str, transform, argv: list[str], spark: SparkSession) -> dict:
    """A silver → gold job: reads the processing dates' partitions of the
    silver table, applies transform and replaces those partitions of the gold
    table."""
    args = job_args(argv, ["database", "source_table", "target_table", "target_path"])
    dates = parse_dates(args["process_date"])
    configure(spark)
    source = read_partitions(spark, args["database"], args["source_table"], dates)
    if RANGE_SEP in args["process_date"]:
        present = {r.dt for r in source.select("dt").distinct().collect()}
        where = f"rows in {args['database']}.{args['source_table']} for {{}}"
        dates, without = days_with_data(args["process_date"], dates, present, where)
        if without:
            log(job, event="days without silver rows, skipped", days=without)
    else:
        without = []
    rows = write_partitions(
        spark, transform(source), args["database"], args["target_table"], args["target_path"], dates
    )
    log(job, dates=dates, table=f"{args['database']}.{args['target_table']}", rows=rows, days_without_data=without)
    return {"rows": rows, "days_without_data": without}


def main(job: str, run) -> None:
    """Runs an entry script: ``run(argv, spark)`` with Glue's arguments and the
    session Glue provides, turning a JobError into a failed run whose message
    names the problem."""
    try:
        run(sys.argv[1:], SparkSession.builder.getOrCreate())
    except JobError as err:
        log(job, error=str(err))
        sys.exit(f"{job}: {err}")


def log(job: str, **fields) -> None:
    """One JSON line on stdout, which Glue's continuous logging collects."""
    print(json.dumps({"job": job, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **fields}), flush=True)
