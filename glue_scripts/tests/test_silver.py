"""Raw → silver as pure transforms, on raw files built in memory."""

import json
from datetime import UTC, datetime

import pytest

from builders import snapshot, station_info, station_status, utc
from velib_silver import (
    REJECT_COLUMNS,
    SILVER_COLUMNS,
    bad_files,
    new_fields,
    raw_to_silver,
    rejects,
    silver,
    snapshots,
    station_rows,
)

T1 = utc("2026-11-20T08:00:00")
T2 = utc("2026-11-20T08:15:00")


def raw(spark, *snaps, dt="2026-11-20", texts=(), system="velib"):
    """Raw files as read_raw gives them: each snapshot, then each text (None
    for an unreadable file), in a file of its own."""
    values = [json.dumps(s) for s in snaps] + list(texts)
    rows = [(f"mem:/raw/{system}/dt={dt}/file-{n}.json.gz", system, dt, v) for n, v in enumerate(values)]
    return spark.createDataFrame(rows, "path string, system string, dt string, value string")


def refine(spark, *snaps, texts=()):
    """Silver rows, rejects and bad files of the given raw files."""
    return outcome(raw(spark, *snaps, texts=texts))


def outcome(raw_df):
    """Silver rows, rejects and bad files of raw files as read_raw gives them."""
    snaps_df = snapshots(raw_df)
    # Cached, as the job does: silver and rejects then read the checked rows
    # instead of planning and running every check again.
    rows = station_rows(snaps_df).cache()
    try:
        return silver(rows).collect(), rejects(rows).collect(), bad_files(snaps_df).collect()
    finally:
        rows.unpersist()


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
    table = raw_to_silver(raw(spark, s))
    assert table.columns == SILVER_COLUMNS
    rows = by_station(table)
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
        "over_capacity": False,
        "system": "velib",
        "dt": "2026-11-20",
    }
    types = dict(table.dtypes)
    assert types["capacity"] == "int" and types["last_reported"] == "timestamp" and types["is_installed"] == "boolean"


