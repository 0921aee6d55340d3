"""Parquet tables written by earlier versions become Iceberg tables on
their writer's next run, every file adopted where it is: both old layouts
(partitioned by system and day, and by day alone), the refusals, and an
upgrade stopped at any step and resumed."""

import os
import shutil

import pytest
import velib_tables
import velib_upgrade
from conftest import ICEBERG
from test_jobs import day as raw_day
from test_jobs import files, partitions, run_gold, run_silver

import velib_io
from builders import DATABASE, Lake

OLD = f"{velib_tables.SESSION_CATALOG}.{DATABASE}.velib_data_silver"
PENDING = OLD + velib_upgrade.PENDING_SUFFIX
CATALOG = velib_tables.Catalog(ICEBERG, DATABASE, "velib", "test")


def parquet_silver(spark, lake, dates, by_system=True):
    """A silver table as an earlier version left it: Parquet in the
    session's catalog, external, partitioned by system and day (or by day
    alone), with the dates' rows. Returns its rows, as the Iceberg table
    should give them back (a day-only table's as Vélib's)."""
    for d in dates:
        raw_day(lake, d)
        run_silver(spark, lake, d)
    kept = spark.table(f"{DATABASE}.velib_data_silver")
    kept = spark.createDataFrame(kept.collect(), kept.schema)
    spark.sql(f"DROP TABLE {DATABASE}.velib_data_silver")
    path = lake.table_path("silver")
    shutil.rmtree(path)
    layout = ["system", "dt"] if by_system else ["dt"]
    old = kept if by_system else kept.drop("system")
    # The v1 writer knows only the session's catalog by name.
    spark.catalog.setCurrentCatalog(velib_tables.SESSION_CATALOG)
    try:
        old.write.format("parquet").partitionBy(*layout).option("path", path).saveAsTable(
            f"{DATABASE}.velib_data_silver"
        )
    finally:
        spark.catalog.setCurrentCatalog(ICEBERG)
    return as_dicts(kept)


def as_dicts(df):
    """The rows as sorted (column, value) lists: the same whatever the
    columns' order."""
    return sorted(sorted(r.asDict().items()) for r in df.collect())


def data_files(lake):
    """The table's Parquet files (outside Iceberg's own folders), with their
    modification times."""
    found = files(lake.table_path("silver"))
    return {p: t for p, t in found.items() if not p.startswith(("data/", "metadata/"))}


@pytest.mark.parametrize("by_system", [True, False], ids=["system-and-day", "day-only"])
def test_a_parquet_table_becomes_iceberg_keeping_every_file_and_row(spark, lake, capsys, by_system):
    before = parquet_silver(spark, lake, ["2026-11-19", "2026-11-20"], by_system)
    old_files = data_files(lake)
    assert len(old_files) == 2
    # Gold reads the Parquet table before its writer has upgraded it.
    assert run_gold(spark, lake, "2026-11-19..2026-11-20") == (6, 14)

    raw_day(lake, "2026-11-21")
    run_silver(spark, lake, "2026-11-21")
    logged = capsys.readouterr().out
    assert '"event": "upgraded to Iceberg, files adopted as they are"' in logged
    assert '"partitions": 2, "rows": 14' in logged
    assert ('"event": "partitioned by system and dt"' in logged) is not by_system
    # One entry of that name, as in the Glue Data Catalog, and no pending one.
    assert not spark.catalog.tableExists(OLD) and not spark.catalog.tableExists(PENDING)
    assert partitions(spark, "velib_data_silver") == [f"system=velib/dt=2026-11-{d}" for d in (19, 20, 21)]
    assert data_files(lake) == old_files, "a file was rewritten, moved or deleted"
    assert as_dicts(spark.table(f"{DATABASE}.velib_data_silver").where("dt < '2026-11-21'")) == before

    # The adopted days re-run in place, and gold reads all three.
    run_silver(spark, lake, "2026-11-20")
    assert spark.table(f"{DATABASE}.velib_data_silver").where("dt = '2026-11-20'").count() == 7
    assert run_gold(spark, lake, "2026-11-19..2026-11-21") == (9, 21)


