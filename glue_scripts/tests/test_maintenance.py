"""The maintenance job: undoing one execution's commits, and housekeeping
(old snapshots expired, files no snapshot refers to removed)."""

import datetime as dt
import os

import pytest
import velib_maintain
import velib_tables
from conftest import ICEBERG
from test_jobs import day, rows, run_gold, run_silver

import velib_io
import velib_maintenance
from builders import DATABASE

TABLES = "velib_data_silver,velib_data_rejects,velib_avg_stats_gold,velib_avail_percent_gold"


def maintenance(spark, **extra):
    argv = ["--catalog", ICEBERG, "--database", DATABASE, "--tables", TABLES]
    for k, v in extra.items():
        argv += ["--" + k, v]
    return velib_maintenance.run(argv, spark)


def test_run_rerun_with_a_bad_change_undo_reads_the_first_runs_rows(spark, lake):
    day(lake, "2026-11-20", snapshots=3)
    run_silver(spark, lake, "2026-11-20", **{"--execution_id": "first"})
    run_gold(spark, lake, "2026-11-20", **{"--execution_id": "first"})
    first = {t: rows(spark, t) for t in TABLES.split(",")}
    # The bad change: a day's raw files lost but one, re-run.
    for f in sorted((lake.raw / "dt=2026-11-20").iterdir())[1:]:
        f.unlink()
    run_silver(spark, lake, "2026-11-20", **{"--execution_id": "bad"})
    run_gold(spark, lake, "2026-11-20", **{"--execution_id": "bad"})
    assert rows(spark, "velib_data_silver") != first["velib_data_silver"]

    result = maintenance(spark, action="undo", execution_id="bad")
    assert sorted(result["tables"]) == sorted(f"{DATABASE}.{t}" for t in TABLES.split(","))
    assert {t: rows(spark, t) for t in TABLES.split(",")} == first
    # Again: nothing left to undo, and nothing changes.
    with pytest.raises(velib_io.JobError, match="execution bad has no commit to undo"):
        maintenance(spark, action="undo", execution_id="bad")
    assert {t: rows(spark, t) for t in TABLES.split(",")} == first


def test_undo_refuses_to_lose_a_later_commit_unless_forced(spark, lake):
    day(lake, "2026-11-20")
    day(lake, "2026-11-21")
    run_silver(spark, lake, "2026-11-20", **{"--execution_id": "a"})
    run_silver(spark, lake, "2026-11-21", **{"--execution_id": "b"})
    before = rows(spark, "velib_data_silver")
    with pytest.raises(velib_io.JobError, match=r"undoing a would also undo what later commits wrote \(velib_data_"):
        maintenance(spark, action="undo", execution_id="a")
    assert rows(spark, "velib_data_silver") == before
    # Forced: a created the tables, so they are as before it, empty.
    result = maintenance(spark, action="undo", execution_id="a", force="true")
    assert result["tables"][f"{DATABASE}.velib_data_silver"]["also_undone"] == ["b"]
    assert rows(spark, "velib_data_silver") == []


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"action": "drop"}, "--action must be one of undo, housekeeping, not 'drop'"),
        ({"action": "undo"}, "give the execution to undo"),
        ({"action": "undo", "execution_id": "x", "force": "yes"}, "--force must be true or false"),
        ({"action": "housekeeping", "keep_days": "0"}, "--keep_days must be a whole number of days from 1"),
        ({"action": "housekeeping", "orphan_days": "2.5"}, "--orphan_days must be a whole number"),
        ({"action": "undo", "execution_id": "nobody"}, "execution nobody has no commit to undo"),
    ],
)
def test_bad_maintenance_arguments_are_named(spark, lake, extra, message):
    with pytest.raises(velib_io.JobError, match=message):
        maintenance(spark, **extra)


