"""The electricity list's entitled and paid households counted per village for a few quarters (docs/adr/0053):
building a quarter's counts, keeping the quarters officers open counted, reading a unit's totals.

The quarter's list (``selectors.electricity_quarter``) holds the active households with a social-protection
beneficiary or poor on the quarter's last day (QĐ 28/2014/QĐ-TTg, Điều 3 khoản 7; QĐ 60/2014/QĐ-TTg); its totals are
what the payment button pays, so they must be exact at every moment. A counted quarter has an ``ElectricityQuarter``
row; database triggers (programs migration 0013) append to ``ElectricityCount`` the difference per village of every
change, in the changing transaction, so that the rows of a quarter add up to the live count in any snapshot. The
totals of a unit are then the sum of its villages' rows, one index range. A quarter without the row is counted live.
``manage.py rebuild_electricity_counts`` builds every kept quarter again from the live count.
"""

import time
from datetime import date

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Household

from .bulk import quarter_end
from .choices import ProgrammeKind
from .models import ElectricityCount, ElectricityQuarter, Programme
from .status import records_in_force

# The advisory lock between the triggers (shared, programs migration 0013) and a quarter's build (exclusive).
LOCK_KEY = 430013
# A build tries the lock this long (seconds) for a moment when no writer is in flight, then gives up: beat tries
# again an hour later, the command says so.
BUILD_LOCK_SECONDS = 10.0
BUILD_LOCK_POLL = 0.05
# Quarters kept counted around today's: the one before (paid after it ends), this one and the next.
KEPT = (-1, 0, 1)


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def shift_quarter(year: int, quarter: int, by: int) -> tuple[int, int]:
    index = year * 4 + quarter - 1 + by
    return index // 4, index % 4 + 1


def kept_quarters(today: date | None = None) -> list[tuple[int, int]]:
    year, quarter = quarter_of(today or timezone.localdate())
    return [shift_quarter(year, quarter, by) for by in KEPT]


class CountsBusy(RuntimeError):
    """The writers in flight did not leave a moment to take the build's lock (an import, a long payment)."""


def _exclusive_lock() -> None:
    """Take the lock once no writer is in flight (they hold it shared until they commit) and hold the new ones back
    until this transaction commits. Inside a transaction.

    Tried without queueing (``pg_try_advisory_xact_lock``), every ``BUILD_LOCK_POLL`` seconds: a queued exclusive
    request makes every new writer's shared request queue behind it, so while an import held the lock shared, the
    whole province's writers waited for the build to time out, and a writer waiting for a row of another could
    deadlock with it. Raises ``CountsBusy`` after ``BUILD_LOCK_SECONDS``."""
    deadline = time.monotonic() + BUILD_LOCK_SECONDS
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
            if cursor.fetchone()[0]:
                return
            if time.monotonic() >= deadline:
                raise CountsBusy(
                    _(
                        "Đang có thao tác ghi dữ liệu hộ kéo dài (nhập Excel, chi trả…): "
                        "chưa đếm lại được, hãy thử lại sau."
                    )
                )
            time.sleep(BUILD_LOCK_POLL)


def electricity_counts_stop() -> bool:
    """Stop counting every quarter, inside the caller's transaction (the million-household generator, whose load
    drops the indexes the triggers read); returns whether any quarter was counted, to build them again after."""
    with transaction.atomic():
        _exclusive_lock()
        counted = ElectricityQuarter.objects.exists()
        ElectricityCount.objects.all().delete()
        ElectricityQuarter.objects.all().delete()
    return counted


def live_village_counts(programme: Programme, year: int, quarter: int) -> dict[int | None, tuple[int, int]]:
    """The quarter's entitled and paid households per village, counted live over every household: the list's
    conditions (``selectors.electricity_quarter``) as ``selectors.electricity_totals_live`` counts them from indexes
    (the households with the flag, and those poor on the quarter's last day without it), grouped by village."""
    from .selectors import electricity_payments

    day = quarter_end(year, quarter)
    paid = electricity_payments(programme, year, quarter).order_by().values("household_id")
    poor = records_in_force(day, ["poor"]).values("household_id")
    active = Household.objects.active().order_by()
    parts = [active.filter(social_protection=True), active.filter(social_protection=False, pk__in=poor)]
    selects, params = [], []
    for part in parts:
        sql, part_params = part.values("pk", "village_id").query.sql_with_params()
        selects.append(sql)
        params.extend(part_params)
    paid_sql, paid_params = paid.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT entitled.village_id, count(*), count(paid.household_id) "
            f"FROM (({selects[0]}) UNION ALL ({selects[1]})) AS entitled (id, village_id) "
            f"LEFT JOIN ({paid_sql}) AS paid ON paid.household_id = entitled.id GROUP BY entitled.village_id",
            [*params, *paid_params],
        )
        return {village: (households, paid_count) for village, households, paid_count in cursor.fetchall()}


def electricity_counts_build(programme: Programme, year: int, quarter: int) -> int:
    """Count the quarter per village from the live list and keep it counted from now on: its rows replaced in one
    transaction that waits for the writers in flight. Returns how many households the quarter holds."""
    with transaction.atomic():
        _exclusive_lock()
        ElectricityCount.objects.filter(programme=programme, period_year=year, period_quarter=quarter).delete()
        ElectricityQuarter.objects.update_or_create(
            programme=programme,
            period_year=year,
            period_quarter=quarter,
            defaults={"day": quarter_end(year, quarter), "built_at": timezone.now()},
        )
        counts = live_village_counts(programme, year, quarter)
        ElectricityCount.objects.bulk_create(
            ElectricityCount(
                programme=programme,
                period_year=year,
                period_quarter=quarter,
                village_id=village,
                households=households,
                paid=paid,
            )
            for village, (households, paid) in counts.items()
        )
    return sum(households for households, _paid in counts.values())


