"""Values no fixture had: out of range, implausible, oddly named or shaped.
Every raw station entry must end in silver (flagged where needed) or in the
rejects with a reason; never as a NULL, a 0 or a crash."""

import gzip
import json

import pytest
from test_silver import T1, T2, outcome, status

from builders import snapshot, station_info, station_status, utc
from velib_silver import decode, rejects, silver, snapshots, station_rows

INFO = [station_info(36255, "9020", "Toudouze - Clauzel", 21), station_info(7, "0007", "Sept", 10)]


def raw(spark, *snaps, texts=(), dt="2026-11-20", system="velib"):
    """Raw files as read_raw gives them, each text decoded as from a plain
    JSON file."""
    values = [json.dumps(s) for s in snaps] + list(texts)
    rows = []
    for n, v in enumerate(values):
        d = decode(v.encode(), "plain.json")
        path = f"mem:/raw/{system}/dt={dt}/file-{n}.json.gz"
        rows.append((path, system, dt, d["value"], d["problem"], d["entries"]))
    schema = (
        "path string, system string, dt string, value string, read_problem string, entry_problems map<string,string>"
    )
    return spark.createDataFrame(rows, schema)


def refine(spark, *snaps, texts=()):
    return outcome(raw(spark, *snaps, texts=texts))


GOOD = station_status(7, "0007", 1, 0, 9, T1 - 60)


# Each case is a station of its own in one snapshot: one Spark job checks
# them all, and a failure names the station (its position here, from 1000).
NO_COLUMN_HOLDS = [
    # A number its column cannot hold: never NULL or 0.
    (status(num_bikes_available=99999999999), "out_of_range", "num_bikes_available"),
    (status(num_docks_available=2147483648), "out_of_range", "num_docks_available"),
    (status(num_bikes_available=-2147483649), "out_of_range", "num_bikes_available"),
    (
        status(num_bikes_available_types=[{"mechanical": 3000000000}, {"ebike": 0}]),
        "out_of_range",
        "num_bikes_available_types",
    ),
    (
        status(num_bikes_available_types=[{"mechanical": 2000000000}, {"mechanical": 2000000000}]),
        "out_of_range",
        "num_bikes_available_types",
    ),
    (status(num_docks_available=1.2e29), "non_numeric", "num_docks_available"),
    # A time no station can have reported: never an overflow or year 58856.
    (status(last_reported=99999999999999999), "bad_time", "last_reported"),
    (status(last_reported=(T1 - 10) * 1000), "bad_time", "last_reported"),
    (status(last_reported=(T1 - 10) * 1000000), "bad_time", "last_reported"),
    (status(last_reported=0), "bad_time", "last_reported"),
    (status(last_reported=utc("2014-12-31T23:59:59")), "bad_time", "last_reported"),
    (status(last_reported=T1 + 5 + 3601), "bad_time", "last_reported"),
    (status(last_reported="10000-01-01T00:00:00Z"), "bad_time", "last_reported"),
    (status(last_reported="2030-01-01T00:00:00Z"), "bad_time", "last_reported"),
    # Not RFC 3339: a day alone would invent midnight, a time without an
    # offset is in no known zone.
    (status(last_reported="2026-11-20"), "bad_time", "last_reported"),
    (status(last_reported="2026-11-20T07:59:00"), "bad_time", "last_reported"),
    (status(last_reported="2026-11-20 07:59:00"), "bad_time", "last_reported"),
    # Never NULL or 0 in silver.
    (status(num_docks_available=...), "missing_field", "num_docks_available"),
    (status(num_docks_available=None), "missing_field", "num_docks_available"),
    (status(num_bikes_available_types=[None]), "non_numeric", "num_bikes_available_types"),
]


def test_a_value_no_column_can_hold_is_rejected(spark):
    entries = [dict(entry, station_id=1000 + n) for n, (entry, _, _) in enumerate(NO_COLUMN_HOLDS)]
    info = INFO + [station_info(1000 + n, "x", "x", 21) for n in range(len(entries))]
    kept, rejected, bad = refine(spark, snapshot(T1, info, [GOOD, *entries]))
    assert [r.station_id for r in kept] == ["7"]
    want = {str(1000 + n): (reason, detail) for n, (_, reason, detail) in enumerate(NO_COLUMN_HOLDS)}
    assert {r.station_id: (r.reason, r.detail) for r in rejected} == want
    assert bad == []


