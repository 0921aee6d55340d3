"""A job that never ends by itself: it waits for the runner's input to
close, which happens when the local run that started it ends, however it
ends."""

import sys


def run(argv, spark):
    sys.stdin.read()
    return {"rows": 0}
