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

from velib_transforms import raw_to_silver

MAX_DAYS = 366


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
    first, sep, last = spec.strip().partition("..")
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


def read_raw(spark: SparkSession, raw_path: str, dates: list[str]) -> DataFrame:
    """The raw snapshots of the given dates: one row per object, with the whole
    JSON text in ``value`` and its partition in ``dt``. Other dates are never
    listed, so the cost follows the dates processed, not the history."""
    root = raw_path.rstrip("/")
    paths = {d: f"{root}/dt={d}/" for d in dates}
    missing = [d for d, p in paths.items() if not _exists(spark, p)]
    if missing:
        raise JobError(f"no raw snapshots for {', '.join(missing)} under {root}/")
    df = spark.read.option("basePath", root).text(list(paths.values()), wholetext=True)
    return df.withColumn("dt", F.col("dt").cast("string"))


def _exists(spark: SparkSession, path: str) -> bool:
    """Asks the path's Hadoop file system (S3 on Glue, local in tests)."""
    jvm = spark.sparkContext._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    return p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(p)


def read_partitions(spark: SparkSession, database: str, table: str, dates: list[str]) -> DataFrame:
    """The rows of the given date partitions of a catalog table."""
    name = f"`{database}`.`{table}`"
    if not spark.catalog.tableExists(f"{database}.{table}"):
        raise JobError(f"table {database}.{table} does not exist yet: run the job that writes it first")
    return spark.table(name).where(F.col("dt").isin(dates))


def write_partitions(spark: SparkSession, df: DataFrame, database: str, table: str, path: str, dates: list[str]) -> int:
    """Replaces the given date partitions of a Parquet table partitioned by
    ``dt``, creating the table at ``path`` first if needed, and registers the
    partitions in the catalog. Returns the number of rows now in them.

    Dates with no rows are an error: writing nothing would leave the old rows
    in place and report success.
    """
    name = f"`{database}`.`{table}`"
    if not spark.catalog.tableExists(f"{database}.{table}"):
        columns = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in df.schema.fields if f.name != "dt")
        spark.sql(
            f"CREATE TABLE IF NOT EXISTS {name} ({columns}, `dt` string) "
            f"USING PARQUET PARTITIONED BY (dt) LOCATION '{path}'"
        )
    columns = [f.name for f in spark.table(name).schema.fields]
    df = df.where(F.col("dt").isin(dates)).select(columns).cache()
    try:
        present = {r.dt for r in df.select("dt").distinct().collect()}
        empty = [d for d in dates if d not in present]
        if empty:
            raise JobError(f"no rows for {', '.join(empty)} to write to {database}.{table}")
        df.write.insertInto(name, overwrite=True)
    finally:
        df.unpersist()
    return spark.table(name).where(F.col("dt").isin(dates)).count()


def silver(job: str, argv: list[str], spark: SparkSession) -> int:
    """The raw → silver job: reads the raw snapshots of the processing dates
    and replaces those partitions of the silver table."""
    args = job_args(argv, ["database", "raw_path", "target_table", "target_path"])
    dates = parse_dates(args["process_date"])
    configure(spark)
    table = raw_to_silver(read_raw(spark, args["raw_path"], dates))
    rows = write_partitions(spark, table, args["database"], args["target_table"], args["target_path"], dates)
    log(job, dates=dates, table=f"{args['database']}.{args['target_table']}", rows=rows)
    return rows


def gold(job: str, transform, argv: list[str], spark: SparkSession) -> int:
    """A silver → gold job: reads the processing dates' partitions of the
    silver table, applies transform and replaces those partitions of the gold
    table."""
    args = job_args(argv, ["database", "source_table", "target_table", "target_path"])
    dates = parse_dates(args["process_date"])
    configure(spark)
    source = read_partitions(spark, args["database"], args["source_table"], dates)
    rows = write_partitions(
        spark, transform(source), args["database"], args["target_table"], args["target_path"], dates
    )
    log(job, dates=dates, table=f"{args['database']}.{args['target_table']}", rows=rows)
    return rows


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
