"""A job that takes as long as its --seconds argument, then reports a row."""

import time


def run(argv, spark):
    time.sleep(float(argv[argv.index("--seconds") + 1]))
    return {"rows": 1}
