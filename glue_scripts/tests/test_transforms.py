"""The pure transforms, on DataFrames built in memory."""

import json
from datetime import UTC, datetime

import pytest

from builders import snapshot, station_info, station_status, utc
from velib_transforms import SILVER_COLUMNS, avail_percent, avg_stats, raw_to_silver

T1 = utc("2026-11-20T08:00:00")
T2 = utc("2026-11-20T08:15:00")


def raw(spark, *snaps, dt="2026-11-20", extra_values=()):
    rows = [(json.dumps(s), dt) for s in snaps] + [(v, dt) for v in extra_values]
    return spark.createDataFrame(rows, "value string, dt string")


def by_station(df):
    return {(r.station_id, r.snapshot_time): r.asDict() for r in df.collect()}


def ts(seconds):
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


INFO = [
    station_info(213688169, "16107", "Benjamin Godard - Victor Hugo", 35),
    station_info(36255, "9020", "Toudouze - Clauzel", 21),
    station_info(516709288, "42016", "Rouget de L'Isle - Watteau", 0),
]


def test_velib_snapshot_to_typed_rows(spark):
    s = snapshot(
        T1,
        INFO,
        [station_status(213688169, "16107", 1, 3, 31, T1 - 60), station_status(36255, "9020", 0, 0, 21, T1 - 300)],
    )
    silver = raw_to_silver(raw(spark, s))
    assert silver.columns == SILVER_COLUMNS
    rows = by_station(silver)
    assert len(rows) == 2
    r = rows[("213688169", ts(T1))]
    assert r == {
        "station_id": "213688169",
        "station_code": "16107",
        "name": "Benjamin Godard - Victor Hugo",
        "capacity": 35,
        "num_bikes_available": 4,
        "mechanical": 1,
        "ebike": 3,
        "num_docks_available": 31,
        "is_installed": True,
        "is_renting": True,
        "is_returning": True,
        "last_reported": ts(T1 - 60),
        "snapshot_time": ts(T1),
        "lat": 48.85,
        "lon": 2.35,
        "dt": "2026-11-20",
    }
    types = dict(silver.dtypes)
    assert types["capacity"] == "int" and types["last_reported"] == "timestamp" and types["is_installed"] == "boolean"


def test_gbfs3_shapes(spark):
    """String ids, booleans, RFC 3339 times, num_vehicles_available."""
    s = {
        "source": "x",
        "fetched_at": "x",
        "station_information": {
            "last_updated": "2026-11-20T07:50:00Z",
            "data": {"stations": [{"station_id": "a1", "name": "Quay", "capacity": 20}]},
        },
        "station_status": {
            "last_updated": "2026-11-20T09:00:00+01:00",
            "data": {
                "stations": [
                    {
                        "station_id": "a1",
                        "num_vehicles_available": 5,
                        "num_docks_available": 15,
                        "is_installed": True,
                        "is_renting": False,
                        "is_returning": True,
                        "last_reported": "2026-11-20T07:59:00Z",
                    }
                ]
            },
        },
    }
    (r,) = raw_to_silver(raw(spark, s)).collect()
    assert (r.station_id, r.name, r.num_bikes_available, r.is_renting) == ("a1", "Quay", 5, False)
    assert r.snapshot_time == ts(T1) and r.last_reported == ts(T1 - 60)
    assert r.mechanical is None and r.ebike is None  # no per-type counts in this shape


def test_missing_fields_become_null(spark):
    status = {"station_id": 36255, "last_reported": T1 - 10}  # no counts, no flags, no code
    (r,) = raw_to_silver(raw(spark, snapshot(T1, INFO, [status]))).collect()
    assert r.station_code == "9020"  # from the information feed
    assert r.num_bikes_available is None and r.num_docks_available is None and r.mechanical is None
    assert r.is_installed is None


def test_status_without_information(spark):
    s = snapshot(T1, INFO[:1], [station_status(99999, "77777", 2, 0, 8, T1 - 30)])
    (r,) = raw_to_silver(raw(spark, s)).collect()
    assert (r.station_id, r.station_code, r.name, r.capacity, r.lat) == ("99999", "77777", None, None, None)


