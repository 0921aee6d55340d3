"""Glue job velib_silver_to_gold_avg_stats.

PLACEHOLDER: the PySpark transform is not written yet. Until it is, the job
fails at once with a message saying so, rather than report a table that was
never written. Skip it with {"velib_silver_to_gold_avg_stats": false}.
"""

import sys

sys.exit("velib_silver_to_gold_avg_stats is a placeholder: the transform is not implemented yet")
