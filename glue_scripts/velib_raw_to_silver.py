"""Glue job velib_raw_to_silver: the raw snapshots of the processing date(s)
to table velib_data_silver, one row per station per snapshot, and the rows
that fail a check to table velib_data_rejects, with their reason.

Arguments: --database, --raw_path, --target_table, --target_path,
--rejects_table, --rejects_path, --process_date (YYYY-MM-DD or
YYYY-MM-DD..YYYY-MM-DD; default today, UTC) and --accept_bad_raw_files
(false by default: an unreadable or wrong-shape raw file fails the job,
naming it; true leaves such files out, named in the log and counted).
"""

import velib_io

JOB = "velib_raw_to_silver"


def run(argv, spark):
    return velib_io.silver(JOB, argv, spark)


if __name__ == "__main__":
    velib_io.main(JOB, run)
