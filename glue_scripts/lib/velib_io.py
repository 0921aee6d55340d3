"""I/O shared by the Glue entry scripts: arguments, session, raw input, tables.

Nothing here imports ``awsglue``: on Glue the Spark session already uses the
Glue Data Catalog as its metastore (``--enable-glue-datacatalog``), and
locally the same code runs against Spark's own catalog.
"""

import datetime as dt
import json
import re
import sys
import time
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

import velib_silver

MAX_DAYS = 366
RANGE_SEP = ".."
# A table's partitions: the bike-share system, then the date.
PARTITIONS = ("system", "dt")
SYSTEM_ID = re.compile(r"[a-z][a-z0-9-]{0,31}")


class JobError(Exception):
    """A job cannot proceed; the message says why and names the input at
    fault. ``result`` is what the job did before it failed, if anything
    (a job that writes what is good, then fails), for its runner to report."""

    def __init__(self, message: str, result: dict | None = None):
        super().__init__(message)
        self.result = result or {}


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


def parse_systems(spec: str) -> list[str]:
    """``a,b``, or the JSON list ``["a", "b"]`` the state machine passes: the
    ids of the bike-share systems a run processes, each the name of its raw
    folder and the value of its ``system`` partitions."""
    if spec.lstrip().startswith("["):
        try:
            systems = json.loads(spec)
        except ValueError:
            systems = None
        if not isinstance(systems, list) or not all(isinstance(s, str) for s in systems):
            systems = [spec]
    else:
        systems = [s.strip() for s in spec.split(",") if s.strip()]
    bad = [s for s in systems if not SYSTEM_ID.fullmatch(s)]
    if not systems or bad:
        raise JobError(
            f"--systems must list system ids (lower-case letters, digits, '-'), comma-separated or as a JSON list; got {spec!r}"
        )
    return list(dict.fromkeys(systems))


def with_data(spec: str, systems: list[str], dates: list[str], present: set, where: str) -> tuple[list, dict]:
    """Splits the (system, date) partitions to process into those with data
    and, by system, the days without. A system's day without data is only
    skipped and reported, so one system's gap or outage never fails the
    others; no data for any system on any day is an error, naming where the
    data was looked for (``where`` has a place for the days and one for the
    systems)."""
    kept = [(s, d) for s in systems for d in dates if (s, d) in present]
    without = {s: [d for d in dates if (s, d) not in present] for s in systems}
    if not kept:
        days = spec.strip() if RANGE_SEP not in spec else "any day of " + spec.strip()
        folders = systems[0] if len(systems) == 1 else "{" + ",".join(systems) + "}"
        raise JobError("no " + where.format(days=days, systems=folders))
    return kept, {s: days for s, days in without.items() if days}


@dataclass
class RawListing:
    """What list_raw found: the data ``files`` of each (system, date), their
    ``sizes`` in bytes by path, and the ``hidden`` files (names starting
    with _ or ., in the day's folder or below), which are not read."""

    files: dict[tuple, list[str]]
    sizes: dict[str, int]
    hidden: list[str]


def list_raw(spark: SparkSession, root: str, systems: list[str], dates: list[str]) -> RawListing:
    """The raw files of each system's given dates under root, subfolders of
    a day's folder included (a copy may keep its own layout). Other dates
    are never listed, so the cost follows the dates processed, not the
    history."""
    listing = RawListing({}, {}, [])
    for s in systems:
        for d in dates:
            folder = f"{root}/{s}/dt={d}/"
            listing.files[(s, d)] = []
            for path, size, hidden in _files(spark, folder):
                if hidden:
                    listing.hidden.append(path)
                else:
                    listing.files[(s, d)].append(path)
                    listing.sizes[path] = size
    listing.hidden.sort()
    return listing


# What a name with a colon gives: Hadoop parses the text before it as a URI
# scheme (the local file system's checksum file, S3A's keys), and fails.
COLON_PROBLEM = "unreadable: a ':' in its name, which Hadoop's file systems cannot open (rename the file)"


