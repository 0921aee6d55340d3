"""Raw → silver as pure PySpark transforms: DataFrames in, DataFrames out.

Nothing here reads, writes or knows about Glue, so every function runs on a
local SparkSession; the entry point (velib_io.silver) does the I/O.

Raw input is one row per raw file: ``path``, ``system`` (the bike-share
system whose feed it holds), ``dt`` (the date partition it sits in, the UTC
date of its status feed's ``last_updated``) and ``value``,
the whole JSON text ``{"source", "fetched_at", "station_information",
"station_status"}`` the ingest Lambda wrote, or null when the file could not
be read, with ``read_problem`` saying why (see decode, the one function
here that is not Spark's: it turns a file's bytes into that text).

Nothing is dropped silently. A file that is unreadable or not a snapshot is a
bad file (``bad_files``): the job fails on it unless told to accept the loss.
A status entry that fails a check is a reject (``rejects``), with its reason,
instead of a silver row. A station reporting more bikes than its capacity is
kept and flagged (``over_capacity``): valet and virtual stations, or a
station_information older than the status, make that legitimate. Fields the
feed sends that silver does not know are listed (``new_fields``).
"""

import json
import sys
import zlib

from pyspark import cloudpickle
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, MapType, StringType, StructField, StructType

# Every field is read as text: GBFS versions disagree on JSON types (Vélib'
# sends numeric ids and 0/1 flags, GBFS 2.x+ string ids and booleans, GBFS
# 3.x RFC 3339 times), and only text lets a check tell "abc" from a missing
# value. Spark's JSON reader turns any value, objects included, into text for
# a string field.
_TEXT = StringType()


def _feed() -> StructType:
    return StructType(
        [
            StructField("last_updated", _TEXT),
            StructField("data", StructType([StructField("stations", ArrayType(_TEXT))])),
        ]
    )


SNAPSHOT_SCHEMA = StructType(
    [
        StructField("source", _TEXT),
        StructField("fetched_at", _TEXT),
        StructField("station_information", _feed()),
        StructField("station_status", _feed()),
    ]
)

# The fields of a station entry that silver reads, per feed.
INFO_FIELDS = ["station_id", "stationCode", "name", "lat", "lon", "capacity"]
STATUS_FIELDS = [
    "station_id",
    "stationCode",
    "num_bikes_available",
    "num_vehicles_available",
    "num_bikes_available_types",
    "num_docks_available",
    "is_installed",
    "is_renting",
    "is_returning",
    "last_reported",
]
# Fields known and deliberately not carried: Vélib's camelCase copies of the
# GBFS counts, and the payment methods.
IGNORED_FIELDS = {
    "station_information": ["rental_methods"],
    "station_status": ["numBikesAvailable", "numDocksAvailable"],
}
KNOWN_FIELDS = {
    "station_information": set(INFO_FIELDS) | set(IGNORED_FIELDS["station_information"]),
    "station_status": set(STATUS_FIELDS) | set(IGNORED_FIELDS["station_status"]),
}

SILVER_COLUMNS = [
    "station_id",
    "station_code",
    "name",
    "capacity",
    "num_bikes_available",
    "mechanical",
    "ebike",
    "num_docks_available",
    "is_installed",
    "is_renting",
    "is_returning",
    "last_reported",
    "snapshot_time",
    "lat",
    "lon",
    "over_capacity",
    "system",
    "dt",
]
REJECT_COLUMNS = ["station_id", "reason", "detail", "record", "snapshot_time", "source_file", "system", "dt"]

# Why a status entry is rejected, in the order the checks apply: an entry is
# rejected for the first that fails.
REASONS = [
    "malformed_entry",  # not a JSON object
    "missing_station_id",  # station_id absent, null or empty
    "duplicate_station_id",  # the station_id appeared earlier in the same snapshot
    "unknown_station",  # no station_information entry of the snapshot has the station_id
    "missing_field",  # a required field is absent or null
    "non_numeric",  # a count or capacity that is not a whole number
    "out_of_range",  # a whole number its column (a 32-bit int) cannot hold
    "bad_time",  # last_reported not a time, or outside EARLIEST_TIME .. the fetch plus CLOCK_SKEW
    "bad_flag",  # is_installed, is_renting or is_returning not 0/1/true/false
    "bad_location",  # lat or lon absent, not a number, or off the globe
    "negative_count",  # a count or capacity below zero
    # Set after the checks: the same station and last_reported as an
    # earlier snapshot's row of the day, with other values.
    "conflicting_repeat",
]

