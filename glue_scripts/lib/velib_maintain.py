"""Upkeep of the pipeline's Iceberg tables, with Iceberg's own procedures:
undoing what one execution committed, expiring old snapshots and removing
files no snapshot refers to."""

import datetime as dt
import re

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from velib_tables import EXECUTION_PROPERTY, Catalog, TableError

# The snapshot property an undo's own commit carries (a table the undone
# execution created is emptied, there being no snapshot before it).
UNDO_PROPERTY = "velib.undo-of"


def _commits(spark: SparkSession, name: str) -> list:
    """The table's current line of snapshots, oldest first, each with its
    execution (or None)."""
    current = {
        r.snapshot_id for r in spark.sql(f"SELECT snapshot_id FROM {name}.history WHERE is_current_ancestor").collect()
    }
    rows = spark.sql(
        f"SELECT snapshot_id, parent_id, committed_at, summary['{EXECUTION_PROPERTY}'] AS execution, "
        f"summary['{UNDO_PROPERTY}'] AS undo_of FROM {name}.snapshots ORDER BY committed_at, snapshot_id"
    ).collect()
    return [r for r in rows if r.snapshot_id in current]


def _kept(spark: SparkSession, name: str) -> set:
    """The snapshots the table still has (expiry removes old ones)."""
    return {r.snapshot_id for r in spark.sql(f"SELECT snapshot_id FROM {name}.snapshots").collect()}


def undo_plan(spark: SparkSession, catalog: Catalog, tables: list[str], execution: str) -> dict:
    """What undoing execution would do to each table: ``restore`` (the
    snapshot to go back to, None for a table the execution created, and
    the ``later`` executions whose commits would go with it), or why
    nothing is to be done."""
    plan = {}
    for table in tables:
        if not catalog.is_iceberg(spark, table):
            plan[table] = {"skip": "not an Iceberg table (yet)"}
            continue
        name = catalog.table(table)
        line = _commits(spark, name)
        ours = [i for i, c in enumerate(line) if c.execution == execution]
        # A table the execution created is undone by emptying it, a commit
        # of its own after the execution's.
        emptied = [i for i, c in enumerate(line) if c.undo_of == execution]
        if not ours or (emptied and emptied[-1] > ours[-1]):
            plan[table] = {"skip": "no commit of this execution in its current state (none, or already undone)"}
            continue
        first = line[ours[0]]
        if first.parent_id is not None and first.parent_id not in _kept(spark, name):
            plan[table] = {"expired": first.parent_id}
            continue
        later = sorted(
            {c.execution or f"snapshot {c.snapshot_id}" for c in line[ours[0] :] if c.execution != execution}
        )
        plan[table] = {"restore": first.parent_id, "current": line[-1].snapshot_id, "later": later}
    return plan


def undo(spark: SparkSession, catalog: Catalog, tables: list[str], execution: str, force: bool = False) -> dict:
    """Restores every table execution committed to to its snapshot before
    the execution's first commit there. If a later execution committed to
    one of them since, nothing is changed unless force (its commits would be
    undone too). Safe to run again: a table already restored is left."""
    if not execution.strip():
        raise TableError("give the execution to undo (its id or ARN)")
    plan = undo_plan(spark, catalog, tables, execution)
    # Every refusal comes before the first change: an undo changes all its
    # tables or none.
    expired = {t: p["expired"] for t, p in plan.items() if "expired" in p}
    if expired:
        listed = "; ".join(
            f"{t}: the snapshot before {execution} ({s}) has expired" for t, s in sorted(expired.items())
        )
        raise TableError(
            f"cannot undo {execution}: {listed} (snapshots are kept for the housekeeping's --keep_days); "
            "nothing was changed. Read an older state with a time travel query instead"
        )
    todo = {t: p for t, p in plan.items() if "restore" in p}
    if not todo:
        raise TableError(
            f"execution {execution} has no commit to undo in {', '.join(tables)} (it wrote none, or is already undone)"
        )
    later = {t: p["later"] for t, p in todo.items() if p["later"]}
    if later and not force:
        listed = "; ".join(f"{t}: {', '.join(x)}" for t, x in sorted(later.items()))
        raise TableError(
            f"undoing {execution} would also undo what later commits wrote ({listed}); nothing was changed. "
            "Undo those first, or undo with --force"
        )
    done = {}
    for table, p in sorted(todo.items()):
        name = catalog.table(table)
        if p["restore"] is None:
            # Created by this execution: no snapshot before it, so empty it.
            empty = spark.table(name).limit(0)
            empty.writeTo(name).option(f"snapshot-property.{UNDO_PROPERTY}", execution).overwrite(F.lit(True))
        else:
            spark.sql(
                f"CALL `{catalog.name}`.system.rollback_to_snapshot('{catalog.database}.{table}', {p['restore']})"
            )
        done[f"{catalog.database}.{table}"] = {"from": p["current"], "to": p["restore"], "also_undone": p["later"]}
    return {"undone": execution, "tables": done}


