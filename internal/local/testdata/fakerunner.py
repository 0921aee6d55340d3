"""Stands in for glue_scripts/local_runner.py in the Go tests: it speaks the
same protocol, one JSON request a line on stdin and one reply a line on
stdout, but runs each job script's run(argv, None) with no Spark. The
scripts beside it are such jobs."""

import importlib.util
import json
import sys

protocol = sys.stdout
sys.stdout = sys.stderr


def reply(message):
    protocol.write(json.dumps(message) + "\n")
    protocol.flush()


reply({"ready": True})
for line in sys.stdin:
    request = json.loads(line)
    spec = importlib.util.spec_from_file_location("job", request["script"])
    job = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(job)
    try:
        reply(job.run(request["argv"], None))
    except Exception as err:
        reply({**getattr(err, "result", {}), "error": type(err).__name__, "cause": str(err)})
