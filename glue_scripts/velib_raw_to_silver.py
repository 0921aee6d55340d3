"""Glue job velib_raw_to_silver.

PLACEHOLDER: the PySpark transform is not written yet. Until it is, the job
fails at once with a message saying so, rather than report a table that was
never written. Skip it with {"velib_raw_to_silver": false}.
"""

import sys

sys.exit("velib_raw_to_silver is a placeholder: the transform is not implemented yet")