# The counts' columns are 32-bit ints.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# The earliest time a feed or a station may report: GBFS was first
# published in 2015 (the ingest Lambda's rule too).
EARLIEST_TIME = "2015-01-01 00:00:00"
# How far after the fetch a time may be: servers' clocks drift, not more.
CLOCK_SKEW_SECONDS = 3600
# POSIX seconds of 9999-12-31T23:59:59Z: past it, Spark cannot hold the time.
_MAX_SECONDS = 253402300799
# The fields that make a silver row, compared to tell a repeat from a
# conflicting one: all but the row's keys, when it was seen, and what is
# derived.
VALUE_COLUMNS = [
    c
    for c in SILVER_COLUMNS
    if c not in ("station_id", "last_reported", "snapshot_time", "over_capacity", "system", "dt")
]


# What decode found wrong with station entries, by "feed:position".
_PROBLEMS = MapType(_TEXT, _TEXT)

# GBFS 3.0 gives a name as localized strings, [{"text", "language"}, ...].
_LOCALIZED = ArrayType(StructType([StructField("text", _TEXT), StructField("language", _TEXT)]))


def _localized(col: Column) -> Column:
    """A name as text: GBFS 2.x's string as it is, GBFS 3.0's localized
    strings as the first one's text (a feed lists its default language
    first). A string that merely starts with "[" ("[Fermée] Place
    d'Italie") is a name like any other."""
    first = F.from_json(col, _LOCALIZED)[0]["text"]
    return F.coalesce(F.when(F.trim(col).startswith("["), first), col)


# An RFC 3339 date-time: a date alone, or a time without its offset, is not
# one (Spark's to_timestamp would take both, inventing midnight or a zone).
_RFC3339 = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"


def _timestamp(col: Column) -> Column:
    """POSIX seconds (GBFS 1.x, 2.x) or an RFC 3339 time (GBFS 3.x); null
    for anything else, seconds past year 9999 included (Spark's seconds to
    timestamp would overflow and fail the job)."""
    digits = F.trim(col)
    seconds = F.when(digits.rlike(r"^[0-9]{1,12}$"), digits.cast("long"))
    # RFC 3339 allows a lower-case t and z; Spark's parser does not.
    return F.when(digits.rlike(r"^[0-9]+$"), F.when(seconds <= _MAX_SECONDS, F.timestamp_seconds(seconds))).when(
        digits.rlike(_RFC3339), F.to_timestamp(F.upper(digits))
    )


def _implausible(time: Column, fetched: Column) -> Column:
    """Whether a time is one no live feed can give: before EARLIEST_TIME, or
    more than CLOCK_SKEW_SECONDS after the fetch (milliseconds or
    microseconds read as seconds land there)."""
    latest = fetched + F.expr(f"INTERVAL {CLOCK_SKEW_SECONDS} SECONDS")
    return (time < F.to_timestamp(F.lit(EARLIEST_TIME))) | (time > latest)


def _flag(col: Column) -> Column:
    """0/1 (Vélib') or false/true (GBFS 2.x+); anything else is null."""
    text = F.lower(F.trim(col))
    return F.when(text.isin("1", "true"), F.lit(True)).when(text.isin("0", "false"), F.lit(False))


def _whole(col: Column) -> Column:
    """Whether present text is a whole number."""
    return F.trim(col).rlike(r"^-?[0-9]+$")


def _problem(col: Column) -> Column:
    """Whether text is present but not a whole number."""
    return col.isNotNull() & ~_whole(col)


def _beyond_int(col: Column) -> Column:
    """Whether text is a whole number a 32-bit int cannot hold (cast, it
    would become null)."""
    digits = F.regexp_replace(F.trim(col), "^-?0*", "")
    n = F.trim(col).cast("long")
    return _whole(col) & ((F.length(digits) > 10) | (n > INT_MAX) | (n < INT_MIN))


def _off_globe(col: Column, bound: float) -> Column:
    """Whether a coordinate is absent, or not a number within ±bound."""
    x = F.trim(col).cast("double")
    return x.isNull() | F.isnan(x) | (F.abs(x) > bound)


