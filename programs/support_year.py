"""The households with support dated in a year (``SupportYear``; programs migration 0016, docs/adr/0054): what the
list of the poor households without support in a year reads as "has support dated in the year".

The table is written by statement-level triggers on the benefits, in the transaction of every change, whatever wrote
it. A row never claims support a household does not have; after a cancellation (or a benefit moved to another year
or household) the (year, household)'s rows are removed even when other benefits still support it, so a row may be
missing, which only makes the household a candidate that the list checks again on its benefits. The rebuild
(``manage.py rebuild_support_year``, nightly by beat) puts the missing rows back and removes repeated ones, at a
moment when no writer of benefits is in flight (it takes the benefits' table in SHARE mode, without queueing, so that
the officers' saves never wait behind it while it waits for a long import; once taken, the writers wait for the
rebuild, a few seconds at a million households). It also repairs a table changed with the triggers disabled.
"""

import time

from django.db import OperationalError, connection, transaction
from django.utils.translation import gettext as _

# The (year, household) of the benefits that count (not cancelled): what the triggers follow (the migration's backfill).
LIVE = """SELECT DISTINCT EXTRACT(YEAR FROM date)::smallint AS year, household_id
  FROM programs_benefit WHERE cancelled_at IS NULL"""

# The rebuild tries the benefits' lock this long (seconds) for a moment when no writer is in flight, then gives up.
LOCK_SECONDS = 10.0
LOCK_POLL = 0.05
LOCK_NOT_AVAILABLE = "55P03"  # what PostgreSQL answers a NOWAIT lock it cannot take at once


class SupportYearBusy(RuntimeError):
    """The writers of benefits in flight did not leave a moment to take the rebuild's lock (an import)."""


def _writers_held_back() -> None:
    """Take the benefits' table in SHARE mode (no writer in flight, none until this transaction ends), tried without
    queueing (NOWAIT) every ``LOCK_POLL`` seconds: a queued request would make every new writer queue behind it.
    Inside a transaction; raises ``SupportYearBusy`` after ``LOCK_SECONDS``."""
    deadline = time.monotonic() + LOCK_SECONDS
    while True:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("LOCK TABLE programs_benefit IN SHARE MODE NOWAIT")
            return
        except OperationalError as error:
            if getattr(error.__cause__, "pgcode", None) != LOCK_NOT_AVAILABLE:
                raise
            if time.monotonic() >= deadline:
                raise SupportYearBusy(
                    _(
                        "Đang có thao tác ghi khoản hỗ trợ kéo dài (nhập Excel, chi trả…): "
                        "chưa lập lại được danh sách hộ có hỗ trợ theo năm, hãy thử lại sau."
                    )
                ) from None
            time.sleep(LOCK_POLL)


def support_year_differences() -> dict[str, list[tuple[int, int]]]:
    """How the table differs from the benefits: ``claimed``, the (year, household) it holds without a benefit that
    counts (never, whoever writes, while the triggers are on); ``missing``, those it lacks (after cancellations, until
    the rebuild); ``repeated``, those it holds twice or more (two writers at once). All empty after a rebuild."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.year, s.household_id FROM programs_support_year s WHERE NOT EXISTS (SELECT 1 FROM ({LIVE}) l "
            f"WHERE l.year = s.year AND l.household_id = s.household_id) GROUP BY 1, 2 ORDER BY 1, 2"
        )
        claimed = cursor.fetchall()
        cursor.execute(
            f"SELECT l.year, l.household_id FROM ({LIVE}) l WHERE NOT EXISTS (SELECT 1 FROM programs_support_year s "
            f"WHERE s.year = l.year AND s.household_id = l.household_id) ORDER BY 1, 2"
        )
        missing = cursor.fetchall()
        cursor.execute(
            "SELECT year, household_id FROM programs_support_year GROUP BY 1, 2 HAVING count(*) > 1 ORDER BY 1, 2"
        )
        repeated = cursor.fetchall()
    return {"claimed": claimed, "missing": missing, "repeated": repeated}


def support_year_rebuild() -> dict[str, int]:
    """Correct the table from the benefits (see the module's docstring): ``{"rows", "fixed"}``, the rows kept after
    it and how many were removed or added."""
    with transaction.atomic():
        _writers_held_back()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS pg_temp.support_year_live")  # a rebuild earlier in this transaction
            # Read by this process alone: planned in parallel, the temporary table's CREATE … AS took 284 s at a
            # million households where the same statement run serially takes 1 s (the benefits' writers held back
            # all along; docs/performance.md, "Periodic beat tasks").
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute(f"CREATE TEMP TABLE support_year_live ON COMMIT DROP AS {LIVE}")
            cursor.execute("ANALYZE support_year_live")  # no autovacuum for a temporary table: the joins' sizes
            # Each condition alone, so that PostgreSQL plans it as a join (an anti-join, a semi-join): the two
            # sub-queries joined by OR in one DELETE stay sub-plans run once per row, the temporary table read
            # whole for every row of the table (hours at a million households, the benefits' writers held back
            # all along, until the worker's time limit rolled it back).
            # Rows without a benefit that counts (the triggers disabled by hand) ...
            cursor.execute(
                "DELETE FROM programs_support_year s WHERE NOT EXISTS (SELECT 1 FROM support_year_live l "
                "WHERE l.year = s.year AND l.household_id = s.household_id)"
            )
            fixed = cursor.rowcount
            # ... and the repeated ones but the first.
            cursor.execute(
                "DELETE FROM programs_support_year s WHERE EXISTS (SELECT 1 FROM programs_support_year t "
                "WHERE t.year = s.year AND t.household_id = s.household_id AND t.id < s.id)"
            )
            fixed += cursor.rowcount
            cursor.execute(
                "INSERT INTO programs_support_year (year, household_id) "
                "SELECT l.year, l.household_id FROM support_year_live l WHERE NOT EXISTS "
                "(SELECT 1 FROM programs_support_year s WHERE s.year = l.year AND s.household_id = l.household_id) "
                "ORDER BY l.year, l.household_id"
            )
            fixed += cursor.rowcount
            cursor.execute("SELECT count(*) FROM support_year_live")
            rows = cursor.fetchone()[0]
    return {"rows": rows, "fixed": fixed}
