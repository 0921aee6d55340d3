"""What Iceberg's commits give the tables, proven on the local Spark with the
pinned runtime: a partition replaced by an overwrite is, to a reader, the
old one or the new one, never empty; and a writer killed mid-write leaves
the table as it was. The pipeline's tables rely on these two facts."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

from conftest import ICEBERG
from pyspark.sql import functions as F

DAY = "2026-12-01"
SCHEMA = "system string, dt string, n int"


def _table(spark, name):
    table = f"{ICEBERG}.commits.{name}"
    spark.sql(f"DROP TABLE IF EXISTS {table}")
    spark.sql(
        f"CREATE TABLE {table} ({SCHEMA}) USING iceberg PARTITIONED BY (system, dt) "
        "TBLPROPERTIES ('format-version' = '2')"
    )
    return table


def _rows(spark, k):
    return spark.createDataFrame([("velib", DAY, i) for i in range(k)], SCHEMA)


def _count(spark, table):
    return spark.sql(f"SELECT count(*) FROM {table} WHERE system = 'velib' AND dt = '{DAY}'").first()[0]


def _day():
    return (F.col("system") == "velib") & (F.col("dt") == DAY)


def test_a_reader_sees_the_old_partition_or_the_new_one_never_an_empty_one(spark):
    table = _table(spark, "readers")
    _rows(spark, 100).writeTo(table).append()
    seen, stop = [], threading.Event()

    def read():
        while not stop.is_set():
            seen.append(_count(spark, table))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for k in (120, 80, 100, 130):
            _rows(spark, k).writeTo(table).overwrite(_day())
    finally:
        stop.set()
        reader.join()
    assert seen, "the reader read nothing"
    assert set(seen) <= {100, 120, 80, 130}, f"a reader saw {sorted(set(seen))} rows"
    assert _count(spark, table) == 130


WRITER = textwrap.dedent(
    """
    import os, sys, time
    from pyspark.sql import SparkSession, functions as F
    from local_runner import SMALL_DATA, iceberg_config

    catalog, warehouse, table, marker = sys.argv[1:5]
    spark = (SparkSession.builder.master("local[1]").config(map=SMALL_DATA)
             .config("spark.ui.enabled", "false").config(map=iceberg_config(catalog, warehouse)).getOrCreate())

    @F.udf("int")
    def slow(n):
        # The write has begun: say so, then take long enough to be killed.
        open(marker, "a").close()
        time.sleep(0.05)
        return n

    rows = spark.range(2000).select(F.lit("velib").alias("system"), F.lit("2026-12-01").alias("dt"),
                                    slow(F.col("id").cast("int")).alias("n"))
    rows.writeTo(table).overwrite((F.col("system") == "velib") & (F.col("dt") == "2026-12-01"))
    """
)


def test_a_writer_killed_mid_write_leaves_the_table_as_it_was(spark, tmp_path):
    table = _table(spark, "killed")
    _rows(spark, 100).writeTo(table).append()
    script, marker = tmp_path / "writer.py", tmp_path / "writing"
    script.write_text(WRITER)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=here + os.pathsep + os.environ.get("PYTHONPATH", ""))
    warehouse = spark.conf.get(f"spark.sql.catalog.{ICEBERG}.warehouse")
    writer = subprocess.Popen(
        [sys.executable, str(script), ICEBERG, warehouse, table, str(marker)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not marker.exists():
            assert writer.poll() is None, "the writer ended before it began writing"
            assert time.monotonic() < deadline, "the writer never began writing"
            time.sleep(0.1)
        time.sleep(1)  # well into the write
    finally:
        os.killpg(writer.pid, signal.SIGKILL)
        writer.wait()
    spark.sql(f"REFRESH TABLE {table}")
    assert _count(spark, table) == 100
    assert sorted(r.n for r in spark.table(table).collect()) == list(range(100))
    # And the table takes the next write as if nothing had happened.
    _rows(spark, 50).writeTo(table).overwrite(_day())
    assert _count(spark, table) == 50