def test_an_entry_that_is_not_one_json_object_is_malformed(spark):
    """Spark reads an entry sent as a JSON string holding an object as that
    object, and keeps the last of a key given twice; Python's parse of the
    file names both. A station_information entry's fault rejects its
    station's status rows."""
    entries = [GOOD, "@@", dict(GOOD, station_id=8)]
    text = json.dumps(snapshot(T1, INFO + [station_info(8, "x", "Huit", 9)], entries))
    text = text.replace('"@@"', json.dumps(json.dumps(status())))
    text = text.replace('"name": "Huit"', '"name": "Huit", "name": "Neuf"')
    kept, rejected, bad = refine(spark, texts=[text])
    assert bad == []
    assert [r.station_id for r in kept] == ["7"]
    assert sorted((r.station_id, r.reason, r.detail) for r in rejected) == [
        ("36255", "malformed_entry", "a JSON string, not an object"),
        ("8", "malformed_entry", 'station_information: key "name" given twice'),
    ]


def test_a_time_within_the_clock_skew_is_kept(spark):
    kept, rejected, _ = refine(spark, snapshot(T1, INFO, [status(last_reported=T1 + 5 + 3500)]))
    assert len(kept) == 1 and rejected == []


def test_rfc3339_allows_lower_case_t_and_z(spark):
    kept, rejected, _ = refine(spark, snapshot(T1, INFO, [status(last_reported="2026-11-20t07:59:00z")]))
    assert [r.last_reported.isoformat() for r in kept] == ["2026-11-20T07:59:00"] and rejected == []


OFF_THE_GLOBE = [
    ({"lat": None}, "lat"),
    ({"lat": None, "lon": None}, "lat,lon"),
    ({"lat": "abc"}, "lat"),
    ({"lon": 999}, "lon"),
    ({"lat": -90.5}, "lat"),
    ({"lat": 91, "lon": -181}, "lat,lon"),
    ({"lat": "NaN"}, "lat"),
]


def test_a_position_off_the_globe_is_rejected(spark):
    info = [station_info(1000 + n, "x", "x", 21, **where) for n, (where, _) in enumerate(OFF_THE_GLOBE)]
    entries = [dict(status(), station_id=1000 + n) for n in range(len(OFF_THE_GLOBE))]
    kept, rejected, _ = refine(spark, snapshot(T1, [*info, INFO[1]], [GOOD, *entries]))
    assert [r.station_id for r in kept] == ["7"]
    want = {str(1000 + n): ("bad_location", detail) for n, (_, detail) in enumerate(OFF_THE_GLOBE)}
    assert {r.station_id: (r.reason, r.detail) for r in rejected} == want


def test_a_station_without_information_is_rejected(spark):
    """Its name, capacity and position would all be NULL in silver."""
    kept, rejected, _ = refine(spark, snapshot(T1, INFO, [GOOD, dict(status(), station_id=999)]))
    assert [r.station_id for r in kept] == ["7"]
    assert [(r.station_id, r.reason, r.detail) for r in rejected] == [("999", "unknown_station", "station_id")]


def test_a_station_without_a_name_is_rejected(spark):
    info = [dict(station_info(36255, "9020", "x", 21), name=None), INFO[1]]
    kept, rejected, _ = refine(spark, snapshot(T1, info, [GOOD, status()]))
    assert [r.station_id for r in kept] == ["7"]
    assert [(r.reason, r.detail) for r in rejected] == [("missing_field", "name")]


def test_the_edges_of_the_globe_are_kept(spark):
    info = station_info(36255, "9020", "x", 21, lat=-90, lon=180)
    kept, rejected, _ = refine(spark, snapshot(T1, [info], [status()]))
    assert [(r.lat, r.lon) for r in kept] == [(-90.0, 180.0)] and rejected == []


def test_a_plain_name_is_kept_as_text(spark):
    names = ["[Fermée] Place d'Italie", "  [travaux] Bastille", "[", "[1, 2]", '["not", "localized"]']
    info = [station_info(1000 + n, "x", name, 21) for n, name in enumerate(names)]
    entries = [dict(status(), station_id=1000 + n) for n in range(len(names))]
    kept, _, _ = refine(spark, snapshot(T1, info, entries))
    assert sorted((r.station_id, r.name) for r in kept) == [(str(1000 + n), name) for n, name in enumerate(names)]


