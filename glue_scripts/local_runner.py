"""Runs the Glue job scripts on this machine for `make local`.

One SparkSession serves every job of a local pipeline run, as the Glue
service would serve them one after another: it saves a Spark start per job.
Its tables are Iceberg's, in a JDBC catalog on SQLite (iceberg_config), and
a Hive metastore in a local Derby database holds any Parquet table of an
earlier version; both persist, so tables written by one `make local` are
there for the next, as they are in the Glue Data Catalog. Requests come one per line on stdin:

    {"script": path, "pythonpath": [dirs], "argv": ["--name", "value", ...]}

and each gets one line on stdout: the job's result (at least {"rows": n})
with "seconds" added, or {"error": name, "cause": text}. A request
{"sql": query, "limit": n} runs a query on the tables instead (`make sql`)
and gets {"columns": [...], "rows": [[...]], "more": bool}, values as text
and null, or the engine's {"error", "cause"}. Everything the jobs print goes
to stderr.
"""

import glob
import importlib.util
import json
import os
import sys
import threading
import time

# Spark sized for a local run's few thousand rows, and the tests' few: one
# partition, and no adaptive re-planning between stages, which costs more
# than it saves on so little data. None of it changes a result.
SMALL_DATA = {
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "1",
    "spark.sql.adaptive.enabled": "false",
}


# Iceberg's Spark runtime and the SQLite driver of its local catalog: make
# installs them into .tools/jars, pinned in jars/pom.xml (Iceberg at the
# version Glue 5.0 ships).
JARS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".tools", "jars")
JARS = ("iceberg-spark-runtime-", "sqlite-jdbc-")
# The Iceberg catalog of make local and the tests: the name the deployed
# jobs give Glue's, so a query reads the same here and on Athena or Glue.
CATALOG = "glue_catalog"


def iceberg_jars() -> list[str]:
    """The installed jars, one per prefix of JARS. Raises if one is
    missing."""
    found = []
    for prefix in JARS:
        jars = sorted(glob.glob(os.path.join(JARS_DIR, prefix + "*.jar")))
        if len(jars) != 1:
            raise RuntimeError(
                f"{prefix}*.jar is not installed in {JARS_DIR}: run make test or make local, which install it"
            )
        found.append(jars[0])
    return found


def iceberg_session_config() -> dict:
    """Spark settings a session needs before it starts to have Iceberg
    catalogs: the jars on the driver's class path (where JDBC finds its
    driver) and Iceberg's SQL extensions (CALL, snapshots)."""
    return {
        "spark.driver.extraClassPath": os.pathsep.join(iceberg_jars()),
        # Iceberg 1.7.1's vectorized (Arrow) Parquet reader crashed the JVM
        # (SIGSEGV in its compiler threads) in each of 7 runs of the
        # bench's day on this OpenJDK 17.0.15, and in none of 3 without it;
        # the row reader gives the same rows. Glue's own runtime keeps its
        # default.
        "spark.sql.iceberg.vectorization.enabled": "false",
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
    }


def iceberg_catalog_config(catalog: str, state_dir: str) -> dict:
    """Spark settings for an Iceberg catalog named catalog: Iceberg's JDBC
    catalog in a SQLite database under state_dir. Like the Glue Data
    Catalog, it keeps a table at the location it is created with. A running
    session takes them too (spark.conf.set), before the catalog is first
    used."""
    os.makedirs(state_dir, exist_ok=True)
    return {
        f"spark.sql.catalog.{catalog}": "org.apache.iceberg.spark.SparkCatalog",
        f"spark.sql.catalog.{catalog}.catalog-impl": "org.apache.iceberg.jdbc.JdbcCatalog",
        f"spark.sql.catalog.{catalog}.uri": "jdbc:sqlite:" + os.path.join(state_dir, "iceberg-catalog.db"),
        f"spark.sql.catalog.{catalog}.jdbc.schema-version": "V1",
        f"spark.sql.catalog.{catalog}.warehouse": os.path.join(state_dir, "iceberg-warehouse"),
        # Every read sees the newest commit, also one made by another
        # process, as a query on Glue does.
        f"spark.sql.catalog.{catalog}.cache-enabled": "false",
    }


def iceberg_config(catalog: str, state_dir: str) -> dict:
    """Both of the above, for a session made with them."""
    return {**iceberg_session_config(), **iceberg_catalog_config(catalog, state_dir)}