def test_housekeeping_expires_old_snapshots_and_removes_orphans_keeping_the_table(spark, lake):
    day(lake, "2026-11-20")
    for n in range(3):
        run_silver(spark, lake, "2026-11-20", **{"--execution_id": f"run-{n}"})
    now = rows(spark, "velib_data_silver")
    # A file no snapshot refers to, as a killed write leaves, old enough.
    stray = os.path.join(lake.table_path("silver"), "data", "stray.parquet")
    open(stray, "w").close()
    week_ago = (dt.datetime.now() - dt.timedelta(days=5)).timestamp()
    os.utime(stray, (week_ago, week_ago))
    catalog = velib_tables.Catalog(ICEBERG, DATABASE, "velib")
    done = velib_maintain.housekeeping(spark, catalog, ["velib_data_silver"], 7, 3)
    assert done[f"{DATABASE}.velib_data_silver"]["orphan_files"] >= 1
    assert not os.path.exists(stray)
    assert rows(spark, "velib_data_silver") == now
    snaps = spark.sql(f"SELECT count(*) FROM {DATABASE}.velib_data_silver.snapshots").first()[0]
    assert snaps == 3


def test_housekeeping_keeps_only_the_newest_snapshots_once_old(spark, lake, monkeypatch):
    monkeypatch.setattr(velib_maintain, "KEEP_LAST", 1)
    day(lake, "2026-11-20")
    for n in range(3):
        run_silver(spark, lake, "2026-11-20", **{"--execution_id": f"run-{n}"})
    catalog = velib_tables.Catalog(ICEBERG, DATABASE, "velib")
    # A month on (orphans older than two days ago, as Iceberg insists on a day).
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    done = velib_maintain.housekeeping(spark, catalog, ["velib_data_silver"], 7, 32, now=later)
    assert done[f"{DATABASE}.velib_data_silver"]["expired_data_files"] == 2
    assert spark.sql(f"SELECT count(*) FROM {DATABASE}.velib_data_silver.snapshots").first()[0] == 1
    assert spark.table(f"{DATABASE}.velib_data_silver").count() == 7


def _expire_all_but_the_newest(spark, monkeypatch, tables):
    monkeypatch.setattr(velib_maintain, "KEEP_LAST", 1)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    catalog = velib_tables.Catalog(ICEBERG, DATABASE, "velib")
    velib_maintain.housekeeping(spark, catalog, tables, 7, 32, now=later)


def test_undo_changes_nothing_when_one_tables_snapshot_before_has_expired(spark, lake, monkeypatch):
    day(lake, "2026-11-20")
    run_silver(spark, lake, "2026-11-20", **{"--execution_id": "a"})
    run_silver(spark, lake, "2026-11-20", **{"--execution_id": "b"})
    rejects = spark.sql(f"SELECT count(*) FROM {DATABASE}.velib_data_rejects.snapshots").first()[0]
    _expire_all_but_the_newest(spark, monkeypatch, ["velib_data_silver"])
    with pytest.raises(velib_io.JobError, match=r"velib_data_silver: the snapshot before b .* has expired"):
        maintenance(spark, action="undo", execution_id="b", tables="velib_data_rejects,velib_data_silver")
    history = spark.sql(f"SELECT count(*) FROM {DATABASE}.velib_data_rejects.history").first()[0]
    assert history == rejects, "rejects was rolled back by an undo that failed"


def test_undo_of_a_run_that_created_the_tables_can_be_run_again(spark, lake):
    day(lake, "2026-11-20")
    run_silver(spark, lake, "2026-11-20", **{"--execution_id": "a"})
    maintenance(spark, action="undo", execution_id="a")
    assert rows(spark, "velib_data_silver") == []
    with pytest.raises(velib_io.JobError, match="execution a has no commit to undo .*already undone"):
        maintenance(spark, action="undo", execution_id="a")


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"keep_days": "²"}, "--keep_days must be a whole number of days"),
        ({"keep_days": "٣"}, "--keep_days must be a whole number of days"),
        ({"tables": ",,"}, "--tables must name tables"),
        ({"tables": "velib_data_silver;drop"}, "--tables must name tables"),
    ],
)
def test_housekeeping_arguments_are_checked(spark, lake, extra, message):
    with pytest.raises(velib_io.JobError, match=message):
        maintenance(spark, action="housekeeping", **extra)


def test_housekeeping_names_the_tables_it_did_not_find(spark, lake):
    day(lake, "2026-11-20")
    run_silver(spark, lake, "2026-11-20")
    done = maintenance(spark, action="housekeeping", tables="velib_data_silver,velib_data_silverr")
    assert list(done["housekeeping"]) == [f"{DATABASE}.velib_data_silver"]
    assert done["missing"] == ["velib_data_silverr"]
