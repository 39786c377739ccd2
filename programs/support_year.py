"""Each household's benefits that count per year (``SupportYear``; programs migration 0016, docs/adr/0054): what the
list of the poor households without support in a year reads as "has support dated in the year".

The table is kept exact by statement-level triggers on the benefits, in the transaction of every change, whatever
wrote it; nothing in Python writes it but the rebuild (``manage.py rebuild_support_year``), for a database whose rows
were changed with the triggers disabled (a restore of one table, a hand repair). The rebuild compares the table with
a count from the benefits and corrects only the rows that differ, at a moment when no writer of benefits is in flight
(it takes the benefits' table in SHARE mode, without queueing, so that the officers' saves never wait behind it while
it waits for a long import; once taken, the writers wait for the rebuild, a few seconds at a million households).
"""

import time

from django.db import OperationalError, connection, transaction
from django.utils.translation import gettext as _

# The benefits that count (not cancelled), by year and household: what the triggers keep (the migration's backfill).
LIVE = """SELECT EXTRACT(YEAR FROM date)::smallint AS year, household_id, count(*)::integer AS benefits
  FROM programs_benefit WHERE cancelled_at IS NULL GROUP BY 1, 2"""

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
                        "chưa đếm lại được, hãy thử lại sau."
                    )
                ) from None
            time.sleep(LOCK_POLL)


def support_year_differences() -> list[tuple[int, int, int | None, int | None]]:
    """The (year, household) whose kept count differs from the benefits: (year, household, kept, live), None for
    a missing row. Empty when the table is exact (the tests; the rebuild's check)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(s.year, l.year), coalesce(s.household_id, l.household_id), s.benefits, l.benefits "
            f"FROM programs_support_year s FULL JOIN ({LIVE}) l ON l.year = s.year AND l.household_id = s.household_id "
            f"WHERE s.benefits IS DISTINCT FROM l.benefits ORDER BY 1, 2"
        )
        return cursor.fetchall()


def support_year_rebuild() -> dict[str, int]:
    """Correct the table from the benefits (see the module's docstring): ``{"rows", "fixed"}``, the rows kept after
    it and how many were wrong (changed, deleted or inserted)."""
    with transaction.atomic():
        _writers_held_back()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS pg_temp.support_year_live")  # a rebuild earlier in this transaction
            cursor.execute(f"CREATE TEMP TABLE support_year_live ON COMMIT DROP AS {LIVE}")
            cursor.execute(
                "UPDATE programs_support_year s SET benefits = l.benefits FROM support_year_live l "
                "WHERE l.year = s.year AND l.household_id = s.household_id AND l.benefits <> s.benefits"
            )
            fixed = cursor.rowcount
            cursor.execute(
                "DELETE FROM programs_support_year s WHERE NOT EXISTS (SELECT 1 FROM support_year_live l "
                "WHERE l.year = s.year AND l.household_id = s.household_id)"
            )
            fixed += cursor.rowcount
            cursor.execute(
                "INSERT INTO programs_support_year (year, household_id, benefits) "
                "SELECT l.year, l.household_id, l.benefits FROM support_year_live l WHERE NOT EXISTS "
                "(SELECT 1 FROM programs_support_year s WHERE s.year = l.year AND s.household_id = l.household_id) "
                "ORDER BY l.household_id, l.year"
            )
            fixed += cursor.rowcount
            cursor.execute("SELECT count(*) FROM support_year_live")
            rows = cursor.fetchone()[0]
    return {"rows": rows, "fixed": fixed}
