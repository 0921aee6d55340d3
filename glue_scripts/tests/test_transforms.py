"""The gold transforms, on silver rows built in memory."""

from datetime import UTC, datetime

import pytest
from pyspark.sql import functions as F

from builders import utc
from velib_transforms import avail_percent, avg_stats

T1 = utc("2026-11-20T08:00:00")
T2 = utc("2026-11-20T08:15:00")


def ts(seconds):
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def silver_rows(spark, rows, system="velib"):
    schema = "station_id string, station_code string, name string, capacity int, num_bikes_available int, mechanical int, ebike int, num_docks_available int, snapshot_time timestamp, dt string"
    return spark.createDataFrame(rows, schema).withColumn("system", F.lit(system))


def test_avg_stats(spark):
    silver = silver_rows(
        spark,
        [
            ("1", "c1", "One", 10, 4, 1, 3, 6, ts(T1), "2026-11-20"),
            ("1", "c1", "One", 10, 8, 5, 3, 2, ts(T2), "2026-11-20"),
            ("1", "c1", "One", 10, 0, 0, 0, 10, ts(T1 + 86400), "2026-11-21"),
            ("2", "c2", "Two", 0, 0, None, None, 0, ts(T1), "2026-11-20"),
        ],
    )
    rows = {(r.station_id, r.dt): r for r in avg_stats(silver).collect()}
    r = rows[("1", "2026-11-20")]
    assert (r.avg_bikes_available, r.avg_mechanical, r.avg_ebike, r.avg_docks_available) == (6.0, 3.0, 3.0, 4.0)
    assert (r.min_bikes_available, r.max_bikes_available, r.snapshots, r.name) == (4, 8, 2, "One")
    assert rows[("1", "2026-11-21")].snapshots == 1
    assert rows[("2", "2026-11-20")].avg_mechanical is None
    assert avg_stats(silver).columns[-2:] == ["system", "dt"]


def test_avg_stats_keeps_systems_apart(spark):
    """Two systems may both have a station 1: each keeps its own average."""
    a = silver_rows(spark, [("1", "c1", "One", 10, 4, 1, 3, 6, ts(T1), "2026-11-20")], system="a")
    b = silver_rows(spark, [("1", "x1", "Uno", 10, 8, 5, 3, 2, ts(T1), "2026-11-20")], system="b")
    got = {r.system: (r.name, r.avg_bikes_available) for r in avg_stats(a.unionByName(b)).collect()}
    assert got == {"a": ("One", 4.0), "b": ("Uno", 8.0)}


@pytest.mark.parametrize(
    ("capacity", "bikes", "expected"),
    [(20, 5, 25.0), (3, 1, 33.33), (0, 0, None), (0, 3, None), (None, 4, None), (10, None, None)],
)
def test_avail_percent(spark, capacity, bikes, expected):
    silver = silver_rows(spark, [("1", "c1", "One", capacity, bikes, None, None, None, ts(T1), "2026-11-20")])
    (r,) = avail_percent(silver).collect()
    assert r.avail_percent == expected
