"""Glue job velib_raw_to_silver: the raw snapshots of the processing date(s)
to table velib_data_silver, one row per station per snapshot.

Arguments: --database, --raw_path, --target_table, --target_path and
--process_date (YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD; default today, UTC).
"""

import velib_io

JOB = "velib_raw_to_silver"


def run(argv, spark):
    return velib_io.silver(JOB, argv, spark)


if __name__ == "__main__":
    velib_io.main(JOB, run)