def _failing(checks: dict[str, Column]) -> Column:
    """The names of the checks that hold, comma-separated, or null if none."""
    names = F.array_compact(F.array(*[F.when(cond, F.lit(name)) for name, cond in checks.items()]))
    return F.when(F.size(names) > 0, F.array_join(names, ","))


# A raw file larger than this once decompressed is refused: a snapshot of
# a large system is a few MiB, and Spark cannot pass a value of 2 GiB.
MAX_TEXT_BYTES = 512 << 20
_GZIP_MAGIC = b"\x1f\x8b"


def decode(content: bytes, name: str) -> dict:
    """A raw file's bytes as text: gzip (every member, as the ingest writes
    one and a concatenation must not be half-read) or, for a name that does
    not end in .gz, plain JSON put there by hand; a UTF-8 byte-order mark is
    dropped. Returns ``value`` (null when the file cannot be read),
    ``problem``: why it cannot be read, or why its text is not one strict
    JSON document (see parse), or null, and ``entries``: the station entries
    that are not one JSON object, by feed and position (see
    entry_problems). This is the one pass over a file's text in Python;
    everything else is Spark's. It never raises: any content is a value or
    a problem."""
    if content[:2] == _GZIP_MAGIC:
        content, problem = _gunzip(content)
        if problem:
            return _unread(problem)
    elif name.endswith(".gz") and content:
        return _unread("unreadable: not gzip, though its name ends in .gz")
    if len(content) > MAX_TEXT_BYTES:
        return _unread(f"unreadable: expands past {MAX_TEXT_BYTES >> 20} MiB")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return _unread(f"unreadable: not UTF-8 text ({err.reason} at byte {err.start})")
    doc, problem = parse(text)
    entries = entry_problems(doc) if problem is None and doc is not None else {}
    return {"value": text, "problem": problem, "entries": entries}


def _unread(problem: str) -> dict:
    return {"value": None, "problem": problem, "entries": {}}


def _gunzip(content: bytes) -> tuple[bytes | None, str | None]:
    """Every gzip member of content, joined, or why not."""
    out, size, rest = [], 0, content
    while rest:
        if rest[:2] != _GZIP_MAGIC:
            return None, f"unreadable: {len(rest)} bytes after the gzip data are not gzip"
        member = zlib.decompressobj(wbits=31)
        try:
            while rest and not member.eof:
                chunk = member.decompress(rest, MAX_TEXT_BYTES + 1 - size)
                rest = member.unconsumed_tail
                out.append(chunk)
                size += len(chunk)
                if size > MAX_TEXT_BYTES:
                    return None, f"unreadable: expands past {MAX_TEXT_BYTES >> 20} MiB"
                if not chunk and not rest:
                    break
        except zlib.error as err:
            return None, f"unreadable: not gzip ({err})"
        if not member.eof:
            return None, "unreadable: cut short (the gzip stream ends early)"
        rest = member.unused_data
    return b"".join(out), None


DECODED = StructType(
    [
        StructField("value", _TEXT),
        StructField("problem", _TEXT),
        StructField("entries", _PROBLEMS),
    ]
)


# The feeds of a snapshot, as its document names them.
_FEEDS = ("station_information", "station_status")


class _Object(list):
    """A JSON object as its (key, value) pairs, in order, duplicates kept."""


def parse(text: str | None) -> tuple[object, str | None]:
    """A snapshot's text as JSON, objects as _Object, and why it is not one
    strict JSON document, or None: not JSON (Spark's reader would take single quotes, or the first of several
    documents), bytes after the document (a second snapshot appended, or
    several gzip members), nested too deep to check, or a key given twice
    in the document, a feed or a feed's data (readers disagree on which one
    counts). Whether the document is a snapshot is left to the Spark checks,
    which name what is missing."""
    if text is None or not text.strip():
        return None, None
    start = len(text) - len(text.lstrip())
    try:
        doc, end = json.JSONDecoder(object_pairs_hook=_Object).raw_decode(text, start)
    except RecursionError:
        return None, f"not a snapshot: nested deeper than Python's limit of {sys.getrecursionlimit()} levels"
    except ValueError as err:
        return None, f"not a snapshot: not JSON ({err})"
    rest = text[end:].strip()
    if rest:
        return None, (
            f"bytes after the JSON document ({len(rest.encode())} more: a second snapshot appended, "
            "or several gzip members)"
        )
    if not isinstance(doc, _Object):
        return None, f"not a snapshot: the document is {_json_kind(doc)}, not an object"
    if twice := _twice(doc):
        return None, f'duplicate key "{twice}" in the document'
    # With no key twice above them, each feed and its data is one object.
    for feed in _FEEDS:
        value = _field(doc, feed)
        for where, pairs in ((feed, value), (feed + ".data", _field(value, "data"))):
            if isinstance(pairs, _Object) and (twice := _twice(pairs)):
                return None, f'duplicate key "{twice}" in {where}'
    return doc, None


