"""The upgrade of a table an earlier version wrote as Parquet, in the
session's catalog, to an Iceberg table at the same location, adopting its
files as they are: no file is rewritten, moved or deleted.

On Glue both catalogs are the Glue Data Catalog, where a name is one entry,
so the Parquet definition must be gone before the Iceberg table of the same
name is created. The steps, each safe to be killed after:

1. A table partitioned by ``dt`` alone is defined again, partitioned by
   system and day, its days registered as legacy_system's (move_to_systems).
2. Any folder or file under the table's location that is no partition of it
   is refused: Iceberg's orphan-file removal would delete it.
3. A pending definition (``<table>__parquet_upgrade``) is made over the same
   partition locations, then the Parquet definition is dropped (only the
   definition: the table is external; a managed one is refused).
4. The Iceberg table is created and the pending definition's files added to
   it in one commit (Iceberg's ``add_files``), the row counts compared, and
   the pending definition dropped.

A run that finds a pending definition resumes at step 3 or 4. Iceberg's
``migrate`` is not used: it renames the source table, which the Glue Data
Catalog cannot do.
"""

import json
import time
from urllib.parse import unquote

from pyspark.sql import SparkSession
from velib_tables import (
    SESSION_CATALOG,
    Catalog,
    TableError,
    columns_sql,
    partition_columns,
    sql_text,
    table_detail,
)
from velib_tables import plain_location as _plain

PENDING_SUFFIX = "__parquet_upgrade"
# The pending definition's property recording the rows the Parquet table
# held: the Iceberg table must hold as many.
ROWS_PROPERTY = "velib.rows-to-adopt"
# How many unknown paths a refusal names; it counts them all.
SHOWN = 20


def upgrade(spark: SparkSession, catalog: Catalog, table: str, path: str) -> dict | None:
    """Upgrades table if it is still Parquet (or an upgrade of it was
    interrupted), and returns what it did: ``partitions`` and ``rows``
    adopted. None when there was nothing to upgrade."""
    pending = table + PENDING_SUFFIX
    if catalog.in_session(spark, pending):
        if not catalog.is_iceberg(spark, table) and catalog.in_session(spark, table):
            # Stopped before the Parquet definition was dropped: start over.
            spark.sql(f"DROP TABLE {catalog.session_table(pending)}")
        else:
            return _adopt(spark, catalog, table, path)
    if catalog.is_iceberg(spark, table) or not catalog.in_session(spark, table):
        return None
    name = catalog.session_table(table)
    _refuse_managed(spark, catalog, table)
    if "system" not in partition_columns(spark, f"{SESSION_CATALOG}.{catalog.database}.{table}"):
        move_to_systems(spark, catalog, table, path)
    location = table_detail(spark, name, "Location")
    if _plain(location) != _plain(path):
        raise TableError(
            f"{catalog.database}.{table} is a Parquet table at {location}, not at {path} as the job is told: "
            "nothing was changed"
        )
    partitions = _partitions(spark, name)
    # A partition elsewhere would be adopted where housekeeping's expiry
    # may delete its files, outside the prefixes it is meant to touch.
    outside = sorted(loc for _, _, loc in partitions if not _plain(loc).startswith(_plain(path) + "/"))
    if outside:
        raise TableError(
            f"{catalog.database}.{table} cannot become an Iceberg table yet: {len(outside)} partition(s) outside "
            f"{path}: "
            + ", ".join(outside[:SHOWN])
            + (", ..." if len(outside) > SHOWN else "")
            + ". Move their files under the table's folder and register them there, then run the job again; "
            "nothing was changed"
        )
    unknown = unknown_paths(spark, path, [loc for _, _, loc in partitions])
    if unknown:
        raise TableError(
            f"{catalog.database}.{table} cannot become an Iceberg table yet: {len(unknown)} path(s) under {path} "
            "belong to no partition of it, and Iceberg's orphan-file removal would delete them: "
            + ", ".join(unknown[:SHOWN])
            + (", ..." if len(unknown) > SHOWN else "")
            + ". Move them out of the table's folder (or delete them), then run the job again; nothing was changed"
        )
    schema = spark.table(name).schema
    # The rows to find again after adopting the files, kept with the
    # pending definition so that a resumed upgrade compares with them too.
    rows = spark.table(name).count()
    _define(spark, catalog.session_table(pending), schema, path, partitions, rows)
    spark.sql(f"DROP TABLE {name}")
    return _adopt(spark, catalog, table, path)


def _adopt(spark: SparkSession, catalog: Catalog, table: str, path: str) -> dict:
    """Step 4: the Iceberg table, holding the pending definition's files."""
    from velib_tables import create

    pending = catalog.session_table(table + PENDING_SUFFIX)
    source = spark.table(pending)
    if not catalog.is_iceberg(spark, table):
        create(spark, catalog, table, path, source.schema)
    name = catalog.table(table)
    partitions = _partitions(spark, pending)
    if partitions and spark.sql(f"SELECT count(*) FROM {name}.snapshots").first()[0] == 0:
        # add_files reads the source's partitions by a name without its
        # catalog, which Spark resolves in the current catalog.
        current = spark.catalog.currentCatalog()
        spark.catalog.setCurrentCatalog(SESSION_CATALOG)
        try:
            spark.sql(
                f"CALL `{catalog.name}`.system.add_files(table => '{catalog.database}.{table}', "
                f"source_table => '{SESSION_CATALOG}.{catalog.database}.{table}{PENDING_SUFFIX}')"
            )
        finally:
            spark.catalog.setCurrentCatalog(current)
    before, after = _rows_before(spark, pending), spark.table(name).count()
    if before != after:
        raise TableError(
            f"{catalog.database}.{table}: the Iceberg table has {after} rows where its Parquet files hold {before}; "
            f"the definition {table}{PENDING_SUFFIX} over those files is kept for a look"
        )
    spark.sql(f"DROP TABLE {pending}")
    done = {"table": f"{catalog.database}.{table}", "partitions": len(partitions), "rows": after}
    _log(event="upgraded to Iceberg, files adopted as they are", **done)
    return done