def read_raw(spark: SparkSession, listing: RawListing, parts: list[tuple]) -> DataFrame:
    """The listed raw files of the given (system, date) parts: one row per
    file, with its ``path``, its ``system`` and ``dt`` partition, its whole
    JSON text in ``value``, ``read_problem``, why it could not be read
    (then ``value`` is null), and ``entry_problems`` (see
    velib_silver.decode).

    Files are read as bytes and decoded in Python (velib_silver.decode), not
    by Spark's text reader: Hadoop's gzip codec drops a file of several
    gzip members without a word, where Python reads every member, and the
    same code must give the same answer locally and on Glue. Exactly the
    listed files are read, by their paths as Hadoop prints them (glob
    characters escaped), so a name with spaces, brackets or % is read like
    any other; Spark skips an empty file, which is named here instead, and
    cannot open a name with a colon, which is a bad file.
    """
    files, named = [], []
    for s, d in parts:
        for path in listing.files[(s, d)]:
            # Only a name below the day's folder: the folders above are ours.
            if ":" in path.split(f"/dt={d}/", 1)[-1]:
                named.append((path, s, d, None, COLON_PROBLEM, {}))
            elif listing.sizes[path] == 0:
                named.append((path, s, d, "", None, {}))
            else:
                files.append((path, s, d))
    schema = (
        "path string, system string, dt string, value string, read_problem string, entry_problems map<string,string>"
    )
    out = spark.createDataFrame(named, schema)
    if not files:
        return out
    read = (
        spark.read.format("binaryFile")
        .load([_glob_escaped(p) for p, _, _ in files])
        .select("path", velib_silver.decoded("content", "path").alias("d"))
        .select("path", "d.value", F.col("d.problem").alias("read_problem"), F.col("d.entries").alias("entry_problems"))
    )
    listed = spark.createDataFrame(files, "path string, system string, dt string")
    vanished = F.when(F.col("value").isNull(), F.lit("unreadable: gone between listing and reading"))
    found = listed.join(read, on="path", how="left").select(
        "path", "system", "dt", "value", F.coalesce("read_problem", vanished).alias("read_problem"), "entry_problems"
    )
    return found.unionByName(out)


def _glob_escaped(path: str) -> str:
    """path as a Hadoop glob that matches only itself."""
    return re.sub(r"([\\*?\[\]{}])", r"\\\1", path)


def _files(spark: SparkSession, folder: str) -> list[tuple[str, int, bool]]:
    """Every file under a folder, by the folder's Hadoop file system (S3 on
    Glue, local in tests): its path, its size, and whether it is hidden (a
    name, or a subfolder's, starting with _ or .: markers and checksums
    that Spark's readers skip), sorted by path."""
    jvm = spark.sparkContext._jvm
    p = jvm.org.apache.hadoop.fs.Path(folder)
    fs = p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if not fs.exists(p):
        return []
    base = fs.getFileStatus(p).getPath().toString().rstrip("/") + "/"
    found = []
    it = fs.listFiles(p, True)
    while it.hasNext():
        st = it.next()
        path = st.getPath().toString()
        inner = path[len(base) :] if path.startswith(base) else st.getPath().getName()
        hidden = any(part.startswith(("_", ".")) for part in inner.split("/"))
        found.append((path, st.getLen(), hidden))
    return sorted(found)


def _in_parts(parts: list[tuple]) -> Column:
    """True for the rows of the given (system, date) partitions."""
    return F.concat_ws("/", "system", "dt").isin([f"{s}/{d}" for s, d in parts])


def _partition_columns(spark: SparkSession, name: str) -> list[str]:
    return [c.name for c in spark.catalog.listColumns(name) if c.isPartition]


