"""Raw → silver as pure PySpark transforms: DataFrames in, DataFrames out.

Nothing here reads, writes or knows about Glue, so every function runs on a
local SparkSession; the entry point (velib_io.silver) does the I/O.

Raw input is one row per raw file: ``path``, ``system`` (the bike-share
system whose feed it holds), ``dt`` (the date partition it sits in, the UTC
date of its status feed's ``last_updated``) and ``value``,
the whole JSON text ``{"source", "fetched_at", "station_information",
"station_status"}`` the ingest Lambda wrote, or null when the file could not
be read (not gzip, cut short).

Nothing is dropped silently. A file that is unreadable or not a snapshot is a
bad file (``bad_files``): the job fails on it unless told to accept the loss.
A status entry that fails a check is a reject (``rejects``), with its reason,
instead of a silver row. A station reporting more bikes than its capacity is
kept and flagged (``over_capacity``): valet and virtual stations, or a
station_information older than the status, make that legitimate. Fields the
feed sends that silver does not know are listed (``new_fields``).
"""

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
    "missing_field",  # a required field is absent or null
    "non_numeric",  # a count or capacity that is not a whole number
    "bad_time",  # last_reported neither POSIX seconds nor RFC 3339
    "bad_flag",  # is_installed, is_renting or is_returning not 0/1/true/false
    "negative_count",  # a count or capacity below zero
]


# GBFS 3.0 gives a name as localized strings, [{"text", "language"}, ...].
_LOCALIZED = ArrayType(StructType([StructField("text", _TEXT), StructField("language", _TEXT)]))


def _localized(col: Column) -> Column:
    """A name as text: GBFS 2.x's string as it is, GBFS 3.0's localized
    strings as the first one's text (a feed lists its default language
    first)."""
    return F.when(F.trim(col).startswith("["), F.from_json(col, _LOCALIZED)[0]["text"]).otherwise(col)


def _timestamp(col: Column) -> Column:
    """POSIX seconds (GBFS 1.x, 2.x) or an RFC 3339 time (GBFS 3.x)."""
    return F.when(col.rlike(r"^[0-9]+$"), F.timestamp_seconds(col.cast("long"))).otherwise(F.to_timestamp(col))


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


def _failing(checks: dict[str, Column]) -> Column:
    """The names of the checks that hold, comma-separated, or null if none."""
    names = F.array_compact(F.array(*[F.when(cond, F.lit(name)) for name, cond in checks.items()]))
    return F.when(F.size(names) > 0, F.array_join(names, ","))


def snapshots(raw: DataFrame) -> DataFrame:
    """One row per raw file: ``path``, ``system``, ``dt``, ``snapshot_time``, the two
    feeds' station entries as JSON texts, and ``problem``, which says why the
    file is not a usable snapshot, or is null."""
    s = F.from_json("value", SNAPSHOT_SCHEMA)
    status_time = s["station_status"]["last_updated"]
    problem = (
        F.when(F.col("value").isNull(), F.lit("unreadable: not gzip, or cut short"))
        .when(F.trim("value") == "", F.lit("empty"))
        .when(
            s.isNull() | (s["station_status"].isNull() & s["station_information"].isNull()),
            F.lit("not a snapshot: not JSON, cut short, or no station feeds"),
        )
        .when(status_time.isNull(), F.lit("no station_status.last_updated (cut short, or not a snapshot)"))
        .when(
            _timestamp(status_time).isNull(),
            F.concat(F.lit("station_status.last_updated is not a time: "), status_time),
        )
        .when(s["station_status"]["data"]["stations"].isNull(), F.lit("no station_status.data.stations"))
        .when(s["station_information"]["data"]["stations"].isNull(), F.lit("no station_information.data.stations"))
    )
    return raw.select(
        "path",
        "system",
        F.col("dt").cast("string").alias("dt"),
        _timestamp(status_time).alias("snapshot_time"),
        s["station_information"]["data"]["stations"].alias("information"),
        s["station_status"]["data"]["stations"].alias("status"),
        problem.alias("problem"),
    )


def bad_files(snaps: DataFrame) -> DataFrame:
    """The files that are not usable snapshots: ``path``, ``system``, ``dt``, ``problem``."""
    return snaps.where(F.col("problem").isNotNull()).select("path", "system", "dt", "problem").orderBy("path")


