"""run_tests.py: pytest runs again exactly when something it depends on
changed, and a failure is never remembered as a pass."""

import pytest

import run_tests


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "glue_scripts"
    (root / "lib").mkdir(parents=True)
    (root / "lib" / "job.py").write_text("x = 1\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_job.py").write_text("def test(): pass\n")
    return root


@pytest.fixture
def stamp(tmp_path):
    return tmp_path / "pytest.passed"


class FakePytest:
    """Stands in for pytest.main: records each run's arguments and answers
    with the statuses given, the last one repeated."""

    def __init__(self, *statuses):
        self.statuses = list(statuses) or [pytest.ExitCode.OK]
        self.runs = []

    def __call__(self, args, plugins):
        self.runs.append(args)
        return self.statuses[min(len(self.runs), len(self.statuses)) - 1]


@pytest.mark.parametrize(
    "change, rerun",
    [
        (lambda r: None, False),
        (lambda r: (r / "lib" / "job.py").write_text("x = 2\n"), True),
        (lambda r: (r / "tests" / "test_new.py").write_text(""), True),
        (lambda r: (r / "lib" / "job.py").unlink(), True),
        (lambda r: (r / "lib" / "job.py").rename(r / "lib" / "moved.py"), True),
        (lambda r: (r / "lib" / "job.py").touch(), False),
        (
            lambda r: (r / "lib" / "__pycache__").mkdir() or (r / "lib" / "__pycache__" / "job.pyc").write_text(""),
            False,
        ),
        (lambda r: (r / ".pytest_cache").mkdir() or (r / ".pytest_cache" / "lastfailed").write_text("{}"), False),
        (lambda r: (r / "spark-warehouse").mkdir() or (r / "spark-warehouse" / "part-0").write_text(""), False),
    ],
    ids=[
        "nothing",
        "a module",
        "a new test",
        "a deleted module",
        "a moved module",
        "touched only",
        "bytecode",
        "pytest's cache",
        "a warehouse",
    ],
)
def test_reruns_only_on_a_change(tree, stamp, change, rerun):
    fake = FakePytest()
    assert run_tests.main(["-x"], tree, stamp, fake) == 0
    change(tree)
    assert run_tests.main(["-x"], tree, stamp, fake) == 0
    assert len(fake.runs) == (2 if rerun else 1)


@pytest.mark.parametrize("argv, rerun", [(["-x"], False), (["-x", "--fresh"], True), (["-k", "silver"], True)])
def test_fresh_and_other_arguments_rerun(tree, stamp, argv, rerun):
    fake = FakePytest()
    run_tests.main(["-x"], tree, stamp, fake)
    run_tests.main(argv, tree, stamp, fake)
    assert len(fake.runs) == (2 if rerun else 1)
    assert "--fresh" not in fake.runs[-1]


def test_a_failure_is_not_remembered(tree, stamp):
    fake = FakePytest(pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)

    assert run_tests.main([], tree, stamp, fake) == 0
    assert run_tests.main(["--fresh"], tree, stamp, fake) == 1
    assert run_tests._read(stamp) == {}
    assert run_tests.main([], tree, stamp, fake) == 1
    assert len(fake.runs) == 3


def test_an_edit_undone_is_cached_again(tree, stamp):
    fake = FakePytest()
    job = tree / "lib" / "job.py"
    run_tests.main([], tree, stamp, fake)
    job.write_text("x = 2\n")
    run_tests.main([], tree, stamp, fake)
    job.write_text("x = 1\n")
    run_tests.main([], tree, stamp, fake)
    assert len(fake.runs) == 2


def test_only_the_last_passes_are_kept(tree, stamp):
    job = tree / "lib" / "job.py"
    for i in range(run_tests.KEPT + 5):
        job.write_text(f"x = {i}\n")
        run_tests.main([], tree, stamp, FakePytest())
    assert len(stamp.read_text().splitlines()) == run_tests.KEPT