def read_partitions(spark: SparkSession, database: str, table: str, legacy_system: str) -> DataFrame:
    """The rows of a catalog table partitioned by PARTITIONS. A table an
    earlier version wrote, partitioned by ``dt`` alone, is read as it is,
    its rows those of legacy_system: a reader (a gold job) may not migrate
    the table it reads; its writer does, on its next run."""
    if not spark.catalog.tableExists(f"{database}.{table}"):
        raise JobError(f"table {database}.{table} does not exist yet: run the job that writes it first")
    rows = spark.table(f"`{database}`.`{table}`")
    if "system" not in _partition_columns(spark, f"{database}.{table}"):
        rows = rows.withColumn("system", F.lit(legacy_system))
    return rows


def write_partitions(
    spark: SparkSession,
    df: DataFrame,
    database: str,
    table: str,
    path: str,
    parts: list[tuple],
    legacy_system: str,
    allow_empty=False,
) -> int:
    """Replaces the given (system, date) partitions of a Parquet table
    partitioned by PARTITIONS, creating the table at ``path`` first if
    needed (or moving one partitioned by ``dt`` alone onto PARTITIONS, see
    _migrate), and registers the partitions in the catalog. Returns the
    number of rows now in them.

    A column the table lacks is added to it first, so a table created by an
    earlier version keeps every column the job now writes. Partitions with no
    rows are an error unless allow_empty: writing nothing would leave the old
    rows in place and report success. With allow_empty, they are emptied.
    """
    name = f"`{database}`.`{table}`"
    if not spark.catalog.tableExists(f"{database}.{table}"):
        _create(spark, name, df.schema, path)
    elif "system" not in _partition_columns(spark, f"{database}.{table}"):
        _migrate(spark, name, path, legacy_system)
    _add_columns(spark, name, df)
    columns = [f.name for f in spark.table(name).schema.fields]
    df = df.where(_in_parts(parts)).select(columns).cache()
    try:
        present = {(r.system, r.dt) for r in df.select(*PARTITIONS).distinct().collect()}
        empty = [p for p in parts if p not in present]
        if empty and not allow_empty:
            listed = ", ".join(f"{d} of {s}" for s, d in empty)
            raise JobError(f"no rows for {listed} to write to {database}.{table}")
        if present:
            df.write.insertInto(name, overwrite=True)
        for s, d in empty:
            _empty_partition(spark, name, df, s, d)
    finally:
        df.unpersist()
    return spark.table(name).where(_in_parts(parts)).count()


def _create(spark: SparkSession, name: str, schema, path: str) -> None:
    columns = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in schema.fields if f.name not in PARTITIONS)
    spark.sql(
        f"CREATE TABLE IF NOT EXISTS {name} ({columns}, `system` string, `dt` string) "
        f"USING PARQUET PARTITIONED BY (system, dt) LOCATION '{path}'"
    )


def _migrate(spark: SparkSession, name: str, path: str, legacy_system: str) -> None:
    """Moves a table partitioned by ``dt`` alone, as versions before the
    system partition wrote it, onto PARTITIONS without rewriting a file: the
    table is defined again at its location, and each old partition
    registered as legacy_system's partition of its date at the folder it
    already has. Only the definition is dropped (the table is external), and
    the columns the old table had stay; the caller adds any new ones."""
    partitions = [r.partition for r in spark.sql(f"SHOW PARTITIONS {name}").collect()]
    old = [(p.split("=", 1)[1], _partition_location(spark, name, p)) for p in partitions]
    schema = spark.table(name).schema
    spark.sql(f"DROP TABLE {name}")
    _create(spark, name, schema, path)
    for d, location in old:
        spark.sql(
            f"ALTER TABLE {name} ADD IF NOT EXISTS PARTITION (system = '{legacy_system}', dt = '{d}') LOCATION '{location}'"
        )
    log("migration", table=name, event="partitioned by system and dt", system=legacy_system, partitions=len(old))


def _partition_location(spark: SparkSession, name: str, partition: str) -> str:
    key, value = partition.split("=", 1)
    info = spark.sql(f"DESCRIBE TABLE EXTENDED {name} PARTITION ({key} = '{value}')").collect()
    return next(r.data_type for r in info if r.col_name == "Location")


