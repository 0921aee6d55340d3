"""The jobs end to end on local files and Spark's own catalog: arguments as
Glue passes them, raw files as the ingest Lambda writes them."""

import gzip
import json
import os
import shutil

import pytest
from conftest import ICEBERG
from velib_tables import SESSION_CATALOG

import velib_io
import velib_raw_to_silver
import velib_silver_to_gold_avail_percent
import velib_silver_to_gold_avg_stats
from builders import DATABASE, snapshot, station_info, station_status, utc

INFO = [
    station_info(1, "c1", "One", 20),
    station_info(2, "c2", "Two", 0),
    station_info(3, "c3", "Three", 10),
]


def day(lake, date, snapshots=3, system="velib"):
    """Puts a day of raw snapshots, 15 minutes apart, for three stations."""
    start = utc(f"{date}T06:00:00")
    for n in range(snapshots):
        t = start + 900 * n
        lake.put_snapshot(
            snapshot(
                t,
                INFO,
                [
                    station_status(1, "c1", n, 1, 10, t - 5),
                    station_status(2, "c2", 0, 0, 0, start - 5),
                    station_status(3, "c3", 2, 2, 6, t - 7),
                ],
            ),
            system,
        )


def args(lake, date, **extra):
    base = {
        "--JOB_NAME": "test",  # Glue adds arguments of its own; they are ignored
        "--catalog": ICEBERG,
        "--database": DATABASE,
        "--raw_path": str(lake.raw_root),
        "--systems": "velib",
        "--legacy_system": "velib",
        "--source_table": "velib_data_silver",
        "--process_date": date,
    }
    base.update(extra)
    return [x for kv in base.items() for x in kv]


def run_silver(spark, lake, date, **extra):
    """Runs raw → silver and returns its result."""
    tables = {
        "--target_table": "velib_data_silver",
        "--target_path": lake.table_path("silver"),
        "--rejects_table": "velib_data_rejects",
        "--rejects_path": lake.table_path("rejects"),
    }
    return velib_raw_to_silver.run(args(lake, date, **tables, **extra), spark)


def run_gold(spark, lake, date, **extra):
    avg = velib_silver_to_gold_avg_stats.run(
        args(
            lake, date, **{"--target_table": "velib_avg_stats_gold", "--target_path": lake.table_path("avg")}, **extra
        ),
        spark,
    )
    pct = velib_silver_to_gold_avail_percent.run(
        args(
            lake,
            date,
            **{"--target_table": "velib_avail_percent_gold", "--target_path": lake.table_path("pct")},
            **extra,
        ),
        spark,
    )
    return avg["rows"], pct["rows"]


def rows(spark, table):
    return sorted(tuple(r) for r in spark.table(f"{DATABASE}.{table}").collect())


def partitions(spark, table):
    """The table's partitions with rows, as system=s/dt=d."""
    found = spark.sql(f"SELECT partition FROM {DATABASE}.{table}.partitions WHERE record_count > 0").collect()
    return sorted(f"system={r.partition.system}/dt={r.partition.dt}" for r in found)


def current(spark, table):
    """The table's current snapshot."""
    return spark.sql(f"SELECT snapshot_id FROM {DATABASE}.{table}.history ORDER BY made_current_at DESC").first()[0]


def files(path):
    """Every data file under a table folder, with its modification time."""
    out = {}
    for root, _, names in os.walk(path):
        for n in names:
            if n.endswith(".parquet"):
                p = os.path.join(root, n)
                out[os.path.relpath(p, path)] = os.stat(p).st_mtime_ns
    return out


def test_full_run_writes_and_registers_all_tables(spark, lake):
    day(lake, "2026-11-20")
    # Station 2 repeats its last_reported in every snapshot: one row survives.
    result = run_silver(spark, lake, "2026-11-20")
    commits = result.pop("commits")
    assert commits == {
        f"{DATABASE}.velib_data_rejects": {"snapshot": current(spark, "velib_data_rejects"), "previous": None},
        f"{DATABASE}.velib_data_silver": {"snapshot": current(spark, "velib_data_silver"), "previous": None},
    }
    assert result == {
        "rows": 3 + 1 + 3,
        "over_capacity": 0,
        "repeats": 2,
        "rejected": {},
        "days_without_rows": {},
        "bad_files": [],
        "new_fields": [],
        "days_without_data": {},
        "ignored_files": [],
    }
    assert run_gold(spark, lake, "2026-11-20") == (3, 7)
    for table in ["velib_data_silver", "velib_avg_stats_gold", "velib_avail_percent_gold"]:
        assert partitions(spark, table) == ["system=velib/dt=2026-11-20"]
    pct = {
        (r.station_id, r.num_bikes_available): r.avail_percent
        for r in spark.table(f"{DATABASE}.velib_avail_percent_gold").collect()
    }
    assert pct[("1", 2)] == 10.0 and pct[("2", 0)] is None