def test_duplicate_reports_are_dropped(spark):
    """A station that did not report between two snapshots appears in both with
    the same last_reported: the row is kept once, from the first snapshot."""
    first = snapshot(
        T1,
        INFO,
        [station_status(36255, "9020", 1, 0, 20, T1 - 100), station_status(213688169, "16107", 1, 1, 33, T1 - 5)],
    )
    second = snapshot(
        T2,
        INFO,
        [station_status(36255, "9020", 1, 0, 20, T1 - 100), station_status(213688169, "16107", 0, 1, 34, T2 - 5)],
    )
    silver = raw_to_silver(raw(spark, first, second, first))  # the first snapshot read twice, too
    keys = sorted((r.station_id, r.snapshot_time) for r in silver.collect())
    assert keys == [("213688169", ts(T1)), ("213688169", ts(T2)), ("36255", ts(T1))]


def test_station_that_disappears(spark):
    first = snapshot(
        T1,
        INFO,
        [station_status(36255, "9020", 1, 0, 20, T1 - 100), station_status(213688169, "16107", 1, 1, 33, T1 - 5)],
    )
    second = snapshot(T2, INFO, [station_status(213688169, "16107", 0, 1, 34, T2 - 5)])
    counts = {}
    for r in raw_to_silver(raw(spark, first, second)).collect():
        counts[r.station_id] = counts.get(r.station_id, 0) + 1
    assert counts == {"36255": 1, "213688169": 2}


def test_unreadable_snapshot_is_skipped(spark):
    good = snapshot(T1, INFO, [station_status(36255, "9020", 1, 0, 20, T1 - 100)])
    assert raw_to_silver(raw(spark, good, extra_values=["{not json", "{}"])).count() == 1


def test_dates_come_from_the_partition(spark):
    day1 = raw(spark, snapshot(T1, INFO, [station_status(36255, "9020", 1, 0, 20, T1 - 100)]), dt="2026-11-20")
    day2 = raw(
        spark, snapshot(T1 + 86400, INFO, [station_status(36255, "9020", 1, 0, 20, T1 + 86300)]), dt="2026-11-21"
    )
    assert sorted(r.dt for r in raw_to_silver(day1.union(day2)).collect()) == ["2026-11-20", "2026-11-21"]


def test_a_range_gives_the_rows_of_each_day_alone(spark):
    """A station that does not report across midnight repeats its last_reported
    in the last snapshot of one day and the first of the next. Run one day at a
    time, each day keeps its row; a backfill of both days must keep the same
    rows, not drop the second day's as a repeat of the first."""
    late = utc("2026-11-20T23:55:00")
    early = utc("2026-11-21T00:10:00")
    reported = late - 300
    day1 = raw(spark, snapshot(late, INFO, [station_status(36255, "9020", 1, 0, 20, reported)]), dt="2026-11-20")
    day2 = raw(spark, snapshot(early, INFO, [station_status(36255, "9020", 1, 0, 20, reported)]), dt="2026-11-21")
    alone = sorted(by_station(raw_to_silver(day1))) + sorted(by_station(raw_to_silver(day2)))
    together = sorted(by_station(raw_to_silver(day1.union(day2))))
    assert together == sorted(alone)
    assert len(together) == 2


def silver_rows(spark, rows):
    schema = "station_id string, station_code string, name string, capacity int, num_bikes_available int, mechanical int, ebike int, num_docks_available int, snapshot_time timestamp, dt string"
    return spark.createDataFrame(rows, schema)


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
    assert avg_stats(silver).columns[-1] == "dt"


@pytest.mark.parametrize(
    ("capacity", "bikes", "expected"),
    [(20, 5, 25.0), (3, 1, 33.33), (0, 0, None), (0, 3, None), (None, 4, None), (10, None, None)],
)
def test_avail_percent(spark, capacity, bikes, expected):
    silver = silver_rows(spark, [("1", "c1", "One", capacity, bikes, None, None, None, ts(T1), "2026-11-20")])
    (r,) = avail_percent(silver).collect()
    assert r.avail_percent == expected