def _add_columns(spark: SparkSession, name: str, df: DataFrame) -> None:
    have = {f.name for f in spark.table(name).schema.fields}
    new = [f"`{f.name}` {f.dataType.simpleString()}" for f in df.schema.fields if f.name not in have]
    if new:
        spark.sql(f"ALTER TABLE {name} ADD COLUMNS ({', '.join(new)})")


def _empty_partition(spark: SparkSession, name: str, df: DataFrame, system: str, date: str) -> None:
    """Overwrites one partition with no rows: a static partition overwrite
    deletes what the partition held."""
    data = [c for c in df.columns if c not in PARTITIONS]
    df.limit(0).select(data).createOrReplaceTempView("_nothing")
    spark.sql(f"INSERT OVERWRITE TABLE {name} PARTITION (system = '{system}', dt = '{date}') SELECT * FROM _nothing")


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
    """The raw → silver job: reads the raw files of the processing dates of
    every system, replaces those partitions of the silver table with the rows
    that pass the checks and those of the rejects table with the rows that
    fail them, and returns its result (see silver_result).

    A (system, day) none of whose rows passed, or whose snapshots list no
    station, does not stop the others: every partition is written, that
    one's silver emptied (a re-run must not leave its old rows), and then
    the job fails, naming it and its reasons, so that the execution alerts
    and a partial run of that system can follow."""
    args = job_args(
        argv,
        [
            "database",
            "raw_path",
            "systems",
            "legacy_system",
            "target_table",
            "target_path",
            "rejects_table",
            "rejects_path",
        ],
    )
    dates = parse_dates(args["process_date"])
    systems = parse_systems(args["systems"])
    accept = flag_arg(args, ACCEPT_BAD_FILES)
    configure(spark)
    root = args["raw_path"].rstrip("/")
    listing = list_raw(spark, root, systems, dates)
    present = {p for p, files in listing.files.items() if files}
    where = "raw snapshots for {days} under " + root + "/{systems}/"
    parts, without = with_data(args["process_date"], systems, dates, present, where)
    if without:
        log(job, event="days without raw snapshots, skipped", days=without)
    if listing.hidden:
        log(job, event="hidden files, not read", paths=listing.hidden)
    snaps = velib_silver.snapshots(read_raw(spark, listing, parts)).cache()
    db, rejects_table = args["database"], f"{args['database']}.{args['rejects_table']}"
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
            legacy = args["legacy_system"]
            write = {"spark": spark, "database": db, "parts": parts, "legacy_system": legacy, "allow_empty": True}
            written = write_partitions(df=kept, table=args["target_table"], path=args["target_path"], **write)
            write_partitions(df=refused, table=args["rejects_table"], path=args["rejects_path"], **write)
            result = silver_result(rows, kept, refused, parts, written, bad, new_fields, without, listing.hidden)
        finally:
            rows.unpersist()
    finally:
        snaps.unpersist()
    for system, reasons in result["rejected"].items():
        total = sum(reasons.values())
        log(job, event="rows rejected", system=system, rows=total, reasons=reasons, table=rejects_table)
    log(job, dates=dates, systems=systems, table=f"{db}.{args['target_table']}", **result)
    if result["days_without_rows"]:
        raise JobError(no_rows_message(result, rejects_table), result)
    return result


def no_rows_message(result: dict, rejects_table: str) -> str:
    """Says which (system, day) had no row pass and why, that everything
    else was written, and how to re-run just those."""
    failed = []
    for system, days in result["days_without_rows"].items():
        for day, reasons in days.items():
            why = ", ".join(f"{r} {n}" for r, n in reasons.items()) or "no station entries in its snapshots"
            failed.append(f"{system} on {day} ({why})")
    systems = sorted(result["days_without_rows"])
    days = sorted({d for by_day in result["days_without_rows"].values() for d in by_day})
    span = days[0] if len(days) == 1 else f"{days[0]}{RANGE_SEP}{days[-1]}"
    rerun = json.dumps({"lambda_load_data": False, "process_date": span, "systems": systems})
    return (
        f"no row passed the checks for {'; '.join(failed)}, so that silver is now empty. "
        f"Everything else was written: {result['rows']} silver rows, and every reject to {rejects_table}. "
        f"Fix the raw files, then re-run only those with the input {rerun}"
    )


