"""Pure PySpark transforms of the Vélib' pipeline: a DataFrame in, a DataFrame out.

Nothing here reads, writes or knows about Glue, so every function runs on a
local SparkSession. The entry scripts (../velib_*.py) do the I/O.

Raw input is one row per snapshot object written by the ingest Lambda:
``value`` holds the whole JSON text ``{"source", "fetched_at",
"station_information", "station_status"}`` and ``dt`` the date partition the
object sits in (the UTC date of the status feed's ``last_updated``).
"""

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    DoubleType,
    LongType,
    MapType,
    StringType,
    StructField,
    StructType,
)

# Only the fields the tables use are parsed. Identifiers, flags and times are
# read as text because GBFS versions disagree on their JSON types (Vélib' sends
# numeric ids and 0/1 flags, GBFS 2.x+ string ids and booleans, GBFS 3.x RFC
# 3339 times); Spark's JSON reader turns any value into text for a string field.
_INFO_STATION = StructType(
    [
        StructField("station_id", StringType()),
        StructField("stationCode", StringType()),
        StructField("name", StringType()),
        StructField("lat", DoubleType()),
        StructField("lon", DoubleType()),
        StructField("capacity", LongType()),
    ]
)
_STATUS_STATION = StructType(
    [
        StructField("station_id", StringType()),
        StructField("stationCode", StringType()),
        StructField("num_bikes_available", LongType()),
        StructField("num_vehicles_available", LongType()),
        StructField("num_bikes_available_types", ArrayType(MapType(StringType(), LongType()))),
        StructField("num_docks_available", LongType()),
        StructField("is_installed", StringType()),
        StructField("is_renting", StringType()),
        StructField("is_returning", StringType()),
        StructField("last_reported", StringType()),
    ]
)


def _feed(station: StructType) -> StructType:
    return StructType(
        [
            StructField("last_updated", StringType()),
            StructField("data", StructType([StructField("stations", ArrayType(station))])),
        ]
    )


SNAPSHOT_SCHEMA = StructType(
    [
        StructField("source", StringType()),
        StructField("fetched_at", StringType()),
        StructField("station_information", _feed(_INFO_STATION)),
        StructField("station_status", _feed(_STATUS_STATION)),
    ]
)

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
    "dt",
]


def _timestamp(col):
    """POSIX seconds (GBFS 1.x, 2.x) or an RFC 3339 time (GBFS 3.x)."""
    return F.when(col.rlike(r"^[0-9]+$"), F.timestamp_seconds(col.cast("long"))).otherwise(F.to_timestamp(col))


def _flag(col):
    """0/1 (Vélib') or false/true (GBFS 2.x+); anything else is unknown."""
    text = F.lower(F.trim(col))
    return F.when(text.isin("1", "true"), F.lit(True)).when(text.isin("0", "false"), F.lit(False))


def _bike_type(types_col: str, kind: str):
    """Sum of one kind in Vélib's [{"mechanical": 3}, {"ebike": 1}] list."""
    return F.expr(f"aggregate({types_col}, 0L, (acc, m) -> acc + coalesce(m['{kind}'], 0L))").cast("int")