def test_gbfs3_shapes(spark):
    """String ids, booleans, RFC 3339 times, num_vehicles_available."""
    s = {
        "source": "x",
        "fetched_at": "2026-11-20T08:00:05Z",
        "station_information": {
            "last_updated": "2026-11-20T07:50:00Z",
            "data": {"stations": [{"station_id": "a1", "name": "Quay", "capacity": 20, "lat": 45.0, "lon": 4.8}]},
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


def gbfs_snapshot(version: str) -> dict:
    """One station's snapshot in the field names of a GBFS version."""
    if version == "2.3":
        info = {"station_id": "s1", "name": "Quai", "capacity": 20, "lat": 45.0, "lon": 4.8}
        state = {"station_id": "s1", "num_bikes_available": 5, "num_docks_available": 15, "is_installed": True}
        state |= {"is_renting": True, "is_returning": False, "last_reported": T1 - 60}
        updated = (T1 - 600, T1)
    else:
        name = [{"text": "Quai", "language": "fr"}, {"text": "Quay", "language": "en"}]
        info = {"station_id": "s1", "name": name, "capacity": 20, "lat": 45.0, "lon": 4.8}
        state = {"station_id": "s1", "num_vehicles_available": 5, "num_docks_available": 15, "is_installed": True}
        state |= {"is_renting": True, "is_returning": False, "last_reported": "2026-11-20T07:59:00+00:00"}
        updated = ("2026-11-20T07:50:00Z", "2026-11-20T08:00:00Z")
    return {
        "source": "x",
        "fetched_at": "2026-11-20T08:00:05Z",
        "station_information": {"last_updated": updated[0], "version": version, "data": {"stations": [info]}},
        "station_status": {"last_updated": updated[1], "version": version, "data": {"stations": [state]}},
    }


def test_gbfs_2_and_3_give_the_same_silver_row(spark):
    """GBFS 2.3 and 3.0 name the same things differently (num_vehicles_available,
    localized names, RFC 3339 times): silver holds one schema and the same values."""
    rows = {}
    for version in ["2.3", "3.0"]:
        table = raw_to_silver(raw(spark, gbfs_snapshot(version), system="gbfs" + version[0]))
        assert table.columns == SILVER_COLUMNS
        (r,) = table.collect()
        rows[version] = {k: v for k, v in r.asDict().items() if k != "system"}
    assert rows["2.3"] == rows["3.0"]
    assert rows["3.0"]["name"] == "Quai" and rows["3.0"]["num_bikes_available"] == 5
    assert rows["3.0"]["last_reported"] == ts(T1 - 60) and rows["3.0"]["snapshot_time"] == ts(T1)


def status(**changes):
    """A valid status entry of station 36255 with changes; a value of ... removes the key."""
    entry = station_status(36255, "9020", 2, 1, 18, T1 - 10)
    for key, value in changes.items():
        if value is ...:
            entry.pop(key)
        else:
            entry[key] = value
    return entry


@pytest.mark.parametrize(
    ("entry", "reason", "detail"),
    [
        (status(num_bikes_available=-1), "negative_count", "num_bikes_available"),
        (status(num_docks_available=-3), "negative_count", "num_docks_available"),
        (status(num_bikes_available_types=[{"mechanical": -2}, {"ebike": 1}]), "negative_count", "mechanical"),
        (status(num_bikes_available="abc"), "non_numeric", "num_bikes_available"),
        (status(num_docks_available=2.5), "non_numeric", "num_docks_available"),
        (status(num_bikes_available_types=[{"mechanical": "x"}]), "non_numeric", "num_bikes_available_types"),
        (status(num_bikes_available=...), "missing_field", "num_bikes_available"),
        (status(is_renting=None, last_reported=...), "missing_field", "is_renting,last_reported"),
        (status(station_id=...), "missing_station_id", "station_id"),
        (status(station_id=None), "missing_station_id", "station_id"),
        (status(station_id=""), "missing_station_id", "station_id"),
        (status(last_reported="yesterday"), "bad_time", "last_reported"),
        (status(is_installed="maybe"), "bad_flag", "is_installed"),
        (7, "malformed_entry", "station entry"),
    ],
)
def test_a_row_that_fails_a_check_is_rejected_with_its_reason(spark, entry, reason, detail):
    good = station_status(213688169, "16107", 1, 3, 31, T1 - 60)
    kept, rejected, bad = refine(spark, snapshot(T1, INFO, [good, entry]))
    assert [r.station_id for r in kept] == ["213688169"]
    assert [(r.reason, r.detail) for r in rejected] == [(reason, detail)]
    (r,) = rejected
    assert list(r.asDict()) == REJECT_COLUMNS
    assert json.loads(r.record) == entry and r.dt == "2026-11-20" and r.source_file.endswith("file-0.json.gz")
    assert bad == []


def test_a_non_numeric_capacity_rejects_the_station(spark):
    info = [station_info(36255, "9020", "Toudouze - Clauzel", "lots")]
    _, rejected, _ = refine(spark, snapshot(T1, info, [status()]))
    assert [(r.reason, r.detail) for r in rejected] == [("non_numeric", "capacity")]


def test_a_station_id_repeated_in_a_snapshot_is_kept_once(spark):
    first = status()
    again = status(num_bikes_available=9)
    kept, rejected, _ = refine(spark, snapshot(T1, INFO, [first, again]))
    assert [(r.station_id, r.num_bikes_available) for r in kept] == [("36255", 3)]
    assert [(r.reason, json.loads(r.record)["num_bikes_available"]) for r in rejected] == [("duplicate_station_id", 9)]


def test_bikes_over_capacity_are_kept_and_flagged(spark):
    """1850 %: a valet station, or capacity older than the status."""
    info = [station_info(36255, "9020", "Toudouze - Clauzel", 2)]
    kept, rejected, _ = refine(spark, snapshot(T1, info, [station_status(36255, "9020", 30, 7, 0, T1 - 10)]))
    assert [(r.num_bikes_available, r.capacity, r.over_capacity) for r in kept] == [(37, 2, True)]
    assert rejected == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (None, "unreadable: not gzip, or cut short"),
        ("", "empty"),
        ("{not json", "not a snapshot"),
        ("{}", "not a snapshot"),
        ('{"station_status": {"last_updated": 1763769018, ', "not a snapshot: not JSON, cut short"),
        ('{"station_information": {}, "station_status": {"data": {"stations": []}}}', "no station_status.last_updated"),
        ('{"station_information": {}, "station_status": {"last_updated": "soon"}}', "not a time: soon"),
        (
            '{"station_information": {}, "station_status": {"last_updated": 1763769018}}',
            "no station_status.data.stations",
        ),
        (
            '{"station_information": {}, "station_status": {"last_updated": 1763769018, "data": {"stations": []}}}',
            "no station_information.data.stations",
        ),
    ],
)
def test_a_file_that_is_not_a_snapshot_is_a_bad_file(spark, text, problem):
    good = snapshot(T1, INFO, [station_status(36255, "9020", 1, 0, 20, T1 - 100)])
    kept, rejected, bad = refine(spark, good, texts=[text])
    assert len(kept) == 1 and rejected == []
    assert [(b.path, b.system, b.dt) for b in bad] == [
        ("mem:/raw/velib/dt=2026-11-20/file-1.json.gz", "velib", "2026-11-20")
    ]
    assert problem in bad[0].problem


def test_new_feed_fields_are_listed_once(spark):
    first = snapshot(T1, INFO, [status(num_bikes_disabled=1), station_status(213688169, "16107", 1, 0, 5, T1)])
    second = snapshot(T2, [dict(INFO[0], is_virtual_station=False)], [status(num_bikes_disabled=0)])
    fields = [r.field for r in new_fields(snapshots(raw(spark, first, second))).collect()]
    assert fields == ["station_information.is_virtual_station", "station_status.num_bikes_disabled"]


def test_velib_fields_are_not_new(spark):
    entry = dict(status(), numBikesAvailable=3, numDocksAvailable=18)
    info = [dict(INFO[1], rental_methods=["CREDITCARD"])]
    assert new_fields(snapshots(raw(spark, snapshot(T1, info, [entry])))).collect() == []


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
    table = raw_to_silver(raw(spark, first, second, first))  # the first snapshot in two files, too
    keys = sorted((r.station_id, r.snapshot_time) for r in table.collect())
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