def test_paths_no_partition_holds_are_refused_before_anything_changes(spark, lake):
    parquet_silver(spark, lake, ["2026-11-20"])
    root = lake.table_path("silver")
    # A killed Parquet overwrite's staging folder, a day the catalog never
    # heard of, a subfolder of a partition, and a file at the top.
    for folder in [".spark-staging-1234", "system=velib/dt=2026-11-30", "system=velib/dt=2026-11-20/copy"]:
        os.makedirs(os.path.join(root, folder))
        open(os.path.join(root, folder, "part-0.parquet"), "w").close()
    open(os.path.join(root, "stray.parquet"), "w").close()
    raw_day(lake, "2026-11-21")
    with pytest.raises(velib_io.JobError) as refused:
        run_silver(spark, lake, "2026-11-21")
    message = str(refused.value)
    assert "4 path(s) under" in message and "orphan-file removal would delete them" in message
    for path in [".spark-staging-1234/", "system=velib/dt=2026-11-30/", "dt=2026-11-20/copy/", "stray.parquet"]:
        assert path in message
    assert spark.catalog.tableExists(OLD) and not spark.catalog.tableExists(PENDING)
    assert not CATALOG.is_iceberg(spark, "velib_data_silver")
    # Dealt with, the next run upgrades.
    for folder in [".spark-staging-1234", "system=velib/dt=2026-11-30", "system=velib/dt=2026-11-20/copy"]:
        shutil.rmtree(os.path.join(root, folder))
    os.remove(os.path.join(root, "stray.parquet"))
    run_silver(spark, lake, "2026-11-21")
    assert partitions(spark, "velib_data_silver") == ["system=velib/dt=2026-11-20", "system=velib/dt=2026-11-21"]


def test_a_managed_table_is_not_upgraded(spark, lake):
    spark.sql(
        f"CREATE TABLE {OLD} (station_id string, system string, dt string) USING parquet PARTITIONED BY (system, dt)"
    )
    raw_day(lake, "2026-11-20")
    with pytest.raises(velib_io.JobError, match="is a MANAGED table: dropping its Parquet definition would delete"):
        run_silver(spark, lake, "2026-11-20")
    assert spark.catalog.tableExists(OLD)


def test_a_table_elsewhere_is_not_upgraded(spark, lake):
    spark.sql(
        f"CREATE TABLE {OLD} (station_id string, system string, dt string) USING parquet "
        f"PARTITIONED BY (system, dt) LOCATION '{lake.table_path('elsewhere')}'"
    )
    raw_day(lake, "2026-11-20")
    with pytest.raises(velib_io.JobError, match="is a Parquet table at .*elsewhere, not at .*silver"):
        run_silver(spark, lake, "2026-11-20")


def _stop_after(step, spark, lake):
    """Leaves the upgrade as a run killed after step would."""
    name = velib_tables.Catalog(ICEBERG, DATABASE, "velib").session_table("velib_data_silver")
    parts = velib_upgrade._partitions(spark, name)
    schema = spark.table(name).schema
    rows = spark.table(name).count()
    velib_upgrade._define(spark, PENDING, schema, lake.table_path("silver"), parts, rows)
    if step == "pending definition made":
        return
    spark.sql(f"DROP TABLE {OLD}")
    if step == "Parquet definition dropped":
        return
    velib_tables.create(spark, CATALOG, "velib_data_silver", lake.table_path("silver"), schema)
    if step == "Iceberg table created":
        return
    spark.catalog.setCurrentCatalog(velib_tables.SESSION_CATALOG)
    spark.sql(f"CALL {ICEBERG}.system.add_files(table => '{DATABASE}.velib_data_silver', source_table => '{PENDING}')")
    spark.catalog.setCurrentCatalog(ICEBERG)