def electricity_counts_fold() -> int:
    """Add each village's rows of a quarter into one, in one statement (readers see the rows before or after it,
    with the same sums). The triggers append a row per change; this keeps a quarter's range short. The shared lock
    keeps a build from deleting rows this statement has not seen. Returns the rows folded."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [LOCK_KEY])
        cursor.execute(
            """
            WITH gone AS (DELETE FROM programs_electricitycount RETURNING *),
                 sums AS (INSERT INTO programs_electricitycount
                              (programme_id, period_year, period_quarter, village_id, households, paid)
                          SELECT programme_id, period_year, period_quarter, village_id, sum(households), sum(paid)
                            FROM gone GROUP BY programme_id, period_year, period_quarter, village_id
                          HAVING sum(households) <> 0 OR sum(paid) <> 0)
            SELECT count(*) FROM gone
            """
        )
        return cursor.fetchone()[0]


def electricity_counts_keep(today: date | None = None) -> dict[str, int]:
    """Keep the quarters around today's counted for every electricity programme (``KEPT``), build the missing ones,
    stop counting the others, and fold the rows. Run by beat (programs.tasks) and after a rebuild."""
    wanted = set(kept_quarters(today))
    built = dropped = 0
    for programme in Programme.objects.filter(kind=ProgrammeKind.ELECTRICITY):
        have = set(ElectricityQuarter.objects.filter(programme=programme).values_list("period_year", "period_quarter"))
        for year, quarter in sorted(wanted - have):
            electricity_counts_build(programme, year, quarter)
            built += 1
        for year, quarter in sorted(have - wanted):
            with transaction.atomic():
                _exclusive_lock()
                ElectricityQuarter.objects.filter(
                    programme=programme, period_year=year, period_quarter=quarter
                ).delete()
                ElectricityCount.objects.filter(programme=programme, period_year=year, period_quarter=quarter).delete()
            dropped += 1
    return {"built": built, "dropped": dropped, "folded": electricity_counts_fold()}


def electricity_counts_rebuild(today: date | None = None) -> int:
    """Build every kept quarter again from the live count (``manage.py rebuild_electricity_counts``); returns the
    households of the quarters counted."""
    before = set(ElectricityQuarter.objects.values_list("pk", flat=True))
    electricity_counts_keep(today)  # builds the missing quarters, drops the others
    for counted in ElectricityQuarter.objects.filter(pk__in=before).select_related("programme"):
        electricity_counts_build(counted.programme, counted.period_year, counted.period_quarter)
    return ElectricityCount.objects.aggregate(total=Sum("households"))["total"] or 0


def counted_by_village(
    user, *, programme: Programme, year: int, quarter: int, day: date
) -> dict[int | None, tuple[int, int]] | None:
    """The quarter's entitled and paid households of each village ``user`` may see, from the counts, or None when
    the quarter is not counted (the caller counts live). One statement, so that whether the quarter is counted and
    its sums come from one snapshot (a quarter dropped meanwhile is not read as empty)."""
    if day != quarter_end(year, quarter):
        return None
    rows = ElectricityCount.objects.visible_to(user).filter(
        programme=programme, period_year=year, period_quarter=quarter
    )
    try:
        sql, params = rows.order_by().values("village_id", "households", "paid").query.sql_with_params()
    except EmptyResultSet:
        return None
    counted = ElectricityQuarter.objects.filter(programme=programme, period_year=year, period_quarter=quarter, day=day)
    counted_sql, counted_params = counted.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS ({counted_sql}), c.village_id, c.households, c.paid FROM (SELECT 1) AS one "
            f"LEFT JOIN (SELECT v.village_id, sum(v.households) AS households, sum(v.paid) AS paid "
            f"FROM ({sql}) AS v (village_id, households, paid) GROUP BY v.village_id) AS c ON true",
            [*counted_params, *params],
        )
        fetched = cursor.fetchall()
    if not fetched[0][0]:
        return None
    return {village: (households, paid) for _ready, village, households, paid in fetched if households or paid}


def counted_totals(user, *, programme: Programme, year: int, quarter: int, day: date) -> dict[str, int] | None:
    """``counted_by_village`` added up: ``{"households", "unpaid"}``, or None when the quarter is not counted."""
    villages = counted_by_village(user, programme=programme, year=year, quarter=quarter, day=day)
    if villages is None:
        return None
    households = sum(counts[0] for counts in villages.values())
    return {"households": households, "unpaid": households - sum(counts[1] for counts in villages.values())}


def counted_village_totals(programme: Programme, year: int, quarter: int) -> dict[int | None, tuple[int, int]]:
    """The counts' sums per village (for the tests and the rebuild's check against ``live_village_counts``)."""
    rows = (
        ElectricityCount.objects.filter(programme=programme, period_year=year, period_quarter=quarter)
        .order_by()
        .values("village_id")
        .annotate(households=Sum("households"), paid=Sum("paid"))
    )
    return {row["village_id"]: (row["households"], row["paid"]) for row in rows if row["households"] or row["paid"]}
