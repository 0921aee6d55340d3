"""The raw → silver job on held-out data: one system's bad day, a re-run of
bad data, file names and shapes no fixture had, values no column holds."""

import gzip
import json

import pytest
from test_jobs import INFO, day, rows, run_silver

import velib_io
from builders import DATABASE, snapshot, station_status, utc

TWO = {"--systems": "velib,citybikes"}
T = utc("2026-11-20T06:00:00")


def bad_day(lake, system, status=None):
    """One snapshot of three stations, every entry with a negative count
    (or the given status list)."""
    if status is None:
        status = [station_status(n, f"c{n}", 1, 0, -1, T - 5) for n in (1, 2, 3)]
    # Half a minute after the first snapshot day() puts, not in its file.
    lake.put_snapshot(snapshot(T + 30, INFO, status), system)


def test_one_systems_bad_day_does_not_block_the_others(spark, lake, capsys):
    day(lake, "2026-11-20")
    bad_day(lake, "citybikes")
    with pytest.raises(velib_io.JobError) as err:
        run_silver(spark, lake, "2026-11-20", **TWO)
    message = str(err.value)
    assert message.startswith("no row passed the checks for citybikes on 2026-11-20 (negative_count 3)")
    assert "Everything else was written: 7 silver rows, and every reject to velib_lake.velib_data_rejects" in message
    assert '{"lambda_load_data": false, "process_date": "2026-11-20", "systems": ["citybikes"]}' in message
    # velib's rows and citybikes' rejects are there.
    silver = spark.table(f"{DATABASE}.velib_data_silver")
    assert silver.where("system = 'velib'").count() == 7 and silver.where("system = 'citybikes'").count() == 0
    rejects = spark.table(f"{DATABASE}.velib_data_rejects")
    assert [(r.system, r.reason) for r in rejects.collect()] == [("citybikes", "negative_count")] * 3
    logged = capsys.readouterr().out
    assert '"days_without_rows": {"citybikes": {"2026-11-20": {"negative_count": 3}}}' in logged


def test_an_empty_station_list_is_named(spark, lake):
    day(lake, "2026-11-20")
    bad_day(lake, "citybikes", status=[])
    with pytest.raises(velib_io.JobError, match=r"citybikes on 2026-11-20 \(no station entries in its snapshots\)"):
        run_silver(spark, lake, "2026-11-20", **TWO)
    silver = spark.table(f"{DATABASE}.velib_data_silver")
    assert silver.where("system = 'velib'").count() == 7 and silver.where("system = 'citybikes'").count() == 0


def test_a_rerun_whose_rows_are_all_rejected_empties_silver(spark, lake):
    """The old rows must not stay as if the re-run had confirmed them."""
    good = lake.put_snapshot(snapshot(T, INFO, [station_status(n, f"c{n}", 1, 0, 5, T - 5) for n in (1, 2, 3)]))
    assert run_silver(spark, lake, "2026-11-20")["rows"] == 3
    good.unlink()
    bad_day(lake, "velib")
    with pytest.raises(velib_io.JobError, match="no row passed the checks for velib on 2026-11-20"):
        run_silver(spark, lake, "2026-11-20")
    assert rows(spark, "velib_data_silver") == []
    assert spark.table(f"{DATABASE}.velib_data_rejects").count() == 3


@pytest.mark.parametrize(
    "name", ["velib 2026.json.gz", "velib(1).json.gz", "velib%41.json.gz", "a+b.json.gz", "plain.json"]
)
def test_any_file_name_is_read(spark, lake, name):
    folder = lake.raw / "dt=2026-11-20"
    folder.mkdir(parents=True)
    text = json.dumps(snapshot(T, INFO, [station_status(1, "c1", 1, 0, 5, T - 5)])).encode()
    (folder / name).write_bytes(text if name.endswith(".json") else gzip.compress(text))
    result = run_silver(spark, lake, "2026-11-20")
    assert result["rows"] == 1 and result["bad_files"] == []


