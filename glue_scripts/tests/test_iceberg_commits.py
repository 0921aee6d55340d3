"""The jobs' commits, under the conditions that broke the Parquet tables: a
reader polling a partition while raw → silver re-runs it sees the old rows
or the new ones, never an empty or missing partition; a job killed mid-write
leaves each table as it was (or, killed between its two tables, a re-run
converges); and the commit replaces exactly the processed partitions, one
that now has no rows included."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from conftest import ICEBERG
from test_jobs import args, current, day, run_silver

from builders import DATABASE, snapshot, station_status, utc

DAY = "2026-11-20"
SILVER = f"{DATABASE}.velib_data_silver"
REJECTS = f"{DATABASE}.velib_data_rejects"


def _count(spark, table):
    return spark.sql(f"SELECT count(*) FROM {table} WHERE system = 'velib' AND dt = '{DAY}'").first()[0]


def test_a_reader_sees_the_old_partition_or_the_new_one_never_an_empty_one(spark, lake):
    day(lake, DAY, snapshots=2)
    run_silver(spark, lake, DAY)
    first = _count(spark, SILVER)
    seen, stop = [], threading.Event()

    def read():
        while not stop.is_set():
            seen.append(_count(spark, SILVER))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        day(lake, DAY, snapshots=3)  # one more snapshot: more rows
        for _ in range(3):
            run_silver(spark, lake, DAY)
    finally:
        stop.set()
        reader.join()
    last = _count(spark, SILVER)
    assert first < last
    assert len(seen) > 3, f"the reader read only {len(seen)} times"
    assert set(seen) <= {first, last}, f"a reader saw {sorted(set(seen))} rows; only {first} or {last} are whole"


def test_a_day_that_now_has_no_rows_is_emptied_by_the_same_commit(spark, lake):
    day(lake, DAY)
    run_silver(spark, lake, DAY)
    before = current(spark, "velib_data_silver")
    # Every file of the day replaced by one whose only row fails a check.
    for f in (lake.raw / f"dt={DAY}").iterdir():
        f.unlink()
    t = utc(f"{DAY}T06:00:00")
    bad = station_status(1, "c1", 1, 0, -5, t - 7)
    lake.put_snapshot(snapshot(t, [], [bad]))
    with pytest.raises(Exception, match="no row passed the checks"):
        run_silver(spark, lake, DAY)
    assert _count(spark, SILVER) == 0
    snaps = spark.sql(f"SELECT parent_id, operation FROM {SILVER}.snapshots ORDER BY committed_at").collect()
    # One commit, which Iceberg calls a delete: it adds no file.
    assert [(s.parent_id, s.operation) for s in snaps[1:]] == [(before, "delete")]


# A job run in a process of its own, whose writes of one table (argv[2])
# crawl: every row it writes waits, after saying it has begun.
WRITER = textwrap.dedent(
    """
    import json, sys, time
    from pyspark.sql import DataFrame, SparkSession, functions as F
    from local_runner import SMALL_DATA, iceberg_config
    import velib_raw_to_silver

    state, slow_table, marker, argv = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    spark = (SparkSession.builder.master("local[1]").config(map=SMALL_DATA)
             .config("spark.ui.enabled", "false").config(map=iceberg_config("{catalog}", state)).getOrCreate())

    @F.udf("string")
    def slow(value):
        open(marker, "a").close()
        time.sleep(2)
        return value

    write_to = DataFrame.writeTo

    def crawling(df, name):
        if name.endswith(f"`{{slow_table}}`"):
            df = df.select(*[slow(c).alias(c) if c == "station_id" else c for c in df.columns])
        return write_to(df, name)

    DataFrame.writeTo = crawling
    velib_raw_to_silver.run(argv, spark)
    """
).format(catalog=ICEBERG)


def _killed_mid_write(spark, lake, tmp_path, table):
    """Runs raw → silver for DAY in another process and kills it (SIGKILL,
    its whole process group) once it is writing table."""
    script, marker = tmp_path / "writer.py", tmp_path / "writing"
    script.write_text(WRITER)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.pathsep.join([here, os.path.join(here, "lib"), os.environ.get("PYTHONPATH", "")])
    state = os.path.dirname(spark.conf.get(f"spark.sql.catalog.{ICEBERG}.warehouse"))
    tables = {
        "--target_table": "velib_data_silver",
        "--target_path": lake.table_path("silver"),
        "--rejects_table": "velib_data_rejects",
        "--rejects_path": lake.table_path("rejects"),
    }
    argv = json.dumps(args(lake, DAY, **tables))
    writer = subprocess.Popen(
        [sys.executable, str(script), state, table, str(marker), argv],
        env=dict(os.environ, PYTHONPATH=path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not marker.exists():
            assert writer.poll() is None, "the job ended before it began writing"
            assert time.monotonic() < deadline, "the job never began writing"
            time.sleep(0.1)
        time.sleep(1)  # well into the write
    finally:
        os.killpg(writer.pid, signal.SIGKILL)
        writer.wait()


def _rows(spark, table):
    return sorted(tuple(r) for r in spark.table(table).collect())


@pytest.mark.parametrize("table", ["velib_data_rejects", "velib_data_silver"])
def test_a_job_killed_mid_write_leaves_each_table_as_before_and_a_rerun_converges(spark, lake, tmp_path, table):
    day(lake, DAY, snapshots=2)
    t = utc(f"{DAY}T07:00:00")
    lake.put_snapshot(snapshot(t, [], [station_status(1, "c1", 1, 0, -5, t - 7)]))  # one reject
    run_silver(spark, lake, DAY)
    silver, rejects = _rows(spark, SILVER), _rows(spark, REJECTS)
    snapshots = {"silver": current(spark, "velib_data_silver"), "rejects": current(spark, "velib_data_rejects")}
    day(lake, DAY, snapshots=3)

    _killed_mid_write(spark, lake, tmp_path, table)

    # Rejects are committed first: killed while writing silver, the new
    # rejects may be in; silver is as it was, every row of it.
    assert _rows(spark, SILVER) == silver and current(spark, "velib_data_silver") == snapshots["silver"]
    if table == "velib_data_rejects":
        assert _rows(spark, REJECTS) == rejects and current(spark, "velib_data_rejects") == snapshots["rejects"]
    # The next run of the day converges: both tables as a run never
    # interrupted leaves them.
    run_silver(spark, lake, DAY)
    once = _rows(spark, SILVER), _rows(spark, REJECTS)
    run_silver(spark, lake, DAY)
    assert (_rows(spark, SILVER), _rows(spark, REJECTS)) == once
    assert len(once[0]) > len(silver)