def _twice(pairs: list) -> str | None:
    """The first key given twice in an object's pairs, or None."""
    seen = set()
    for key, _ in pairs:
        if key in seen:
            return key
        seen.add(key)
    return None


def _field(pairs, key):
    """The value of key in an object's pairs (the last, as Spark reads it), or None."""
    found = None
    if not isinstance(pairs, _Object):
        return None
    for k, v in pairs:
        if k == key:
            found = v
    return found


def entry_problems(doc) -> dict[str, str]:
    """What makes a station entry of a parsed snapshot not one JSON object,
    by "feed:position": a JSON string (Spark reads a string holding an
    object as that object) or a key given twice (Spark keeps the last). An
    entry that is a number, a list or null Spark itself finds malformed."""
    found = {}
    for feed in _FEEDS:
        stations = _field(_field(_field(doc, feed) or [], "data") or [], "stations")
        if not isinstance(stations, list) or isinstance(stations, _Object):
            continue
        for pos, entry in enumerate(stations):
            if isinstance(entry, str):
                found[f"{feed}:{pos}"] = "a JSON string, not an object"
            elif isinstance(entry, _Object) and (key := _twice(entry)):
                found[f"{feed}:{pos}"] = f'key "{key}" given twice'
    return found


def _json_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a number"


# The Python workers that run a UDF cannot import this module by name
# (locally its folder is on the driver's path only), so its functions travel
# by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])
# decode as a column function: a raw file's bytes and path in, DECODED out.
decoded = F.udf(decode, DECODED)


def snapshots(raw: DataFrame) -> DataFrame:
    """One row per raw file: ``path``, ``system``, ``dt``, ``snapshot_time``, the two
    feeds' station entries as JSON texts, ``fetched_at`` and ``problem``,
    which says why the file is not a usable snapshot, or is null. raw has
    ``path``, ``system``, ``dt`` and ``value`` (null for a file that could
    not be read), and may have ``read_problem`` (see decode), which is
    then the file's first problem, and ``entry_problems`` (decode's
    ``entries``), carried for station_rows."""
    s = F.from_json("value", SNAPSHOT_SCHEMA)
    status_time = s["station_status"]["last_updated"]
    snapshot_time = _timestamp(status_time)
    # A file from before the ingest wrote fetched_at is checked against its
    # feed's own time.
    # fetched_at is the ingest's RFC 3339 text, never POSIX seconds.
    fetched_text = s["fetched_at"]
    fetched_time = F.when(F.trim(fetched_text).rlike(_RFC3339), _timestamp(fetched_text))
    fetched = F.coalesce(fetched_time, snapshot_time)
    read_problem = F.col("read_problem") if "read_problem" in raw.columns else F.lit(None).cast("string")
    entry_problems = F.col("entry_problems") if "entry_problems" in raw.columns else F.lit(None).cast(_PROBLEMS)
    problem = (
        F.when(read_problem.isNotNull(), read_problem)
        .when(F.col("value").isNull(), F.lit("unreadable: not gzip, or cut short"))
        .when(F.col("value").rlike(r"^\s*$"), F.lit("empty"))
        .when(
            s.isNull() | (s["station_status"].isNull() & s["station_information"].isNull()),
            F.lit("not a snapshot: not JSON, cut short, or no station feeds"),
        )
        .when(status_time.isNull(), F.lit("no station_status.last_updated (cut short, or not a snapshot)"))
        .when(snapshot_time.isNull(), F.concat(F.lit("station_status.last_updated is not a time: "), status_time))
        .when(s["station_status"]["data"]["stations"].isNull(), F.lit("no station_status.data.stations"))
        .when(s["station_information"]["data"]["stations"].isNull(), F.lit("no station_information.data.stations"))
        .when(
            fetched_text.isNotNull() & fetched_time.isNull(),
            F.concat(F.lit("fetched_at is not a time: "), fetched_text),
        )
        .when(
            fetched > F.current_timestamp() + F.expr(f"INTERVAL {CLOCK_SKEW_SECONDS} SECONDS"),
            F.concat(F.lit("fetched_at is in the future: "), fetched_text),
        )
        .when(
            _implausible(snapshot_time, fetched),
            F.concat(F.lit("station_status.last_updated is implausible: "), status_time),
        )
        .when(
            F.date_format(snapshot_time, "yyyy-MM-dd") != F.col("dt").cast("string"),
            F.concat(
                F.lit("the feed's time "),
                F.date_format(snapshot_time, "yyyy-MM-dd'T'HH:mm:ss'Z'"),
                F.lit(" is not on its folder's day dt="),
                F.col("dt").cast("string"),
            ),
        )
    )
    return raw.select(
        "path",
        "system",
        F.col("dt").cast("string").alias("dt"),
        snapshot_time.alias("snapshot_time"),
        fetched.alias("fetched_at"),
        s["station_information"]["data"]["stations"].alias("information"),
        s["station_status"]["data"]["stations"].alias("status"),
        problem.alias("problem"),
        entry_problems.alias("entry_problems"),
    )


