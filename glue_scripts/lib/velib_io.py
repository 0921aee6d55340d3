"""I/O shared by the Glue entry scripts: arguments, session, raw input, tables.

Nothing here imports ``awsglue``: on Glue the job's arguments define the
Iceberg catalog (``--catalog``, glue_catalog, the Glue Data Catalog), and
locally the same code runs against a local Iceberg catalog of that name.
The tables themselves are velib_tables'.
"""

import datetime as dt
import json
import re
import sys
import time
import uuid
from dataclasses import dataclass

import velib_tables
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from velib_tables import PARTITIONS, in_parts

import velib_silver

MAX_DAYS = 366
RANGE_SEP = ".."
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
    """Settings every job relies on: times in UTC."""
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    return spark


# The arguments that say where a job's tables are and who writes them.
CATALOG_ARGS = ["catalog", "database", "legacy_system"]


def catalog_of(args: dict[str, str]) -> velib_tables.Catalog:
    """The tables' catalog from a job's arguments. Every commit is tagged
    with ``--execution_id`` (the state machine passes its execution's id),
    or, for a run started by hand, Glue's own job run id."""
    execution = args.get("execution_id") or (
        "glue-job-run:" + args["JOB_RUN_ID"] if args.get("JOB_RUN_ID") else "manual:" + uuid.uuid4().hex
    )
    return velib_tables.Catalog(args["catalog"], args["database"], args["legacy_system"], execution)


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


def list_raw(spark: SparkSession, roots: list[str], systems: list[str], dates: list[str]) -> RawListing:
    """The raw files of each system's given dates under each of roots (the
    ingest's, and the arrivals' when given), subfolders of a day's folder
    included (a copy may keep its own layout). Other dates are never
    listed, so the cost follows the dates processed, not the history."""
    listing = RawListing({}, {}, [])
    for s in systems:
        for d in dates:
            listing.files[(s, d)] = []
            folders = [f"{root}/{s}/dt={d}/" for root in roots]
            for path, size, hidden in (f for folder in folders for f in _files(spark, folder)):
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


def flag_arg(args: dict[str, str], name: str) -> bool:
    """A true/false job argument; absent is false."""
    value = args.get(name, "false").strip().lower()
    if value not in ("true", "false"):
        raise JobError(f"--{name} must be true or false, not {args[name]!r}")
    return value == "true"


# The job argument that lets raw → silver go on without the raw files it
# cannot use, which it then names in its log and counts.
ACCEPT_BAD_FILES = "accept_bad_raw_files"

# The optional job argument naming the arrivals' root, in the raw layout
# (the stack's layout.ArrivalsArg).
ARRIVALS_PATH = "arrivals_path"


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
        CATALOG_ARGS + ["raw_path", "systems", "target_table", "target_path", "rejects_table", "rejects_path"],
    )
    catalog = catalog_of(args)
    dates = parse_dates(args["process_date"])
    systems = parse_systems(args["systems"])
    accept = flag_arg(args, ACCEPT_BAD_FILES)
    configure(spark)
    # Snapshots that arrived by another way than the ingest (a partner's
    # upload, a copy, a restore) are refined with the ingest's.
    roots = [args[a].rstrip("/") for a in ("raw_path", ARRIVALS_PATH) if args.get(a)]
    listing = list_raw(spark, roots, systems, dates)
    present = {p for p, files in listing.files.items() if files}
    where = "raw snapshots for {days} under " + " or ".join(root + "/{systems}/" for root in roots)
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
            # Rejects first, then silver: there is no commit across two
            # tables, and silver is what gold reads. A run killed between
            # the two leaves silver as it was and new rejects, which the
            # next run of the same days replaces again: it converges.
            write = {"spark": spark, "catalog": catalog, "parts": parts, "allow_empty": True}
            bounced = _written(write, refused, args["rejects_table"], args["rejects_path"])
            written = _written(write, kept, args["target_table"], args["target_path"])
            result = silver_result(
                rows, kept, refused, parts, written["rows"], bad, new_fields, without, listing.hidden
            )
            result["commits"] = {**bounced["commits"], **written["commits"]}
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
    in_dates = in_parts(parts)
    # One Spark action for every count: each action plans and compiles
    # anew, which costs more than counting a day's rows.
    kinds = [
        refused.select("system", "dt", "reason", F.lit(False).alias("over_capacity"), F.lit("rejected").alias("kind")),
        kept.select(
            "system", "dt", F.lit(None).cast("string").alias("reason"), "over_capacity", F.lit("kept").alias("kind")
        ),
        rows.where(F.col("repeat")).select(
            "system",
            "dt",
            F.lit(None).cast("string").alias("reason"),
            F.lit(False).alias("over_capacity"),
            F.lit("repeat").alias("kind"),
        ),
    ]
    tally = kinds[0].unionByName(kinds[1]).unionByName(kinds[2]).where(in_dates)
    counts = tally.groupBy("kind", "system", "dt", "reason", "over_capacity").count()
    rejected: dict = {}
    by_day: dict = {}
    with_rows: set = set()
    over_capacity = repeats = 0
    for r in counts.orderBy("kind", "system", "dt", "reason").collect():
        if r["kind"] == "rejected":
            rejected.setdefault(r["system"], {}).setdefault(r["reason"], 0)
            rejected[r["system"]][r["reason"]] += r["count"]
            by_day.setdefault((r["system"], r["dt"]), {})[r["reason"]] = r["count"]
        elif r["kind"] == "kept":
            with_rows.add((r["system"], r["dt"]))
            over_capacity += r["count"] if r["over_capacity"] else 0
        else:
            repeats += r["count"]
    days_without_rows: dict = {}
    for s, d in sorted(set(parts) - with_rows):
        days_without_rows.setdefault(s, {})[d] = by_day.get((s, d), {})
    return {
        "rows": written,
        "over_capacity": over_capacity,
        "repeats": repeats,
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
    args = job_args(argv, CATALOG_ARGS + ["systems", "source_table", "target_table", "target_path"])
    catalog = catalog_of(args)
    dates = parse_dates(args["process_date"])
    systems = parse_systems(args["systems"])
    configure(spark)
    db = args["database"]
    source = _tables(velib_tables.read, spark, catalog, args["source_table"])
    source = source.where(F.col("system").isin(systems) & F.col("dt").isin(dates))
    present = {(r.system, r.dt) for r in source.select(*PARTITIONS).distinct().collect()}
    where = f"rows in {db}.{args['source_table']} for {{days}} of {{systems}}"
    parts, without = with_data(args["process_date"], systems, dates, present, where)
    if without:
        log(job, event="days without silver rows, skipped", days=without)
    write = {"spark": spark, "catalog": catalog, "parts": parts}
    written = _written(write, transform(source), args["target_table"], args["target_path"])
    result = {"rows": written["rows"], "days_without_data": without, "commits": written["commits"]}
    log(job, dates=dates, systems=systems, table=f"{db}.{args['target_table']}", **result)
    return result


def _written(write: dict, df: DataFrame, table: str, path: str) -> dict:
    """velib_tables.write, its result given as the job's: the ``rows`` now
    in the partitions, and under ``commits`` the table's snapshot and the
    one before."""
    done = _tables(velib_tables.write, df=df, table=table, path=path, **write)
    name = f"{write['catalog'].database}.{table}"
    return {"rows": done["rows"], "commits": {name: done["commit"]}}


def _tables(do, *args, **kwargs):
    """Runs a velib_tables function, its refusal a JobError."""
    try:
        return do(*args, **kwargs)
    except velib_tables.TableError as err:
        raise JobError(str(err)) from None


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