def _entries(snaps: DataFrame, feed: str, fields: list[str]) -> DataFrame:
    """The station entries of one feed of the usable snapshots, each with its
    position in the list, its JSON text and its fields as text."""
    struct = StructType([StructField(f, _TEXT) for f in fields])
    return (
        snaps.where(F.col("problem").isNull())
        .select("path", "system", "dt", "snapshot_time", F.posexplode(feed).alias("pos", "record"))
        .withColumn("object", F.from_json("record", MapType(_TEXT, _TEXT)).isNotNull())
        .withColumn("e", F.from_json("record", struct))
    )


def _information(snaps: DataFrame) -> DataFrame:
    """Station information per file and station_id: the first entry of the
    id, as text."""
    first = Window.partitionBy("path", "station_id").orderBy("pos")
    return (
        _entries(snaps, "information", INFO_FIELDS)
        .select("path", "pos", *[F.col("e")[f].alias(f if f == "station_id" else "info_" + f) for f in INFO_FIELDS])
        .where(F.col("station_id").isNotNull())
        .withColumn("_n", F.row_number().over(first))
        .where(F.col("_n") == 1)
        .drop("_n", "pos")
    )


def _bike_types(types: Column, kind: str) -> Column:
    """The count of one kind in Vélib's [{"mechanical": 3}, {"ebike": 1}]."""
    parsed = F.from_json(types, ArrayType(MapType(_TEXT, _TEXT)))
    return F.aggregate(parsed, F.lit(0), lambda acc, m: acc + F.coalesce(m[kind].cast("int"), F.lit(0)))


def _types_problem(types: Column) -> Column:
    """Whether num_bikes_available_types is present but not a list of whole
    numbers by kind."""
    parsed = F.from_json(types, ArrayType(MapType(_TEXT, _TEXT)))
    return types.isNotNull() & (
        parsed.isNull() | F.exists(parsed, lambda m: F.exists(F.map_values(m), lambda v: v.isNull() | ~_whole(v)))
    )


def station_rows(snaps: DataFrame) -> DataFrame:
    """One row per status entry of the usable snapshots, matched with the
    same snapshot's station information and checked: the silver columns (as
    far as they could be typed), ``reason`` and ``detail`` (null for a row
    that passes, else the first failing check of REASONS and the fields at
    fault), ``record`` (the entry as sent) and ``source_file``."""
    status = _entries(snaps, "status", STATUS_FIELDS).select(
        "path", "system", "dt", "snapshot_time", "pos", "record", "object", "e.*"
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
    mechanical = _bike_types(F.col("num_bikes_available_types"), "mechanical")
    ebike = _bike_types(F.col("num_bikes_available_types"), "ebike")
    flags = ["is_installed", "is_renting", "is_returning"]
    checks = [
        ("malformed_entry", F.when(~F.col("object"), F.lit("station entry"))),
        ("missing_station_id", F.when(F.col("station_id").isNull() | (id_text == ""), F.lit("station_id"))),
        ("duplicate_station_id", F.when(F.col("_seen") > 1, F.lit("station_id"))),
        (
            "missing_field",
            _failing(
                {
                    "num_bikes_available": bikes_text.isNull(),
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
        ("bad_time", _failing({"last_reported": _timestamp(F.col("last_reported")).isNull()})),
        ("bad_flag", _failing({f: _flag(F.col(f)).isNull() for f in flags})),
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
    return rows.select(
        "station_id",
        F.coalesce("stationCode", "info_stationCode").alias("station_code"),
        _localized(F.col("info_name")).alias("name"),
        capacity.alias("capacity"),
        bikes.alias("num_bikes_available"),
        F.when(F.col("num_bikes_available_types").isNotNull(), mechanical).alias("mechanical"),
        F.when(F.col("num_bikes_available_types").isNotNull(), ebike).alias("ebike"),
        F.col("num_docks_available").cast("int").alias("num_docks_available"),
        *[_flag(F.col(f)).alias(f) for f in flags],
        _timestamp(F.col("last_reported")).alias("last_reported"),
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
    )


def silver(rows: DataFrame) -> DataFrame:
    """The rows that pass every check, in SILVER_COLUMNS order.

    Rows repeating a station's ``last_reported`` (the station did not report
    between two snapshots) are dropped within each system's ``dt``, keeping
    the earliest snapshot; within a day only, so that a backfill of a range
    keeps exactly the rows each day keeps when run alone. Station ids are a
    system's own: two systems may both have a station 1.
    """
    first_seen = Window.partitionBy("system", "dt", "station_id", "last_reported").orderBy("snapshot_time")
    return (
        rows.where(F.col("reason").isNull())
        .withColumn("_n", F.row_number().over(first_seen))
        .where(F.col("_n") == 1)
        .select(SILVER_COLUMNS)
    )


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
