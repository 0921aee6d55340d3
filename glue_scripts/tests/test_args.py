"""Argument and date parsing."""

import datetime as dt

import pytest

from velib_io import JobError, job_args, parse_dates


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("2026-11-20", ["2026-11-20"]),
        (" 2026-11-20 ", ["2026-11-20"]),
        ("2026-02-27..2026-03-01", ["2026-02-27", "2026-02-28", "2026-03-01"]),
        ("2024-02-28..2024-02-29", ["2024-02-28", "2024-02-29"]),
    ],
)
def test_parse_dates(spec, expected):
    assert parse_dates(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("2026-02-30", "is not YYYY-MM-DD"),
        ("yesterday", "is not YYYY-MM-DD"),
        ("2026-11-20..", "is not YYYY-MM-DD"),
        ("2026-11-21..2026-11-20", "ends before it starts"),
        ("2024-01-01..2025-12-31", "spans 731 days; the limit is 366"),
    ],
)
def test_parse_dates_errors(spec, message):
    with pytest.raises(JobError, match=message):
        parse_dates(spec)


def test_job_args_reads_glue_style_pairs():
    argv = [
        "--JOB_NAME",
        "j",
        "--job-bookmark-option",
        "job-bookmark-disable",
        "--database",
        "db",
        "--enable-metrics",
        "--process_date",
        "2026-11-20",
    ]
    assert job_args(argv, ["database"]) == {
        "JOB_NAME": "j",
        "job-bookmark-option": "job-bookmark-disable",
        "database": "db",
        "process_date": "2026-11-20",
    }


def test_job_args_defaults_the_date_to_today_utc():
    # Dates read just before and after the call, so midnight cannot flake it.
    before = dt.datetime.now(dt.UTC).date().isoformat()
    got = job_args(["--database", "db"], ["database"])["process_date"]
    after = dt.datetime.now(dt.UTC).date().isoformat()
    assert got in {before, after}


def test_job_args_names_what_is_missing():
    with pytest.raises(JobError, match="missing job argument\\(s\\): --raw_path, --target_table"):
        job_args(["--database", "db"], ["database", "raw_path", "target_table"])
