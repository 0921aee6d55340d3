"""Runs the Glue jobs' tests (pytest, with the arguments given) unless
nothing they depend on changed since they last passed with those arguments.

What they depend on: every file under glue_scripts/ (by content, caches
left out), the Python that runs them, the virtual environment's install
stamp, and the Java that Spark starts. A pass records that key in
.tools/pytest.passed (with the last few others); a failure removes it. --fresh runs them regardless.
make test calls this, so that a change to Go code alone does not cost the
two minutes of Spark tests; go test caches its own packages the same way.
"""

import hashlib
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
STAMP = HERE.parent / ".tools" / "pytest.passed"
VENV_STAMP = HERE.parent / ".tools" / "venv" / ".installed"
# Folders the tests and tools write into; none is an input.
SKIPPED = {"__pycache__", "spark-warehouse", "metastore_db"}
# How many passes .tools/pytest.passed remembers.
KEPT = 20


def key(args: list[str], root: Path = HERE) -> str:
    """The hash of everything a pass depends on."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not _skipped(p, root)):
        h.update(f"file {path.relative_to(root)} ".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    java = shutil.which("java")
    for name, value in (
        ("args", " ".join(args)),
        ("python", f"{os.path.realpath(sys.executable)} {sys.version}"),
        ("venv", str(VENV_STAMP.stat().st_mtime_ns) if VENV_STAMP.exists() else "none"),
        ("java", os.path.realpath(java) if java else "none"),
        ("JAVA_HOME", os.environ.get("JAVA_HOME", "")),
    ):
        h.update(f"\n{name} {value}".encode())
    return h.hexdigest()


def _skipped(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return any(p.startswith(".") or p in SKIPPED for p in parts) or path.name == "derby.log"


class _Count:
    """Keeps how many tests the session collected, for the stamp."""

    collected = 0

    def pytest_sessionfinish(self, session):
        self.collected = session.testscollected


def main(argv: list[str], root: Path = HERE, stamp: Path = STAMP, run=pytest.main) -> int:
    """Runs pytest with argv (less --fresh) through run, or reports the
    pass recorded for the same key; returns pytest's exit status."""
    fresh = "--fresh" in argv
    args = [a for a in argv if a != "--fresh"]
    want = key(args, root)
    passes = _read(stamp)
    if not fresh and want in passes:
        print(f"pytest: cached, nothing it depends on changed since its last pass ({passes[want]}); FRESH=1 runs it")
        return 0
    passes.pop(want, None)
    _write(stamp, passes)
    count = _Count()
    status = run(args, plugins=[count])
    if status == pytest.ExitCode.OK:
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        passes[want] = f"{count.collected} tests passed, {when}"
        _write(stamp, passes)
    return int(status)


def _read(stamp: Path) -> dict[str, str]:
    """The recorded passes, oldest first: key to summary."""
    if not stamp.exists():
        return {}
    lines = (line.split(" ", 1) for line in stamp.read_text().splitlines() if " " in line)
    return {k: summary for k, summary in lines}


def _write(stamp: Path, passes: dict[str, str]) -> None:
    # Several keys, as go test keeps several results: switching back to a
    # tree that passed (another branch, an edit undone) needs no rerun.
    kept = list(passes.items())[-KEPT:]
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text("".join(f"{k} {summary}\n" for k, summary in kept))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