def test_silver_twice_gives_the_same_rows(spark, lake):
    day(lake, "2026-11-20")
    run_silver(spark, lake, "2026-11-20")
    once = rows(spark, "velib_data_silver")
    run_silver(spark, lake, "2026-11-20")
    assert rows(spark, "velib_data_silver") == once
    run_gold(spark, lake, "2026-11-20")
    gold_once = rows(spark, "velib_avg_stats_gold")
    run_gold(spark, lake, "2026-11-20")
    assert rows(spark, "velib_avg_stats_gold") == gold_once


def test_processing_day_two_leaves_day_one_alone(spark, lake):
    day(lake, "2026-11-20")
    run_silver(spark, lake, "2026-11-20")
    run_gold(spark, lake, "2026-11-20")
    silver_day1 = files(os.path.join(lake.table_path("silver"), "system=velib", "dt=2026-11-20"))
    gold_day1 = files(os.path.join(lake.table_path("avg"), "system=velib", "dt=2026-11-20"))
    before = rows(spark, "velib_data_silver")

    # Day 1's raw data goes away: processing day 2 must not need it.
    shutil.rmtree(lake.raw / "dt=2026-11-20")
    day(lake, "2026-11-21", snapshots=2)
    run_silver(spark, lake, "2026-11-21")
    run_gold(spark, lake, "2026-11-21")

    assert files(os.path.join(lake.table_path("silver"), "system=velib", "dt=2026-11-20")) == silver_day1
    assert files(os.path.join(lake.table_path("avg"), "system=velib", "dt=2026-11-20")) == gold_day1
    after = rows(spark, "velib_data_silver")
    assert [r for r in after if r[-1] == "2026-11-20"] == before
    assert partitions(spark, "velib_data_silver") == ["system=velib/dt=2026-11-20", "system=velib/dt=2026-11-21"]


def test_backfill_range(spark, lake):
    day(lake, "2026-11-20")
    day(lake, "2026-11-21")
    assert run_silver(spark, lake, "2026-11-20..2026-11-21")["rows"] == 14
    assert partitions(spark, "velib_data_silver") == ["system=velib/dt=2026-11-20", "system=velib/dt=2026-11-21"]


@pytest.mark.parametrize(
    ("setup", "date", "message"),
    [
        ("nothing", "2026-11-20", "no raw snapshots for 2026-11-20 under"),
        ("nothing", "2026-11-20..2026-11-22", r"no raw snapshots for any day of 2026-11-20\.\.2026-11-22 under"),
        ("day1", "20/11/2026", "process_date '20/11/2026' is not YYYY-MM-DD"),
    ],
)
def test_silver_errors(spark, lake, setup, date, message):
    if setup == "day1":
        day(lake, "2026-11-20")
    with pytest.raises(velib_io.JobError, match=message):
        run_silver(spark, lake, date)


def test_a_range_skips_the_days_without_raw_data_and_reports_them(spark, lake, capsys):
    day(lake, "2026-11-20")
    day(lake, "2026-11-22")
    result = run_silver(spark, lake, "2026-11-20..2026-11-23")
    assert result["rows"] == 14
    assert result["days_without_data"] == {"velib": ["2026-11-21", "2026-11-23"]}
    assert partitions(spark, "velib_data_silver") == ["system=velib/dt=2026-11-20", "system=velib/dt=2026-11-22"]
    assert '"days_without_data": {"velib": ["2026-11-21", "2026-11-23"]}' in capsys.readouterr().out
    gold = velib_silver_to_gold_avg_stats.run(
        args(
            lake,
            "2026-11-19..2026-11-22",
            **{"--target_table": "velib_avg_stats_gold", "--target_path": lake.table_path("avg")},
        ),
        spark,
    )
    assert gold["days_without_data"] == {"velib": ["2026-11-19", "2026-11-21"]}
    assert partitions(spark, "velib_avg_stats_gold") == ["system=velib/dt=2026-11-20", "system=velib/dt=2026-11-22"]