def session(state_dir: str):
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Spark splits these options as a shell would: quoted, a folder with
    # spaces stays one argument.
    java = f"-Dderby.system.home={_quoted(state_dir)} -Dderby.stream.error.file={_quoted(state_dir + '/derby.log')}"
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("velib-local")
        .config("spark.sql.warehouse.dir", os.path.join(state_dir, "warehouse"))
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL", f"jdbc:derby:;databaseName={state_dir}/metastore;create=true"
        )
        .config("spark.driver.extraJavaOptions", java)
        .config(map=SMALL_DATA)
        # Times in UTC, as the jobs and Athena read them: a query's
        # TIMESTAMP AS OF means the same on every machine.
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config(map=iceberg_config(CATALOG, state_dir))
        .enableHiveSupport()
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def define_catalog(spark, catalog: str, state_dir: str) -> None:
    """Gives a job that names another catalog than CATALOG one of its own,
    kept in the same state folder."""
    if catalog != CATALOG and not spark.conf.get(f"spark.sql.catalog.{catalog}", None):
        for key, value in iceberg_catalog_config(catalog, state_dir).items():
            spark.conf.set(key, value)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def exit_with_parent(parent: int, interval: float = 0.5) -> None:
    """Ends this process soon after its parent, the process parent, ends,
    however it ends (kill -9 included): a job must not go on writing tables
    once its run is gone and the state folder's lock is free for the next.
    Once the parent is gone, this process has been handed to another (its
    parent id changes). The parent's id is given, not read here: the
    parent may be gone before this runs."""

    def watch():
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(3)

    threading.Thread(target=watch, daemon=True).start()


def load(path: str):
    name = os.path.splitext(os.path.basename(path))[0].replace(".", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def query(spark, text: str, limit: int) -> dict:
    """Runs one SQL statement on the local Iceberg catalog, in the
    pipeline's database when there is exactly one, so that tables need no
    prefix. Iceberg's time travel reads a table as it was:
    ``SELECT ... FROM t VERSION AS OF <snapshot>`` or ``TIMESTAMP AS OF
    '<time>'``, and ``t.snapshots`` lists its commits."""
    spark.catalog.setCurrentCatalog(CATALOG)
    databases = [r[0] for r in spark.sql("SHOW NAMESPACES").collect()]
    if len(databases) == 1:
        spark.catalog.setCurrentDatabase(databases[0])
    df = spark.sql(text)
    rows = df.limit(limit + 1).collect()
    return {"columns": df.columns, "rows": [[_cell(v) for v in r] for r in rows[:limit]], "more": len(rows) > limit}


def _cell(value):
    """A value as text for printing; null stays null."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ")
    return str(value)


def main() -> None:
    # make local passes its process id (LOCAL_RUN_PID), see exit_with_parent.
    exit_with_parent(int(os.environ.get("LOCAL_RUN_PID", os.getppid())))
    protocol = sys.stdout
    sys.stdout = sys.stderr  # the jobs' own output must not mix with replies
    state_dir = os.path.abspath(sys.argv[1])
    spark = session(state_dir)

    def reply(message: dict) -> None:
        protocol.write(json.dumps(message) + "\n")
        protocol.flush()

    reply({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        if "sql" in request:
            try:
                reply(query(spark, request["sql"], request["limit"]))
            except Exception as err:  # the engine's message, for the user's query
                reply({"error": type(err).__name__, "cause": str(err).strip().splitlines()[0]})
            continue
        for path in request["pythonpath"]:
            if path not in sys.path:
                sys.path.insert(0, path)
        argv = request["argv"]
        database = argv[argv.index("--database") + 1]
        spark.sql(f"CREATE DATABASE IF NOT EXISTS `{database}`")
        if "--catalog" in argv:
            define_catalog(spark, argv[argv.index("--catalog") + 1], state_dir)
        start = time.perf_counter()
        try:
            result = load(request["script"]).run(argv, spark)
            reply({**result, "seconds": time.perf_counter() - start})
        except Exception as err:  # reported to the state machine as the task's failure
            # What the job did before it failed, if it says (velib_io.JobError.result).
            reply({**getattr(err, "result", {}), "error": type(err).__name__, "cause": str(err)})


if __name__ == "__main__":
    main()
