"""A job that writes what is good, then fails, saying what it did."""


class JobError(Exception):
    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


def run(argv, spark):
    raise JobError(
        "no row passed the checks for citybikes on 2026-11-20",
        {"rows": 7, "rejected": {"velib": {"negative_count": 1}, "citybikes": {"bad_time": 3}}, "over_capacity": 2},
    )