def test_gold_for_a_range_silver_lacks_entirely(spark, lake):
    day(lake, "2026-11-20")
    run_silver(spark, lake, "2026-11-20")
    with pytest.raises(
        velib_io.JobError,
        match=r"no rows in velib_lake.velib_data_silver for any day of 2026-11-21\.\.2026-11-22 of velib",
    ):
        run_gold(spark, lake, "2026-11-21..2026-11-22")


def test_gold_before_silver(spark, lake):
    with pytest.raises(velib_io.JobError, match="table velib_lake.velib_data_silver does not exist yet"):
        run_gold(spark, lake, "2026-11-20")


def test_gold_for_a_day_silver_lacks(spark, lake):
    day(lake, "2026-11-20")
    run_silver(spark, lake, "2026-11-20")
    with pytest.raises(velib_io.JobError, match="no rows in velib_lake.velib_data_silver for 2026-11-21 of velib"):
        run_gold(spark, lake, "2026-11-21")


def put_bad_files(lake, date):
    """A raw file that is not gzip and one whose JSON is cut short."""
    folder = lake.raw / f"dt={date}"
    (folder / "velib-20261120T231500Z.json.gz").write_bytes(b"<html>503</html>")
    (folder / "velib-20261120T233000Z.json.gz").write_bytes(gzip.compress(b'{"station_status": {"last_up'))


def test_bad_raw_files_fail_the_job_naming_each(spark, lake):
    day(lake, "2026-11-20")
    put_bad_files(lake, "2026-11-20")
    with pytest.raises(velib_io.JobError) as err:
        run_silver(spark, lake, "2026-11-20")
    message = str(err.value)
    assert message.startswith("2 raw file(s) unreadable or not a snapshot, so nothing was written: ")
    assert "velib-20261120T231500Z.json.gz (unreadable: not gzip, though its name ends in .gz)" in message
    assert "velib-20261120T233000Z.json.gz (not a snapshot" in message
    assert "--accept_bad_raw_files true" in message and "Exception" not in message
    assert not spark.catalog.tableExists(f"{DATABASE}.velib_data_silver")


def test_bad_raw_files_can_be_accepted_and_are_counted(spark, lake, capsys):
    day(lake, "2026-11-20")
    put_bad_files(lake, "2026-11-20")
    result = run_silver(spark, lake, "2026-11-20", **{"--accept_bad_raw_files": "true"})
    assert result["rows"] == 7
    assert [p.rsplit("/", 1)[1] for p in result["bad_files"]] == [
        "velib-20261120T231500Z.json.gz",
        "velib-20261120T233000Z.json.gz",
    ]
    logged = capsys.readouterr().out
    assert logged.count('"event": "bad raw file left out"') == 2


def test_accept_bad_raw_files_takes_true_or_false(spark, lake):
    day(lake, "2026-11-20")
    with pytest.raises(velib_io.JobError, match="--accept_bad_raw_files must be true or false, not 'yes'"):
        run_silver(spark, lake, "2026-11-20", **{"--accept_bad_raw_files": "yes"})