def housekeeping(
    spark: SparkSession,
    catalog: Catalog,
    tables: list[str],
    keep_days: int,
    orphan_days: int,
    now: dt.datetime | None = None,
) -> dict:
    """Expires each table's snapshots older than keep_days (the newest
    ``KEEP_LAST`` kept whatever their age), then removes files under its
    location that no snapshot refers to and that are older than
    orphan_days (younger ones may belong to a commit under way)."""
    now = now or dt.datetime.now(dt.UTC)
    done = {}
    for table in tables:
        if not catalog.is_iceberg(spark, table):
            continue
        ident = f"{catalog.database}.{table}"
        expired = spark.sql(
            f"CALL `{catalog.name}`.system.expire_snapshots(table => '{ident}', "
            f"older_than => TIMESTAMP '{_stamp(now - dt.timedelta(days=keep_days))}', retain_last => {KEEP_LAST})"
        ).first()
        orphans = spark.sql(
            f"CALL `{catalog.name}`.system.remove_orphan_files(table => '{ident}', "
            f"older_than => TIMESTAMP '{_stamp(now - dt.timedelta(days=orphan_days))}')"
        ).collect()
        done[ident] = {"expired_data_files": expired.deleted_data_files_count, "orphan_files": len(orphans)}
    return done


# Snapshots kept whatever their age: a table written rarely can still be
# read as it was before its last few runs.
KEEP_LAST = 10


def _stamp(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


# A table name --tables may hold: it is written into SQL.
TABLE_NAME = re.compile(r"[A-Za-z0-9_]{1,255}")

# The job's actions, by --action.
ACTIONS = ("undo", "housekeeping")


def job(name: str, argv: list[str], spark: SparkSession) -> dict:
    """The maintenance job: ``--action undo --execution_id ID [--force
    true]`` or ``--action housekeeping [--keep_days N] [--orphan_days N]``,
    on the ``--tables`` (comma-separated) of ``--database`` in
    ``--catalog``. Its result is logged, and returned."""
    import velib_io

    args = velib_io.job_args(argv, ["catalog", "database", "tables", "action"])
    action = args["action"].strip()
    if action not in ACTIONS:
        raise velib_io.JobError(f"--action must be one of {', '.join(ACTIONS)}, not {action!r}")
    velib_io.configure(spark)
    catalog = Catalog(args["catalog"], args["database"], args.get("legacy_system", ""))
    tables = list(dict.fromkeys(t.strip() for t in args["tables"].split(",") if t.strip()))
    if not tables or not all(TABLE_NAME.fullmatch(t) for t in tables):
        raise velib_io.JobError(
            f"--tables must name tables (letters, digits, _), comma-separated, not {args['tables']!r}"
        )
    try:
        if action == "undo":
            force = velib_io.flag_arg(args, "force")
            result = undo(spark, catalog, tables, args.get("execution_id", ""), force)
        else:
            keep, orphans = _days(args, "keep_days", KEEP_DAYS), _days(args, "orphan_days", ORPHAN_DAYS)
            done = housekeeping(spark, catalog, tables, keep, orphans)
            # A table not there yet (before its writer's first run) is
            # named, so a misspelt --tables cannot pass for work done.
            missing = [t for t in tables if f"{catalog.database}.{t}" not in done]
            result = {"housekeeping": done, "missing": missing}
    except TableError as err:
        raise velib_io.JobError(str(err)) from None
    velib_io.log(name, action=action, **result)
    return result


# Defaults: an execution can be undone for KEEP_DAYS after the commit
# before it; a file no snapshot refers to goes after ORPHAN_DAYS, far
# longer than a job run (its timeout is hours at most).
KEEP_DAYS = 7
ORPHAN_DAYS = 3


def _days(args: dict, name: str, default: int) -> int:
    import velib_io

    text = args.get(name, str(default)).strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 3650:
        raise velib_io.JobError(f"--{name} must be a whole number of days from 1 to 3650, not {text!r}")
    return int(text)
