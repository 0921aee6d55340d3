"""A local SparkSession and an empty lake for each test."""

import os
import shutil

import pytest
from pyspark.sql import SparkSession

from builders import DATABASE, Lake
from local_runner import SMALL_DATA, iceberg_config

# The Iceberg catalog of the tests' session.
ICEBERG = "iceberg"


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
    spark.sql(f"DROP DATABASE IF EXISTS {DATABASE} CASCADE")
    spark.sql(f"CREATE DATABASE {DATABASE}")
    yield Lake(tmp_path)
    spark.sql(f"DROP DATABASE IF EXISTS {DATABASE} CASCADE")
    shutil.rmtree(tmp_path, ignore_errors=True)
