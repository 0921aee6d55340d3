"""Glue job velib_silver_to_gold_avg_stats: per station per day averages of
table velib_data_silver to table velib_avg_stats_gold.

Arguments: --database, --source_table, --target_table, --target_path and
--process_date (YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD; default today, UTC).
"""

import velib_io
from velib_transforms import avg_stats

JOB = "velib_silver_to_gold_avg_stats"


def run(argv, spark):
    return velib_io.gold(JOB, avg_stats, argv, spark)


if __name__ == "__main__":
    velib_io.main(JOB, run)
