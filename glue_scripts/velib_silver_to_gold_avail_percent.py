"""Glue job velib_silver_to_gold_avail_percent: bikes available as a
percentage of capacity, per station per snapshot, from table
velib_data_silver to table velib_avail_percent_gold.

Arguments: --database, --source_table, --target_table, --target_path and
--process_date (YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD; default today, UTC).
"""

import velib_io
from velib_transforms import avail_percent

JOB = "velib_silver_to_gold_avail_percent"


def run(argv, spark):
    return velib_io.gold(JOB, avail_percent, argv, spark)


if __name__ == "__main__":
    velib_io.main(JOB, run)