def _rows_before(spark: SparkSession, pending: str) -> int:
    """The rows the Parquet table held, as its pending definition records."""
    props = {r.key: r.value for r in spark.sql(f"SHOW TBLPROPERTIES {pending}").collect()}
    if ROWS_PROPERTY not in props:
        raise TableError(
            f"{pending} does not record the rows to adopt ({ROWS_PROPERTY}): it was not made by an upgrade"
        )
    return int(props[ROWS_PROPERTY])


def _refuse_managed(spark: SparkSession, catalog: Catalog, table: str) -> None:
    kind = table_detail(spark, catalog.session_table(table), "Type")
    if kind.upper() != "EXTERNAL":
        raise TableError(
            f"{catalog.database}.{table} is a {kind} table: dropping its Parquet definition would delete its files, "
            "so it is not upgraded; nothing was changed"
        )


def move_to_systems(spark: SparkSession, catalog: Catalog, table: str, path: str) -> None:
    """Defines again a Parquet table partitioned by ``dt`` alone, as
    versions before the system partition wrote it, partitioned by
    PARTITIONS, each old partition registered as legacy_system's partition
    of its date at the folder it already has. Only the definition is
    dropped (the table is external), and no file moves."""
    name = catalog.session_table(table)
    old = [(spec["dt"], location) for spec, location in _specs(spark, name)]
    schema = spark.table(name).schema
    spark.sql(f"DROP TABLE {name}")
    _define(spark, name, schema, path, [(catalog.legacy_system, d, loc) for d, loc in old])
    _log(event="partitioned by system and dt", table=name, system=catalog.legacy_system, partitions=len(old))


def _define(
    spark: SparkSession, name: str, schema, path: str, partitions: list[tuple], rows: int | None = None
) -> None:
    """A Parquet table partitioned by PARTITIONS at path, with the given
    (system, dt, location) partitions, and the count of rows it must hold
    as a property (a pending definition's)."""
    columns = columns_sql(schema)
    # parquet in lower case: Iceberg's add_files knows formats by that name.
    spark.sql(
        f"CREATE TABLE {name} ({columns}, `system` string, `dt` string) "
        f"USING parquet PARTITIONED BY (system, dt) LOCATION '{sql_text(path)}'"
        + ("" if rows is None else f" TBLPROPERTIES ('{ROWS_PROPERTY}' = '{rows}')")
    )
    for s, d, location in partitions:
        spark.sql(
            f"ALTER TABLE {name} ADD IF NOT EXISTS PARTITION (system = '{sql_text(s)}', dt = '{sql_text(d)}') "
            f"LOCATION '{sql_text(location)}'"
        )


def _partitions(spark: SparkSession, name: str) -> list[tuple]:
    """The (system, dt, location) of each partition of a Parquet table."""
    return [(spec["system"], spec["dt"], location) for spec, location in _specs(spark, name)]


def _specs(spark: SparkSession, name: str) -> list[tuple]:
    found = []
    for row in spark.sql(f"SHOW PARTITIONS {name}").collect():
        # SHOW PARTITIONS escapes values as Hive names folders (: as %3A).
        spec = {k: unquote(v) for k, v in (part.split("=", 1) for part in row.partition.split("/"))}
        where = ", ".join(f"{k} = '{sql_text(v)}'" for k, v in spec.items())
        info = spark.sql(f"DESCRIBE TABLE EXTENDED {name} PARTITION ({where})").collect()
        # The location as a path: DESCRIBE gives a URI, %-escaped.
        found.append((spec, unquote(next(r.data_type for r in info if r.col_name == "Location"))))
    return found


def unknown_paths(spark: SparkSession, root: str, partitions: list[str]) -> list[str]:
    """The folders and files under root that belong to no partition: a
    folder that is neither a partition location nor above one, and a file
    outside every partition location (a checksum or marker file, whose name
    starts with . or _, aside). A partition's own subfolders are unknown
    too: adding its files does not reach them. Sorted."""
    jvm = spark.sparkContext._jvm
    top = jvm.org.apache.hadoop.fs.Path(root)
    fs = top.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if not fs.exists(top):
        return []
    known = {_plain(p) for p in partitions}
    above = {k.rsplit("/", n)[0] for k in known for n in range(1, k.count("/") + 1)}
    unknown, todo = [], [fs.getFileStatus(top)]
    while todo:
        for st in fs.listStatus(todo.pop().getPath()):
            path = _plain(st.getPath().toString())
            if st.isDirectory():
                if path in above:
                    todo.append(st)
                elif path in known:
                    unknown += [
                        _plain(s.getPath().toString()) + "/" for s in fs.listStatus(st.getPath()) if s.isDirectory()
                    ]
                else:
                    unknown.append(path + "/")
            elif not st.getPath().getName().startswith((".", "_")) and path.rsplit("/", 1)[0] not in known:
                unknown.append(path)
    return sorted(unknown)


def _log(**fields) -> None:
    print(
        json.dumps({"job": "upgrade", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **fields}), flush=True
    )