def raw_to_silver(raw: DataFrame) -> DataFrame:
    """One row per station per snapshot, typed, in SILVER_COLUMNS order.

    Status entries are matched with the station information of the same
    snapshot; a station missing from the information keeps its status with a
    null name, capacity and position. Rows repeating a station's
    ``last_reported`` (the station did not report between two snapshots) are
    dropped within each ``dt``, keeping the earliest snapshot. Snapshots that are not valid JSON
    are skipped. Dates stay as given by ``dt``: the ingest keys each snapshot
    by its UTC date.
    """
    snaps = (
        raw.select(F.from_json("value", SNAPSHOT_SCHEMA).alias("s"), F.col("dt").cast("string").alias("dt"))
        .where(F.col("s.station_status.last_updated").isNotNull())
        .select(
            "dt",
            _timestamp(F.col("s.station_status.last_updated")).alias("snapshot_time"),
            F.col("s.station_information.data.stations").alias("information"),
            F.col("s.station_status.data.stations").alias("status"),
        )
    )
    status = snaps.select("dt", "snapshot_time", F.explode("status").alias("st")).select("dt", "snapshot_time", "st.*")
    information = (
        snaps.select("snapshot_time", F.explode("information").alias("i"))
        .select(
            "snapshot_time",
            F.col("i.station_id").alias("station_id"),
            F.col("i.stationCode").alias("info_code"),
            "i.name",
            "i.lat",
            "i.lon",
            "i.capacity",
        )
        .dropDuplicates(["snapshot_time", "station_id"])
    )
    rows = status.where(F.col("station_id").isNotNull()).join(
        information, on=["snapshot_time", "station_id"], how="left"
    )
    silver = rows.select(
        "station_id",
        F.coalesce("stationCode", "info_code").alias("station_code"),
        "name",
        F.col("capacity").cast("int").alias("capacity"),
        F.coalesce("num_bikes_available", "num_vehicles_available").cast("int").alias("num_bikes_available"),
        _bike_type("num_bikes_available_types", "mechanical").alias("mechanical"),
        _bike_type("num_bikes_available_types", "ebike").alias("ebike"),
        F.col("num_docks_available").cast("int").alias("num_docks_available"),
        _flag(F.col("is_installed")).alias("is_installed"),
        _flag(F.col("is_renting")).alias("is_renting"),
        _flag(F.col("is_returning")).alias("is_returning"),
        _timestamp(F.col("last_reported")).alias("last_reported"),
        "snapshot_time",
        "lat",
        "lon",
        "dt",
    )
    # A station with no last_reported cannot repeat one: its rows are kept.
    # Repeats are dropped within a day only, so a backfill of a range keeps
    # exactly the rows each day keeps when run alone.
    first_seen = Window.partitionBy("dt", "station_id", F.coalesce("last_reported", "snapshot_time")).orderBy(
        "snapshot_time"
    )
    return (
        silver.withColumn("_n", F.row_number().over(first_seen))
        .where(F.col("_n") == 1)
        .drop("_n")
        .select(SILVER_COLUMNS)
    )


def avg_stats(silver: DataFrame) -> DataFrame:
    """Per station per day: average bikes, mechanical, ebike and docks, the day's
    minimum and maximum bikes, and the number of snapshots averaged."""
    return (
        silver.groupBy("dt", "station_id")
        .agg(
            F.max("station_code").alias("station_code"),
            F.max("name").alias("name"),
            F.avg("num_bikes_available").alias("avg_bikes_available"),
            F.avg("mechanical").alias("avg_mechanical"),
            F.avg("ebike").alias("avg_ebike"),
            F.avg("num_docks_available").alias("avg_docks_available"),
            F.min("num_bikes_available").alias("min_bikes_available"),
            F.max("num_bikes_available").alias("max_bikes_available"),
            F.count(F.lit(1)).alias("snapshots"),
        )
        .select(
            "station_id",
            "station_code",
            "name",
            "avg_bikes_available",
            "avg_mechanical",
            "avg_ebike",
            "avg_docks_available",
            "min_bikes_available",
            "max_bikes_available",
            "snapshots",
            "dt",
        )
    )


def avail_percent(silver: DataFrame) -> DataFrame:
    """Per station per snapshot: bikes available as a percentage of capacity.

    A capacity of 0 or unknown gives null, never an error or infinity.
    """
    percent = F.when(F.col("capacity") > 0, F.round(F.col("num_bikes_available") * 100.0 / F.col("capacity"), 2))
    return silver.select(
        "station_id",
        "station_code",
        "name",
        "snapshot_time",
        "num_bikes_available",
        "capacity",
        percent.alias("avail_percent"),
        "dt",
    )