def bad_files(snaps: DataFrame) -> DataFrame:
    """The files that are not usable snapshots: ``path``, ``system``, ``dt``, ``problem``."""
    return snaps.where(F.col("problem").isNotNull()).select("path", "system", "dt", "problem").orderBy("path")


def _entries(snaps: DataFrame, feed: str, fields: list[str]) -> DataFrame:
    """The station entries of one feed of the usable snapshots, each with its
    position in the list, its JSON text, its fields as text, and
    ``entry_problem``: what decode found wrong with it (see entry_problems)."""
    struct = StructType([StructField(f, _TEXT) for f in fields])
    key = F.concat(F.lit(f"station_{feed}:"), F.col("pos").cast("string"))
    return (
        snaps.where(F.col("problem").isNull())
        .select(
            "path",
            "system",
            "dt",
            "snapshot_time",
            "fetched_at",
            "entry_problems",
            F.posexplode(feed).alias("pos", "record"),
        )
        .withColumns(
            {
                "object": F.from_json("record", MapType(_TEXT, _TEXT)).isNotNull(),
                "e": F.from_json("record", struct),
                "entry_problem": F.col("entry_problems")[key],
            }
        )
    )


def _information(snaps: DataFrame) -> DataFrame:
    """Station information per file and station_id: the first entry of the
    id, as text."""
    first = Window.partitionBy("path", "station_id").orderBy("pos")
    return (
        _entries(snaps, "information", INFO_FIELDS)
        .select(
            "path",
            "pos",
            F.col("entry_problem").alias("info_problem"),
            *[F.col("e")[f].alias(f if f == "station_id" else "info_" + f) for f in INFO_FIELDS],
        )
        .where(F.col("station_id").isNotNull())
        .withColumns({"_n": F.row_number().over(first), "known": F.lit(True)})
        .where(F.col("_n") == 1)
        .drop("_n", "pos")
    )


def _bike_types(types: Column, kind: str) -> Column:
    """The count of one kind in Vélib's [{"mechanical": 3}, {"ebike": 1}], as
    a long: a sum past an int is out_of_range, not an overflow."""
    parsed = F.from_json(types, ArrayType(MapType(_TEXT, _TEXT)))
    zero = F.lit(0).cast("long")
    return F.aggregate(parsed, zero, lambda acc, m: acc + F.coalesce(m[kind].cast("long"), zero))


def _types_problem(types: Column) -> Column:
    """Whether num_bikes_available_types is present but not a list of whole
    numbers by kind."""
    parsed = F.from_json(types, ArrayType(MapType(_TEXT, _TEXT)))
    return types.isNotNull() & (
        parsed.isNull()
        | F.exists(parsed, lambda m: m.isNull() | F.exists(F.map_values(m), lambda v: v.isNull() | ~_whole(v)))
    )


