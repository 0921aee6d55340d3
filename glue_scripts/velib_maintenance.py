"""Glue job velib_maintenance: upkeep of the pipeline's Iceberg tables.

--action undo --execution_id ID [--force true]: restores every table the
execution committed to to its state before the execution (partialrun undo
starts this). --action housekeeping [--keep_days 7] [--orphan_days 3]:
expires old snapshots and removes files no snapshot refers to (a schedule
starts this daily). Both take --catalog, --database and --tables.
"""

import velib_maintain

import velib_io

JOB = "velib_maintenance"


def run(argv, spark):
    return velib_maintain.job(JOB, argv, spark)


if __name__ == "__main__":
    velib_io.main(JOB, run)
