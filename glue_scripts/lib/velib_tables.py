"""The pipeline's tables: Apache Iceberg tables (format version 2) in an
Iceberg catalog, partitioned by system and day.

A job replaces exactly the (system, day) partitions it processed, in one
commit per table: an overwrite by those partitions' condition, so a reader
sees the table as it was before the commit or as it is after, never a
partition half-written or empty, and a job killed before its commit leaves
the table as it was. Each commit carries the execution that made it
(EXECUTION_PROPERTY), which is what velib_undo restores from.

A table that an earlier version wrote as Parquet, in the session's own
catalog, is adopted by velib_upgrade on its writer's next run.
"""

from dataclasses import dataclass
from urllib.parse import unquote

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

# A table's partitions: the bike-share system, then the date.
PARTITIONS = ("system", "dt")
# The snapshot property naming the Step Functions execution (or the Glue
# job run, when a run was started by hand) that committed a snapshot.
EXECUTION_PROPERTY = "velib.execution-id"
# The session's own catalog: on Glue, the Glue Data Catalog through its Hive
# client, where earlier versions defined their Parquet tables.
SESSION_CATALOG = "spark_catalog"


class TableError(Exception):
    """A table cannot be read or written as asked; the message says why."""


@dataclass(frozen=True)
class Catalog:
    """Where a job's tables are and who writes them: ``name`` is the
    Iceberg catalog as the Spark session defines it (glue_catalog on Glue,
    a local one in make local and the tests), ``database`` its namespace,
    ``legacy_system`` the system whose rows a table partitioned by day alone
    holds, and ``execution`` what every commit is tagged with."""

    name: str
    database: str
    legacy_system: str
    execution: str = ""

    def table(self, table: str) -> str:
        """The Iceberg table's name, quoted for SQL."""
        return f"`{self.name}`.`{self.database}`.`{table}`"

    def session_table(self, table: str) -> str:
        """The name of a table in the session's catalog, quoted for SQL."""
        return f"`{SESSION_CATALOG}`.`{self.database}`.`{table}`"

    def is_iceberg(self, spark: SparkSession, table: str) -> bool:
        # On Glue both catalogs see the same entries; the Iceberg catalog
        # reports a Parquet table as missing, so this is asked first.
        return spark.catalog.tableExists(f"{self.name}.{self.database}.{table}")

    def in_session(self, spark: SparkSession, table: str) -> bool:
        return spark.catalog.tableExists(f"{SESSION_CATALOG}.{self.database}.{table}")


def in_parts(parts: list[tuple]) -> Column:
    """True for the rows of the given (system, date) partitions."""
    return F.concat_ws("/", "system", "dt").isin([f"{s}/{d}" for s, d in parts])


def parts_condition(parts: list[tuple]) -> Column:
    """The same rows as in_parts, written as Iceberg can push down to whole
    partitions: per system, its days. An overwrite by it deletes exactly
    those partitions' files."""
    by_system: dict[str, list[str]] = {}
    for s, d in parts:
        by_system.setdefault(s, []).append(d)
    condition = None
    for s, days in sorted(by_system.items()):
        one = (F.col("system") == s) & F.col("dt").isin(sorted(set(days)))
        condition = one if condition is None else condition | one
    return condition


def partition_columns(spark: SparkSession, name: str) -> list[str]:
    return [c.name for c in spark.catalog.listColumns(name) if c.isPartition]


def read(spark: SparkSession, catalog: Catalog, table: str) -> DataFrame:
    """The rows of a table partitioned by PARTITIONS. A Parquet table an
    earlier version wrote is read as it is, a day-only one's rows those of
    legacy_system: a reader (a gold job) may not upgrade the table it reads;
    its writer does, on its next run."""
    if catalog.is_iceberg(spark, table):
        return spark.table(catalog.table(table))
    if catalog.in_session(spark, table):
        # Imported late: velib_upgrade uses this module.
        from velib_upgrade import PENDING_SUFFIX

        if table.endswith(PENDING_SUFFIX):
            raise TableError(f"{catalog.database}.{table} is an upgrade's own definition, not a table to read")
        name = catalog.session_table(table)
        rows = spark.table(name)
        if "system" not in partition_columns(spark, f"{SESSION_CATALOG}.{catalog.database}.{table}"):
            rows = rows.withColumn("system", F.lit(catalog.legacy_system))
        return rows
    raise TableError(
        f"table {catalog.database}.{table} does not exist yet (or its upgrade to Iceberg was interrupted): "
        "run the job that writes it first"
    )


