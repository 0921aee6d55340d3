"""Runs the Glue job scripts on this machine for `make local`.

One SparkSession serves every job of a local pipeline run, as the Glue
service would serve them one after another: it saves a Spark start per job.
Its catalog is a Hive metastore in a local Derby database, so tables written
by one `make local` are there for the next, as they are in the Glue Data
Catalog. Requests come one per line on stdin:

    {"script": path, "pythonpath": [dirs], "argv": ["--name", "value", ...]}

and each gets one line on stdout: the job's result (at least {"rows": n})
with "seconds" added, or {"error": name, "cause": text}. Everything the jobs print goes to stderr.
"""

import importlib.util
import json
import os
import sys
import time

# Spark sized for a local run's few thousand rows, and the tests' few: one
# partition, and no adaptive re-planning between stages, which costs more
# than it saves on so little data. None of it changes a result.
SMALL_DATA = {
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "1",
    "spark.sql.adaptive.enabled": "false",
}


def session(state_dir: str):
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    java = f"-Dderby.system.home={state_dir} -Dderby.stream.error.file={state_dir}/derby.log"
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("velib-local")
        .config("spark.sql.warehouse.dir", os.path.join(state_dir, "warehouse"))
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL", f"jdbc:derby:;databaseName={state_dir}/metastore;create=true"
        )
        .config("spark.driver.extraJavaOptions", java)
        .config(map=SMALL_DATA)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .enableHiveSupport()
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def load(path: str):
    name = os.path.splitext(os.path.basename(path))[0].replace(".", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    protocol = sys.stdout
    sys.stdout = sys.stderr  # the jobs' own output must not mix with replies
    spark = session(os.path.abspath(sys.argv[1]))

    def reply(message: dict) -> None:
        protocol.write(json.dumps(message) + "\n")
        protocol.flush()

    reply({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        for path in request["pythonpath"]:
            if path not in sys.path:
                sys.path.insert(0, path)
        argv = request["argv"]
        database = argv[argv.index("--database") + 1]
        spark.sql(f"CREATE DATABASE IF NOT EXISTS `{database}`")
        start = time.perf_counter()
        try:
            result = load(request["script"]).run(argv, spark)
            reply({**result, "seconds": time.perf_counter() - start})
        except Exception as err:  # reported to the state machine as the task's failure
            reply({"error": type(err).__name__, "cause": str(err)})


if __name__ == "__main__":
    main()
