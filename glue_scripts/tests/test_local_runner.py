"""The local Spark runner's own behaviour, without Spark."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import local_runner

GLUE_SCRIPTS = Path(__file__).resolve().parents[1]


def gone(pid: int) -> bool:
    """Whether a process has ended (a zombie waiting for its new parent
    counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def test_the_runner_ends_with_the_run_that_started_it():
    """A run killed with kill -9 cannot stop its runner; the runner must
    notice and end, or its job goes on writing tables after the run's lock
    is free."""
    child = (
        f"import sys, time; sys.path.insert(0, {str(GLUE_SCRIPTS)!r}); import local_runner; "
        "local_runner.exit_with_parent(int(sys.argv[1]), 0.05); time.sleep(120)"
    )
    spawn = f"p = subprocess.Popen([sys.executable, '-c', {child!r}, str(os.getpid())])"
    parent = subprocess.Popen(
        [sys.executable, "-c", f"import os, subprocess, sys, time; {spawn}; print(p.pid, flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        runner = int(parent.stdout.readline())
        time.sleep(1)  # the runner's watch has started: it is still there
        assert not gone(runner)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 60
        while not gone(runner) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gone(runner), f"the runner (process {runner}) outlived its parent by a minute"
    finally:
        parent.kill()


def test_a_folder_with_spaces_and_quotes_stays_one_java_option():
    assert local_runner._quoted('/tmp/my dir/it\'s "x"') == '"/tmp/my dir/it\'s \\"x\\""'
