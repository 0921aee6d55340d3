"""A job whose reply is one line of over 300 KB, as a query's 1,000 wide
rows are: far more than a line-scanner's 64 KiB."""


def run(argv, spark):
    return {"rows": 1, "pad": "x" * 300_000}