def _types_beyond_int(types: Column, totals: list[Column]) -> Column:
    """Whether a count of num_bikes_available_types, or a kind's total, is
    past an int."""
    parsed = F.from_json(types, ArrayType(MapType(_TEXT, _TEXT)))
    return F.exists(parsed, lambda m: F.exists(F.map_values(m), _beyond_int)) | F.exists(
        F.array(*totals), lambda n: (n > INT_MAX) | (n < INT_MIN)
    )


def station_rows(snaps: DataFrame) -> DataFrame:
    """One row per status entry of the usable snapshots, matched with the
    same snapshot's station information and checked: the silver columns (as
    far as they could be typed), ``reason`` and ``detail`` (null for a row
    that passes, else the first failing check of REASONS and the fields at
    fault), ``record`` (the entry as sent) and ``source_file``."""
    status = _entries(snaps, "status", STATUS_FIELDS).select(
        "path", "system", "dt", "snapshot_time", "fetched_at", "pos", "record", "object", "entry_problem", "e.*"
    )
    rows = status.join(_information(snaps), on=["path", "station_id"], how="left")
    id_text = F.trim("station_id")
    repeat = Window.partitionBy("path", "station_id").orderBy("pos")
    rows = rows.withColumn(
        "_seen", F.when(F.col("station_id").isNotNull() & (id_text != ""), F.row_number().over(repeat))
    )

    bikes_text = F.coalesce("num_bikes_available", "num_vehicles_available")
    counts = {
        "num_bikes_available": bikes_text,
        "num_docks_available": F.col("num_docks_available"),
        "capacity": F.col("info_capacity"),
    }
    # Computed once each: the checks and the columns below refer to them,
    # and an expression written out at every use makes Spark compile (and
    # parse) it each time, which dominates on a few rows.
    rows = rows.withColumns(
        {
            "_mechanical": _bike_types(F.col("num_bikes_available_types"), "mechanical"),
            "_ebike": _bike_types(F.col("num_bikes_available_types"), "ebike"),
            "_reported": _timestamp(F.col("last_reported")),
        }
    )
    mechanical, ebike, reported = F.col("_mechanical"), F.col("_ebike"), F.col("_reported")
    flags = ["is_installed", "is_renting", "is_returning"]
    checks = [
        (
            "malformed_entry",
            F.when(~F.col("object"), F.lit("station entry"))
            .when(F.col("entry_problem").isNotNull(), F.col("entry_problem"))
            .when(F.col("info_problem").isNotNull(), F.concat(F.lit("station_information: "), F.col("info_problem"))),
        ),
        ("missing_station_id", F.when(F.col("station_id").isNull() | (id_text == ""), F.lit("station_id"))),
        ("duplicate_station_id", F.when(F.col("_seen") > 1, F.lit("station_id"))),
        ("unknown_station", F.when(F.col("known").isNull(), F.lit("station_id"))),
        (
            "missing_field",
            _failing(
                {
                    "name": F.col("info_name").isNull(),
                    "num_bikes_available": bikes_text.isNull(),
                    "num_docks_available": F.col("num_docks_available").isNull(),
                    **{f: F.col(f).isNull() for f in flags},
                    "last_reported": F.col("last_reported").isNull(),
                }
            ),
        ),
        (
            "non_numeric",
            _failing(
                {
                    **{name: _problem(col) for name, col in counts.items()},
                    "num_bikes_available_types": _types_problem(F.col("num_bikes_available_types")),
                }
            ),
        ),
        (
            "out_of_range",
            _failing(
                {
                    **{name: _beyond_int(col) for name, col in counts.items()},
                    "num_bikes_available_types": _types_beyond_int(
                        F.col("num_bikes_available_types"), [mechanical, ebike]
                    ),
                }
            ),
        ),
        (
            "bad_time",
            _failing({"last_reported": F.coalesce(_implausible(reported, F.col("fetched_at")), F.lit(True))}),
        ),
        ("bad_flag", _failing({f: _flag(F.col(f)).isNull() for f in flags})),
        (
            "bad_location",
            _failing({"lat": _off_globe(F.col("info_lat"), 90), "lon": _off_globe(F.col("info_lon"), 180)}),
        ),
        (
            "negative_count",
            _failing(
                {
                    **{name: col.cast("long") < 0 for name, col in counts.items()},
                    "mechanical": mechanical < 0,
                    "ebike": ebike < 0,
                }
            ),
        ),
    ]
    reason = F.coalesce(*[F.when(detail.isNotNull(), F.lit(name)) for name, detail in checks])
    detail = F.coalesce(*[detail for _, detail in checks])
    bikes = bikes_text.cast("int")
    capacity = F.col("info_capacity").cast("int")
    checked = rows.select(
        "station_id",
        F.coalesce("stationCode", "info_stationCode").alias("station_code"),
        _localized(F.col("info_name")).alias("name"),
        capacity.alias("capacity"),
        bikes.alias("num_bikes_available"),
        F.when(F.col("num_bikes_available_types").isNotNull(), mechanical.cast("int")).alias("mechanical"),
        F.when(F.col("num_bikes_available_types").isNotNull(), ebike.cast("int")).alias("ebike"),
        F.col("num_docks_available").cast("int").alias("num_docks_available"),
        *[_flag(F.col(f)).alias(f) for f in flags],
        reported.alias("last_reported"),
        "snapshot_time",
        F.col("info_lat").cast("double").alias("lat"),
        F.col("info_lon").cast("double").alias("lon"),
        F.coalesce(bikes > capacity, F.lit(False)).alias("over_capacity"),
        "system",
        "dt",
        reason.alias("reason"),
        detail.alias("detail"),
        "record",
        F.col("path").alias("source_file"),
        "pos",
    )
    return _settle_repeats(checked)


