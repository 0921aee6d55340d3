"""A local SparkSession and an empty lake for each test."""

import os
import shutil

import pytest
from pyspark.sql import SparkSession
from velib_tables import SESSION_CATALOG

from builders import DATABASE, Lake, drop_lake
from local_runner import CATALOG as ICEBERG
from local_runner import SMALL_DATA, iceberg_config


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    warehouse = tmp_path_factory.mktemp("warehouse")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("glue-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config(map=SMALL_DATA)
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.extraJavaOptions", "-Dderby.system.home=" + str(warehouse))
        .config(map=iceberg_config(ICEBERG, str(warehouse / "iceberg")))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def lake(spark, tmp_path):
    """An empty lake: a fresh database and folders for raw data and tables."""
    drop_lake(spark, ICEBERG)
    spark.sql(f"CREATE DATABASE {SESSION_CATALOG}.{DATABASE}")
    # The tables are Iceberg's: velib_lake.x names one, as on Athena.
    # Parquet tables from earlier versions are in the session's catalog.
    spark.catalog.setCurrentCatalog(ICEBERG)
    yield Lake(tmp_path)
    drop_lake(spark, ICEBERG)
    shutil.rmtree(tmp_path, ignore_errors=True)