def test_a_gzip_of_two_snapshots_is_a_bad_file_not_half_read(spark, lake):
    day(lake, "2026-11-20")
    folder = lake.raw / "dt=2026-11-20"
    one = json.dumps(snapshot(T + 60, INFO, [station_status(1, "c1", 1, 0, 5, T)])).encode()
    (folder / "two.json.gz").write_bytes(gzip.compress(one) + gzip.compress(one))
    with pytest.raises(velib_io.JobError, match=r"two.json.gz \(bytes after the JSON document"):
        run_silver(spark, lake, "2026-11-20")


def test_values_no_column_holds_never_crash_the_job(spark, lake):
    """One station's last_reported of 99999999999999999 once failed every
    system with a long overflow; with bad files accepted too."""
    day(lake, "2026-11-20")
    entries = [
        dict(station_status(1, "c1", 1, 0, 5, T - 5), last_reported=99999999999999999),
        dict(station_status(2, "c2", 1, 0, 5, T - 5), num_bikes_available=99999999999),
        dict(station_status(3, "c3", 1, 0, 5, T - 5), last_reported="10000-01-01T00:00:00Z"),
    ]
    lake.put_snapshot(snapshot(T + 30, INFO, entries), "citybikes")
    day(lake, "2026-11-20", system="citybikes")
    for accept in ("false", "true"):
        result = run_silver(spark, lake, "2026-11-20", **TWO, **{"--accept_bad_raw_files": accept})
        assert result["rejected"] == {"citybikes": {"bad_time": 2, "out_of_range": 1}}
        rows(spark, "velib_data_silver")  # every row can be read back


def test_every_entry_is_a_row_a_repeat_or_a_reject(spark, lake):
    day(lake, "2026-11-20", snapshots=4)
    bad_day(lake, "velib")
    result = run_silver(spark, lake, "2026-11-20")
    entries = 4 * 3 + 3
    assert result["rows"] + result["repeats"] + sum(result["rejected"]["velib"].values()) == entries


def _one(n: int) -> bytes:
    return json.dumps(snapshot(T + n, INFO, [station_status(n, f"c{n}", 1, 0, 5, T)])).encode()


def test_every_file_under_the_day_is_read_or_named(spark, lake, capsys):
    """Files in subfolders are read (Spark once failed on hour=03/ with
    "Conflicting directory structures" and skipped backup/ silently); an
    empty file is a bad file, not "gone"; a name with a colon, which Hadoop
    cannot open, is a bad file naming it, not a Java stack trace; hidden
    files (_x, .x: markers and checksums) are listed as ignored."""
    folder = lake.raw / "dt=2026-11-20"
    (folder / "hour=03").mkdir(parents=True)
    (folder / "backup").mkdir()
    (folder / "top.json").write_bytes(_one(1))
    (folder / "hour=03" / "h.json").write_bytes(_one(2))
    (folder / "backup" / "old.json.gz").write_bytes(gzip.compress(_one(3)))
    (folder / "_hidden.json").write_bytes(_one(4))
    (folder / ".hidden.json").write_bytes(_one(5))
    (folder / "empty.json.gz").write_bytes(b"")
    (folder / "velib-2026-11-20T06:00:00Z.json").write_bytes(_one(6))
    with pytest.raises(velib_io.JobError) as err:
        run_silver(spark, lake, "2026-11-20")
    message = str(err.value)
    assert "2 raw file(s) unreadable or not a snapshot" in message
    assert "empty.json.gz (empty)" in message
    assert "velib-2026-11-20T06:00:00Z.json (unreadable: a ':' in its name" in message
    result = run_silver(spark, lake, "2026-11-20", **{"--accept_bad_raw_files": "true"})
    assert result["rows"] == 3
    assert [p.rsplit("/", 1)[1] for p in result["ignored_files"]] == [".hidden.json", "_hidden.json"]
    assert "hidden files, not read" in capsys.readouterr().out