@pytest.mark.parametrize(
    "step", ["pending definition made", "Parquet definition dropped", "Iceberg table created", "files added"]
)
def test_an_upgrade_stopped_after_any_step_resumes_without_losing_or_doubling_a_row(spark, lake, step):
    before = parquet_silver(spark, lake, ["2026-11-19", "2026-11-20"])
    _stop_after(step, spark, lake)
    raw_day(lake, "2026-11-21")
    run_silver(spark, lake, "2026-11-21")
    assert not spark.catalog.tableExists(OLD) and not spark.catalog.tableExists(PENDING)
    assert as_dicts(spark.table(f"{DATABASE}.velib_data_silver").where("dt < '2026-11-21'")) == before


def _parquet_table(spark, path, partitions):
    """An external Parquet silver table at path with the given (dt,
    folder) partitions of Vélib', one file of two rows each."""
    spark.sql(
        f"CREATE TABLE {OLD} (station_id string, system string, dt string) USING parquet "
        f"PARTITIONED BY (system, dt) LOCATION '{velib_tables.sql_text(path)}'"
    )
    rows = spark.createDataFrame([("s1",), ("s2",)], "station_id string")
    for d, folder in partitions:
        rows.coalesce(1).write.parquet(folder)
        spark.sql(
            f"ALTER TABLE {OLD} ADD PARTITION (system = 'velib', dt = '{velib_tables.sql_text(d)}') "
            f"LOCATION '{velib_tables.sql_text(folder)}'"
        )


def test_a_partition_outside_the_tables_folder_is_refused(spark, lake, tmp_path):
    path = lake.table_path("silver")
    outside = str(tmp_path / "elsewhere" / "dt=2026-11-19")
    _parquet_table(spark, path, [("2026-11-19", outside)])
    raw_day(lake, "2026-11-20")
    with pytest.raises(velib_io.JobError, match=r"1 partition\(s\) outside .*silver.*elsewhere/dt=2026-11-19"):
        run_silver(spark, lake, "2026-11-20")
    assert spark.catalog.tableExists(OLD)


@pytest.mark.parametrize("value", ["a:b", "it's", "50%", "x y", "é"])
def test_partition_values_hive_escapes_are_adopted(spark, lake, value):
    path = lake.table_path("silver")
    _parquet_table(spark, path, [(value, os.path.join(path, "legacy", "p1"))])
    raw_day(lake, "2026-11-20")
    run_silver(spark, lake, "2026-11-20")
    got = spark.sql(f"SELECT dt, count(*) AS n FROM {DATABASE}.velib_data_silver GROUP BY dt").collect()
    assert {r.dt: r.n for r in got} == {value: 2, "2026-11-20": 7}


def test_a_lake_whose_path_has_a_quote_and_a_percent(spark, lake, tmp_path):
    lake = Lake(tmp_path / "it's 50% é")
    before = parquet_silver(spark, lake, ["2026-11-19"])
    raw_day(lake, "2026-11-21")
    run_silver(spark, lake, "2026-11-21")
    assert as_dicts(spark.table(f"{DATABASE}.velib_data_silver").where("dt < '2026-11-21'")) == before


def test_an_upgrade_that_would_lose_rows_stops_and_keeps_its_pending_definition(spark, lake):
    parquet_silver(spark, lake, ["2026-11-19"])
    name = CATALOG.session_table("velib_data_silver")
    parts, schema = velib_upgrade._partitions(spark, name), spark.table(name).schema
    # The Parquet table held one row more than its files give now.
    velib_upgrade._define(spark, PENDING, schema, lake.table_path("silver"), parts, spark.table(name).count() + 1)
    spark.sql(f"DROP TABLE {OLD}")
    raw_day(lake, "2026-11-21")
    with pytest.raises(velib_io.JobError, match="the Iceberg table has 7 rows where its Parquet files hold 8"):
        run_silver(spark, lake, "2026-11-21")
    assert spark.catalog.tableExists(PENDING)