def ensure(spark: SparkSession, catalog: Catalog, table: str, path: str, schema) -> list[str]:
    """Makes table an Iceberg table at path, creating it or upgrading an
    earlier version's Parquet table, and gives it every column of schema it
    lacks. Returns the table's columns, in order. A table whose location is
    not path is refused: its files would be written where nothing looks."""
    from velib_upgrade import upgrade

    upgrade(spark, catalog, table, path)
    name = catalog.table(table)
    if not catalog.is_iceberg(spark, table):
        create(spark, catalog, table, path, schema)
    location = table_detail(spark, name, "Location")
    if plain_location(location) != plain_location(path):
        raise TableError(f"table {catalog.database}.{table} is at {location}, not at {path} as the job is told")
    have = {f.name for f in spark.table(name).schema.fields}
    new = [f"`{f.name}` {f.dataType.simpleString()}" for f in schema.fields if f.name not in have]
    if new:
        spark.sql(f"ALTER TABLE {name} ADD COLUMNS ({', '.join(new)})")
    return [f.name for f in spark.table(name).schema.fields]


def table_detail(spark: SparkSession, name: str, key: str) -> str:
    """One line of DESCRIBE TABLE EXTENDED: the table's Location, Type, …"""
    return spark.sql(f"DESCRIBE TABLE EXTENDED {name}").where(f"col_name = '{key}'").first().data_type


def columns_sql(schema) -> str:
    """schema's columns but the partitions, as a CREATE TABLE lists them."""
    return ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in schema.fields if f.name not in PARTITIONS)


def plain_location(url: str) -> str:
    """A location as comparable text: no trailing slash, and a local
    path's file: scheme dropped (the catalog adds it). A location given as
    a URI (with a scheme) has its %-escapes decoded, as a catalog writes a
    space as %20."""
    url = url.rstrip("/")
    if ":" in url.split("/", 1)[0]:
        url = unquote(url)
    for scheme in ("file://", "file:"):
        if url.startswith(scheme):
            return url[len(scheme) :]
    return url


def create(spark: SparkSession, catalog: Catalog, table: str, path: str, schema) -> None:
    """An empty Iceberg table of schema's columns at path."""
    columns = columns_sql(schema)
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS `{catalog.name}`.`{catalog.database}`")
    spark.sql(
        f"CREATE TABLE IF NOT EXISTS {catalog.table(table)} ({columns}, `system` string, `dt` string) "
        f"USING iceberg PARTITIONED BY (system, dt) LOCATION '{sql_text(path)}' "
        "TBLPROPERTIES ('format-version' = '2')"
    )


def write(
    spark: SparkSession,
    catalog: Catalog,
    df: DataFrame,
    table: str,
    path: str,
    parts: list[tuple],
    allow_empty: bool = False,
) -> dict:
    """Replaces the given (system, date) partitions of table with df's rows
    in them, in one commit tagged with the catalog's execution. Partitions
    with no rows are an error unless allow_empty: writing nothing would
    leave the old rows in place and report success. With allow_empty, they
    are emptied (by the same commit).

    Returns ``rows``, the rows now in those partitions, and ``commit``: the
    ``snapshot`` committed and the ``previous`` one (null for a new table).
    """
    columns = ensure(spark, catalog, table, path, df.schema)
    name = catalog.table(table)
    df = df.where(in_parts(parts)).select(columns)
    # Which partitions have rows matters only when an empty one is refused;
    # otherwise the overwrite is the one action on df.
    if not allow_empty:
        df = df.cache()
    try:
        if not allow_empty:
            present = {(r.system, r.dt) for r in df.select(*PARTITIONS).distinct().collect()}
            empty = [p for p in parts if p not in present]
            if empty:
                listed = ", ".join(f"{d} of {s}" for s, d in empty)
                raise TableError(f"no rows for {listed} to write to {catalog.database}.{table}")
        (
            df.writeTo(name)
            .option(f"snapshot-property.{EXECUTION_PROPERTY}", catalog.execution)
            .overwrite(parts_condition(parts))
        )
    finally:
        df.unpersist()
    commit = last_commit(spark, name, catalog.execution)
    rows = spark.read.option("snapshot-id", commit["snapshot"]).table(name).where(in_parts(parts)).count()
    return {"rows": rows, "commit": commit}


def last_commit(spark: SparkSession, name: str, execution: str) -> dict:
    """The newest snapshot of table name that execution committed, and its
    parent."""
    found = spark.sql(
        f"SELECT snapshot_id, parent_id FROM {name}.snapshots "
        f"WHERE summary['{EXECUTION_PROPERTY}'] = '{sql_text(execution)}' ORDER BY committed_at DESC LIMIT 1"
    ).first()
    return {"snapshot": found.snapshot_id, "previous": found.parent_id}


def sql_text(text: str) -> str:
    """text as the inside of a Spark SQL string literal ('...'): a path or
    a value may hold quotes and backslashes."""
    return text.replace("\\", "\\\\").replace("'", "\\'")