def _settle_repeats(rows: DataFrame) -> DataFrame:
    """Marks the rows that repeat a station's ``last_reported`` (the station
    did not report between two snapshots) within each system's ``dt``: the
    row of the earliest snapshot is kept (then the first file by name, then
    the first entry), whatever the read order; a later one with the same
    values is a ``repeat`` (the same report, kept once), one with other
    values a ``conflicting_repeat`` reject naming the fields that differ.
    Within a day only, so that a backfill of a range keeps exactly the rows
    each day keeps when run alone. Station ids are a system's own: two
    systems may both have a station 1."""
    valid = F.col("reason").isNull()
    same_report = Window.partitionBy("system", "dt", "station_id", "last_reported", valid).orderBy(
        "snapshot_time", "source_file", "pos"
    )
    first = {c: F.first(c).over(same_report) for c in VALUE_COLUMNS}
    later = valid & (F.row_number().over(same_report) > 1)
    differ = _failing({c: ~F.col(c).eqNullSafe(first[c]) for c in VALUE_COLUMNS})
    marked = rows.withColumns({"_later": later, "_differ": F.when(later, differ)})
    return marked.withColumns(
        {
            "reason": F.when(F.col("_differ").isNotNull(), F.lit("conflicting_repeat")).otherwise(F.col("reason")),
            "detail": F.coalesce("_differ", "detail"),
            "repeat": F.col("_later") & F.col("_differ").isNull(),
        }
    ).drop("_later", "_differ", "pos")


def silver(rows: DataFrame) -> DataFrame:
    """The rows that pass every check, each report once (see
    _settle_repeats), in SILVER_COLUMNS order."""
    return rows.where(F.col("reason").isNull() & ~F.col("repeat")).select(SILVER_COLUMNS)


def rejects(rows: DataFrame) -> DataFrame:
    """The rows that fail a check, in REJECT_COLUMNS order."""
    return rows.where(F.col("reason").isNotNull()).select(REJECT_COLUMNS)


def new_fields(snaps: DataFrame) -> DataFrame:
    """The fields of station entries that silver does not know (KNOWN_FIELDS),
    each once: ``field`` as ``feed.name``."""
    found = []
    for feed, column in [("station_information", "information"), ("station_status", "status")]:
        keys = (
            snaps.where(F.col("problem").isNull())
            .select(F.explode(column).alias("record"))
            .select(F.explode(F.map_keys(F.from_json("record", MapType(_TEXT, _TEXT)))).alias("name"))
            .where(~F.col("name").isin(*sorted(KNOWN_FIELDS[feed])))
            .select(F.concat(F.lit(feed + "."), "name").alias("field"))
        )
        found.append(keys)
    return found[0].unionByName(found[1]).distinct().orderBy("field")


def raw_to_silver(raw: DataFrame) -> DataFrame:
    """The silver rows of raw files, skipping bad files: for tests and
    benchmarks that need only the table. The job uses the steps above, so that
    nothing is dropped without a count."""
    return silver(station_rows(snapshots(raw)))
