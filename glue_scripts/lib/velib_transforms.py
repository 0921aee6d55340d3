"""The gold transforms of the Vélib' pipeline, pure PySpark: silver rows in,
a gold table's rows out.

Nothing here reads, writes or knows about Glue, so every function runs on a
local SparkSession. The entry scripts (../velib_silver_to_gold_*.py) do the
I/O; raw → silver is in velib_silver.
"""

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def avg_stats(silver: DataFrame) -> DataFrame:
    """Per system, station and day: average bikes, mechanical, ebike and docks, the day's
    minimum and maximum bikes, and the number of snapshots averaged."""
    return (
        silver.groupBy("system", "dt", "station_id")
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
            "system",
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
        "system",
        "dt",
    )