def bad_files_message(bad: list[dict]) -> str:
    listed = "; ".join(f"{b['path']} ({b['problem']})" for b in bad)
    return (
        f"{len(bad)} raw file(s) unreadable or not a snapshot, so nothing was written: {listed}. "
        f"To process the other files without them, run the job with --{ACCEPT_BAD_FILES} true"
    )


def silver_result(rows, kept, refused, parts, written, bad, new_fields, without, hidden) -> dict:
    """What a raw → silver run did: ``rows`` written to silver, of which
    ``over_capacity`` flagged; ``repeats``, entries that repeated a report
    already kept (the same station, last_reported and values); by system,
    the rows ``rejected`` by reason, the ``days_without_rows`` (none passed:
    their reasons by day) and the ``days_without_data`` (no raw snapshots);
    the ``bad_files`` left out (only with --accept_bad_raw_files); the
    ``new_fields`` of the feed that silver does not carry; the hidden files
    (_x, .x) under the days' folders, ``ignored_files``, not read. Every station
    entry of the files read is a silver row, a repeat or a reject. The
    counts come from the rows just written (still cached), not from reading
    the tables back."""
    in_dates = _in_parts(parts)
    rejected: dict = {}
    by_day: dict = {}
    for r in (
        refused.where(in_dates).groupBy("system", "dt", "reason").count().orderBy("system", "dt", "reason").collect()
    ):
        rejected.setdefault(r["system"], {}).setdefault(r["reason"], 0)
        rejected[r["system"]][r["reason"]] += r["count"]
        by_day.setdefault((r["system"], r["dt"]), {})[r["reason"]] = r["count"]
    with_rows = {(r.system, r.dt) for r in kept.where(in_dates).select(*PARTITIONS).distinct().collect()}
    days_without_rows: dict = {}
    for s, d in sorted(set(parts) - with_rows):
        days_without_rows.setdefault(s, {})[d] = by_day.get((s, d), {})
    return {
        "rows": written,
        "over_capacity": kept.where(in_dates & F.col("over_capacity")).count(),
        "repeats": rows.where(in_dates & F.col("repeat")).count(),
        "rejected": rejected,
        "days_without_rows": days_without_rows,
        "bad_files": [b["path"] for b in bad],
        "new_fields": new_fields,
        "days_without_data": without,
        "ignored_files": hidden,
    }


def gold(job: str, transform, argv: list[str], spark: SparkSession) -> dict:
    """A silver → gold job: reads the processing dates' partitions of every
    system from the silver table, applies transform and replaces those
    partitions of the gold table. A system's day without silver rows is
    skipped and reported; none for any is an error."""
    args = job_args(argv, ["database", "systems", "legacy_system", "source_table", "target_table", "target_path"])
    dates = parse_dates(args["process_date"])
    systems = parse_systems(args["systems"])
    configure(spark)
    db, legacy = args["database"], args["legacy_system"]
    source = read_partitions(spark, db, args["source_table"], legacy)
    source = source.where(F.col("system").isin(systems) & F.col("dt").isin(dates))
    present = {(r.system, r.dt) for r in source.select(*PARTITIONS).distinct().collect()}
    where = f"rows in {db}.{args['source_table']} for {{days}} of {{systems}}"
    parts, without = with_data(args["process_date"], systems, dates, present, where)
    if without:
        log(job, event="days without silver rows, skipped", days=without)
    rows = write_partitions(spark, transform(source), db, args["target_table"], args["target_path"], parts, legacy)
    log(job, dates=dates, systems=systems, table=f"{db}.{args['target_table']}", rows=rows, days_without_data=without)
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