def test_a_localized_name_is_its_first_text(spark):
    name = [{"text": "Quai", "language": "fr"}, {"text": "Quay", "language": "en"}]
    kept, _, _ = refine(spark, snapshot(T1, [station_info(36255, "9020", name, 21)], [status()]))
    assert [r.name for r in kept] == ["Quai"]


def test_conflicting_repeats_are_rejected_and_the_first_kept(spark):
    """Two snapshots give the same station and last_reported with 5 and 9
    bikes: the earliest snapshot's row is kept whatever the read order, the
    other is a reject naming the fields that differ; an identical repeat is
    the same row, kept once."""
    first = snapshot(T1, INFO, [status(num_bikes_available=5)])
    second = snapshot(T2, INFO, [status(num_bikes_available=9, num_docks_available=11)])
    same = snapshot(T2 + 60, INFO, [status(num_bikes_available=5)])
    for order in [(first, second, same), (second, same, first)]:
        snaps_df = snapshots(raw(spark, *order))
        rows = station_rows(snaps_df)
        kept, rejected = silver(rows).collect(), rejects(rows).collect()
        assert [(r.num_bikes_available, r.snapshot_time.isoformat()) for r in kept] == [(5, "2026-11-20T08:00:00")]
        assert [(r.reason, r.detail, json.loads(r.record)["num_bikes_available"]) for r in rejected] == [
            ("conflicting_repeat", "num_bikes_available,num_docks_available", 9)
        ]
        assert rows.where("repeat").count() == 1


def test_every_entry_ends_somewhere(spark):
    """Silver rows, identical repeats and rejects add up to the entries."""
    entries = [GOOD, status(num_bikes_available=-1), status(last_reported=99999999999999999), 7]
    again = snapshot(T2, INFO, [GOOD])
    rows = station_rows(snapshots(raw(spark, snapshot(T1, INFO, entries), again)))
    assert silver(rows).count() + rows.where("repeat").count() + rejects(rows).count() == len(entries) + 1


# Each text is a file of its own in one raw folder, beside a good snapshot.
TWO_THINGS = [
    (json.dumps(snapshot(T1, INFO, [GOOD])) + " garbage", "bytes after the JSON document"),
    (json.dumps(snapshot(T1, INFO, [GOOD])) * 2, "bytes after the JSON document"),
    (
        '{"source": "x", "station_status": {"last_updated": 1, "data": {"stations": []}}, "station_status": {}}',
        'duplicate key "station_status" in the document',
    ),
    (
        json.dumps(snapshot(T1, INFO, [GOOD]))[:-1] + ', "fetched_at": "y"}',
        'duplicate key "fetched_at" in the document',
    ),
    (
        json.dumps(snapshot(T1, INFO, [GOOD])).replace('"ttl": 60', '"ttl": 60, "last_updated": 5'),
        'duplicate key "last_updated" in station_status',
    ),
    (json.dumps(snapshot(utc("2030-01-01T00:00:00"), INFO, [GOOD])), "fetched_at is in the future: 2030-01-01"),
    (json.dumps(snapshot(utc("2026-11-19T23:59:59"), INFO, [GOOD])), "not on its folder's day dt=2026-11-20"),
    (
        json.dumps(snapshot(T1, INFO, [GOOD])).replace(f'"last_updated": {T1}', '"last_updated": 99999999999999999'),
        "is not a time",
    ),
    # Spark's reader takes single quotes and reads the first document of
    # several; Python's strict one is the gate, so nothing is half-read.
    (json.dumps(snapshot(T1, INFO, [GOOD])).replace('"', "'"), "not a snapshot: not JSON"),
    (json.dumps(snapshot(T1, INFO, [GOOD])).replace('"', "'") * 2, "not a snapshot: not JSON"),
    (json.dumps(snapshot(T1, INFO, [GOOD])).replace('"Sept"', "'Sept'"), "not a snapshot: not JSON"),
    # A fetch time that is not a time, or after the run: every time in the
    # file is checked against it.
    (json.dumps({**snapshot(T1, INFO, [GOOD]), "fetched_at": "soon"}), "fetched_at is not a time: soon"),
    (
        json.dumps({**snapshot(T1, INFO, [GOOD]), "fetched_at": "9999-12-31T00:00:00Z"}),
        "fetched_at is in the future: 9999-12-31T00:00:00Z",
    ),
    (json.dumps({**snapshot(T1, INFO, [GOOD]), "fetched_at": "2026-11-20"}), "fetched_at is not a time"),
    (
        json.dumps(snapshot(T1, INFO, [GOOD])).replace(f'"last_updated": {T1}', '"last_updated": "2026-11-20"'),
        "station_status.last_updated is not a time: 2026-11-20",
    ),
    (json.dumps({**snapshot(T1, INFO, [GOOD]), "fetched_at": T1 + 5}), "fetched_at is not a time"),
    (" \n\t\r\n", "empty"),
    ("null", "not a snapshot: the document is null, not an object"),
    ('"hello"', "not a snapshot: the document is a string, not an object"),
    # Shapes that once crashed the duplicate-key check.
    ("[" + json.dumps(snapshot(T1, INFO, [GOOD])) + "]", "not a snapshot: the document is a list, not an object"),
    (
        json.dumps({**snapshot(T1, INFO, [GOOD]), "station_status": [1, 2, 3]}),
        "no station_status.last_updated",
    ),
    (
        json.dumps({**snapshot(T1, INFO, [GOOD]), "station_status": {"last_updated": T1, "data": [GOOD]}}),
        "no station_status.data.stations",
    ),
    # Deeper than Python's parser goes (inside one entry, too): the file
    # cannot be checked, so it is a bad file, not a crash.
    (
        json.dumps(snapshot(T1, INFO, [GOOD])).replace(
            '"is_installed"', '"deep": ' + "[" * 5000 + "]" * 5000 + ', "is_installed"'
        ),
        "nested deeper than",
    ),
]


