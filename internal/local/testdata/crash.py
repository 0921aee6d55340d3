"""A job whose runner dies under it, as when the JVM is killed: it leaves a
last word in the log and exits without a reply."""

import os
import sys


def run(argv, spark):
    print("java.lang.OutOfMemoryError: Java heap space (the job's last word)", file=sys.stderr, flush=True)
    os._exit(3)