def test_rejects_go_to_their_table_and_are_counted(spark, lake, capsys):
    t = utc("2026-11-20T06:00:00")
    broken = station_status(3, "c3", 1, 0, 5, t - 7)
    broken["num_docks_available"] = -4
    over = station_status(2, "c2", 3, 0, 0, t - 5)  # station 2's capacity is 0
    extra = dict(station_status(1, "c1", 1, 1, 10, t - 5), num_bikes_disabled=0)
    lake.put_snapshot(snapshot(t, INFO, [extra, over, broken, station_status(1, "c1", 0, 0, 0, t - 5), {"x": 1}]))
    result = run_silver(spark, lake, "2026-11-20")
    assert set(result.pop("commits")) == {f"{DATABASE}.velib_data_rejects", f"{DATABASE}.velib_data_silver"}
    assert result == {
        "rows": 2,
        "over_capacity": 1,
        "repeats": 0,
        "rejected": {"velib": {"duplicate_station_id": 1, "missing_station_id": 1, "negative_count": 1}},
        "days_without_rows": {},
        "bad_files": [],
        "new_fields": ["station_status.num_bikes_disabled", "station_status.x"],
        "days_without_data": {},
        "ignored_files": [],
    }
    rejected = {r.reason: r for r in spark.table(f"{DATABASE}.velib_data_rejects").collect()}
    assert rejected["negative_count"].detail == "num_docks_available" and rejected["negative_count"].station_id == "3"
    assert partitions(spark, "velib_data_rejects") == ["system=velib/dt=2026-11-20"]
    logged = capsys.readouterr().out
    assert (
        '"event": "rows rejected", "system": "velib", "rows": 3, '
        '"reasons": {"duplicate_station_id": 1, "missing_station_id": 1, "negative_count": 1}'
    ) in logged


def test_a_rerun_replaces_the_rejects_of_its_dates(spark, lake):
    t = utc("2026-11-20T06:00:00")
    bad = station_status(1, "c1", 1, 0, 5, t - 7)
    bad["num_bikes_available"] = "abc"
    path = lake.put_snapshot(snapshot(t, INFO, [bad, station_status(2, "c2", 0, 0, 0, t - 5)]))
    assert run_silver(spark, lake, "2026-11-20")["rejected"] == {"velib": {"non_numeric": 1}}
    path.unlink()
    day(lake, "2026-11-20")
    assert run_silver(spark, lake, "2026-11-20")["rejected"] == {}
    assert rows(spark, "velib_data_rejects") == []


def test_a_silver_table_from_before_over_capacity_gains_the_column(spark, lake):
    day(lake, "2026-11-20")
    spark.sql(
        f"CREATE TABLE {SESSION_CATALOG}.{DATABASE}.velib_data_silver (station_id string, num_bikes_available int, "
        f"snapshot_time timestamp, dt string) USING PARQUET PARTITIONED BY (dt) LOCATION '{lake.table_path('silver')}'"
    )
    run_silver(spark, lake, "2026-11-20")
    assert "over_capacity" in spark.table(f"{DATABASE}.velib_data_silver").columns
    assert spark.table(f"{DATABASE}.velib_data_silver").where("over_capacity is not null").count() == 7


def test_arrivals_are_read_beside_the_ingests_snapshots(spark, lake):
    """A day's snapshots copied under the arrivals prefix (in the raw
    layout, in a subfolder of the partner's own, a name with spaces) are
    refined with the ingest's; a day that only arrived is refined too."""
    day(lake, "2026-11-20", snapshots=1)
    arrivals = lake.root / "arrivals"
    for date, n in (("2026-11-20", 1), ("2026-11-21", 0)):
        t = utc(f"{date}T07:00:00")
        body = snapshot(t, INFO, [station_status(1, "c1", n, 1, 10, t - 5), station_status(3, "c3", 2, 2, 6, t - 7)])
        folder = arrivals / "velib" / f"dt={date}" / "partner copy"
        folder.mkdir(parents=True)
        (folder / "snap 1.json.gz").write_bytes(gzip.compress(json.dumps(body).encode()))

    both = run_silver(spark, lake, "2026-11-20..2026-11-21", **{"--arrivals_path": str(arrivals)})
    assert both["days_without_data"] == {}
    got = spark.sql(f"SELECT dt, count(*) AS n FROM {DATABASE}.velib_data_silver GROUP BY dt ORDER BY dt").collect()
    # 2026-11-20: three stations from the ingest at 06:00, two arrived at
    # 07:00; 2026-11-21: the two arrived.
    assert [(r.dt, r.n) for r in got] == [("2026-11-20", 5), ("2026-11-21", 2)]


def test_without_arrivals_path_only_raw_is_read_and_the_error_names_both_roots(spark, lake):
    arrivals = lake.root / "arrivals"
    with pytest.raises(
        velib_io.JobError, match="no raw snapshots for 2026-11-22 under .*raw/velib/ or .*arrivals/velib/"
    ):
        run_silver(spark, lake, "2026-11-22", **{"--arrivals_path": str(arrivals)})
