"""Builders for raw snapshots shaped like the ingest Lambda's output, and a
lake folder to put them in. Used by the tests and by ../bench.py."""

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

DATABASE = "velib_lake"


def drop_lake(spark, catalog: str) -> None:
    """Drops the lake's database from the session's catalog and from the
    Iceberg catalog (the tables' files are the caller's to remove)."""
    spark.sql(f"DROP DATABASE IF EXISTS spark_catalog.{DATABASE} CASCADE")
    if spark.sql(f"SHOW NAMESPACES IN {catalog} LIKE '{DATABASE}'").count():
        for t in spark.sql(f"SHOW TABLES IN {catalog}.{DATABASE}").collect():
            spark.sql(f"DROP TABLE {catalog}.{DATABASE}.`{t.tableName}`")
        spark.sql(f"DROP NAMESPACE IF EXISTS {catalog}.{DATABASE}")


class Lake:
    def __init__(self, root: Path):
        self.root = root
        # raw/<system>/dt=<date>/, as the ingest writes it; raw is Vélib's.
        self.raw_root = root / "raw"
        self.raw = self.raw_root / "velib"

    def table_path(self, table: str) -> str:
        return str(self.root / "tables" / table)

    def put_snapshot(self, snapshot: dict, system: str = "velib") -> Path:
        """Writes a snapshot where the ingest Lambda would: under its system
        and the UTC date of its status feed's last_updated."""
        updated = datetime.fromtimestamp(snapshot["station_status"]["last_updated"], UTC)
        folder = self.raw_root / system / f"dt={updated:%Y-%m-%d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"velib-{updated:%Y%m%dT%H%M%SZ}.json.gz"
        path.write_bytes(gzip.compress(json.dumps(snapshot).encode()))
        return path


def station_info(station_id, code, name, capacity, lat=48.85, lon=2.35):
    return {"station_id": station_id, "stationCode": code, "name": name, "lat": lat, "lon": lon, "capacity": capacity}


def station_status(station_id, code, mechanical, ebike, docks, last_reported, installed=1):
    return {
        "station_id": station_id,
        "stationCode": code,
        "num_bikes_available": mechanical + ebike,
        "num_bikes_available_types": [{"mechanical": mechanical}, {"ebike": ebike}],
        "num_docks_available": docks,
        "is_installed": installed,
        "is_renting": installed,
        "is_returning": installed,
        "last_reported": last_reported,
    }


def snapshot(last_updated: int, information: list, status: list) -> dict:
    """A raw snapshot as the ingest Lambda writes it."""
    return {
        "source": "https://example.org/gbfs/",
        "fetched_at": datetime.fromtimestamp(last_updated + 5, UTC).isoformat(),
        "station_information": {"last_updated": last_updated - 600, "ttl": 3600, "data": {"stations": information}},
        "station_status": {"last_updated": last_updated, "ttl": 60, "data": {"stations": status}},
    }


def utc(text: str) -> int:
    """POSIX seconds of an ISO time, e.g. utc('2026-11-20T08:00:00')."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())
