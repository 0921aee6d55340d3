"""Several bike-share systems in one job run, and tables from before the
system partition."""

import os

import pytest
from test_jobs import args, day, files, partitions, run_gold, run_silver

import velib_io
from builders import DATABASE

TWO = {"--systems": "velib,citybikes"}


def test_one_run_refines_every_system_apart(spark, lake):
    day(lake, "2026-11-20")
    day(lake, "2026-11-20", snapshots=2, system="citybikes")
    result = run_silver(spark, lake, "2026-11-20", **TWO)
    # Both systems have stations 1 to 3: a system's ids are its own.
    assert result["rows"] == 7 + 5 and result["days_without_data"] == {}
    assert partitions(spark, "velib_data_silver") == ["system=citybikes/dt=2026-11-20", "system=velib/dt=2026-11-20"]
    assert run_gold(spark, lake, "2026-11-20", **TWO) == (3 + 3, 7 + 5)
    snapshots = {
        (r.system, r.station_id): r.snapshots for r in spark.table(f"{DATABASE}.velib_avg_stats_gold").collect()
    }
    assert snapshots[("velib", "1")] == 3 and snapshots[("citybikes", "1")] == 2


def test_a_system_without_raw_data_is_skipped_and_reported(spark, lake, capsys):
    day(lake, "2026-11-20")
    result = run_silver(spark, lake, "2026-11-20", **TWO)
    assert result["rows"] == 7
    assert result["days_without_data"] == {"citybikes": ["2026-11-20"]}
    assert (
        '"event": "days without raw snapshots, skipped", "days": {"citybikes": ["2026-11-20"]}'
        in capsys.readouterr().out
    )
    assert partitions(spark, "velib_data_silver") == ["system=velib/dt=2026-11-20"]
    avg = velib_io.gold(
        "gold",
        lambda df: df,
        args(lake, "2026-11-20", **TWO, **{"--target_table": "copy", "--target_path": lake.table_path("copy")}),
        spark,
    )
    assert avg["days_without_data"] == {"citybikes": ["2026-11-20"]}


def test_no_system_with_data_fails(spark, lake):
    with pytest.raises(velib_io.JobError, match=r"no raw snapshots for 2026-11-20 under .*/raw/\{velib,citybikes\}/"):
        run_silver(spark, lake, "2026-11-20", **TWO)


def test_a_run_for_one_system_leaves_the_others_alone(spark, lake):
    day(lake, "2026-11-20")
    day(lake, "2026-11-20", system="citybikes")
    run_silver(spark, lake, "2026-11-20", **TWO)
    velib_files = files(os.path.join(lake.table_path("silver"), "data", "system=velib"))
    day(lake, "2026-11-20", snapshots=1, system="citybikes")
    run_silver(spark, lake, "2026-11-20", **{"--systems": "citybikes"})
    assert files(os.path.join(lake.table_path("silver"), "data", "system=velib")) == velib_files


@pytest.mark.parametrize("spec", ["", "Velib", "velib,,", "a b", "velib;other"])
def test_systems_must_be_ids(spark, lake, spec):
    if spec == "velib,,":
        assert velib_io.parse_systems(spec) == ["velib"]
        return
    with pytest.raises(velib_io.JobError, match="--systems must list system ids"):
        velib_io.parse_systems(spec)


@pytest.mark.parametrize(
    "spec, want",
    [
        ('["velib", "citybikes"]', ["velib", "citybikes"]),
        ('["velib","velib"]', ["velib"]),
        ("velib, citybikes", ["velib", "citybikes"]),
        ("[]", None),
        ('["Velib"]', None),
        ("[1]", None),
        ('["velib"', None),
        ('{"velib": 1}', None),
    ],
)
def test_systems_as_the_state_machine_passes_them(spec, want):
    """The state machine passes --systems as a JSON list, the text its
    States.JsonToString makes of the systems to process."""
    if want is None:
        with pytest.raises(velib_io.JobError, match="--systems must list system ids"):
            velib_io.parse_systems(spec)
    else:
        assert velib_io.parse_systems(spec) == want