def test_a_file_that_says_two_things_is_a_bad_file(spark):
    texts = [text for text, _ in TWO_THINGS]
    kept, rejected, bad = refine(spark, snapshot(T1 + 60, INFO, [GOOD]), texts=texts)
    assert len(kept) == 1 and rejected == []
    problems = {b.path: b.problem for b in bad}
    for n, (_, problem) in enumerate(TWO_THINGS, start=1):
        path = f"mem:/raw/velib/dt=2026-11-20/file-{n}.json.gz"
        assert problem in problems.pop(path, "(not a bad file)"), path
    assert problems == {}


@pytest.mark.parametrize(
    ("content", "name", "value", "problem"),
    [
        (gzip.compress(b'{"a": 1}'), "x.json.gz", '{"a": 1}', None),
        (b'{"a": 1}', "x.json", '{"a": 1}', None),  # a plain JSON file put there by hand
        # Read whole, so the second document is seen, and named.
        (
            gzip.compress(b'{"a": 1}') + gzip.compress(b'{"b": 2}'),
            "x.json.gz",
            '{"a": 1}{"b": 2}',
            "bytes after the JSON document",
        ),
        (gzip.compress(b'{"a": 1}')[:-6], "x.json.gz", None, "cut short"),
        (b"\x1f\x8bnot really", "x.json.gz", None, "not gzip"),
        (b"<html>503</html>", "x.json.gz", None, "not gzip, though its name ends in .gz"),
        (gzip.compress("é".encode("latin-1")), "x.json.gz", None, "not UTF-8"),
        (b"", "x.json", "", None),
        (b"", "x.json.gz", "", None),  # "empty", not "not gzip"
        (b'\xef\xbb\xbf{"a": 1}', "x.json", '{"a": 1}', None),  # a byte-order mark is not content
        (gzip.compress(b'{"a": 1}') + b"garbage", "x.json.gz", None, "7 bytes after the gzip data are not gzip"),
        (gzip.compress(b" " * (600 << 20)), "x.json.gz", None, "expands past 512 MiB"),
        (b"{'a': 1}", "x.json", "{'a': 1}", "not a snapshot: not JSON"),
        (b"[1, 2]", "x.json", "[1, 2]", "not a snapshot: the document is a list, not an object"),
    ],
    ids=[
        "gzip",
        "plain",
        "two members",
        "cut short",
        "bad gzip",
        "html as .gz",
        "latin-1",
        "empty",
        "empty .gz",
        "BOM",
        "gzip then junk",
        "gzip bomb",
        "single quotes",
        "array",
    ],
)
def test_decode(content, name, value, problem):
    got = decode(content, name)
    assert got["value"] == value
    assert (got["problem"] is None) if problem is None else (problem in got["problem"])
