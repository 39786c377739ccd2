"""The dashboards' summary table (``CommuneSummary``): computing it, keeping it current, reading it.

One definition of every number: a commune's row for a period is what the live aggregates give when restricted to
that commune (``households.transitions._aggregate`` for the period's movements,
``households.targets.registration_counts`` for the escape registrations, a grouped count of the active households by
village and current class); nothing is added or subtracted incrementally. Database triggers mark a commune stale in
the transaction that changes its households, status records or registrations (migration 0011); after the commit a
Celery task recomputes the marked communes, and beat sweeps every few minutes for marks a lost task left behind and
for rows counted up to an earlier day. ``manage.py rebuild_summaries`` recomputes everything (docs/adr/0036). The
periods kept (``summary_periods``) are this year up to today, the whole of last year and the report calendar's
periods that are not a calendar year (the 6-month report's 01/01–30/06), from the day they begin to the end of the
year they end in (docs/adr/0041, amendment). The year-end report of this year, drafted before 31/12, reads this year's
rows and counts live only the communes holding a status record dated after today (docs/adr/0041, second amendment).

The dashboard reads the rows of the communes in the officer's scope; a commune whose row is stale or missing is
computed live in the same request when there are few of them and they are small (its numbers are then exact),
otherwise its last row is shown and the page says that the figures of those communes are being updated.
"""

import logging
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core.aftercommit import once_after_commit, send_refresh

from .choices import HouseholdState
from .models import CommuneSummary, EscapeRegistration, Household, StatusRecord, SummaryStale
from .transitions import COUNT_FIELDS, ReportPeriod, _aggregate_periods

logger = logging.getLogger(__name__)

# Benchmarks set this to compare the page with the live aggregates it replaced (benchmarks/dashboard.py).
LIVE = False
# At most this many stale or missing communes, holding at most this many households by their last rows, are computed
# live inside a dashboard request; beyond it the page shows their last rows and says they are being updated (a
# province-wide import marks every commune at once; one commune of 6.000 households computed live added ≈ 1,4 s to the
# page on the busy development machine, docs/performance.md).
LIVE_FALLBACK_COMMUNES = 3
LIVE_FALLBACK_HOUSEHOLDS = 3_000
# Communes recomputed per statement by the rebuild and the sweep: enough to keep the statements few, small enough
# that one batch of a million-household province stays a few seconds of work.
BATCH = 8
NOW_KEYS = ("households", "poor", "near_poor")
# The key of ``CommuneSummary.movements`` that holds the same counts per village ({village id: {field: n}}); a row
# stored before it existed lacks it and is refreshed by the sweep (``communes_needing_refresh``).
VILLAGE_MOVEMENTS = "villages"


# --- which periods ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPeriod:
    """A period the table keeps a row of per commune: the rows' key (``period_start``, ``period_end``) and the day
    its movements are counted to (today for this year, the period's last day otherwise)."""

    start: date
    end: date
    counted_to: date

    @property
    def movements(self) -> ReportPeriod:
        """The period ``transitions._aggregate`` counts for these rows, and the one a reader must ask for."""
        return ReportPeriod(self.start, self.counted_to)


def year_periods(today: date | None = None) -> list[StoredPeriod]:
    """This year up to today (the dashboard's, the movement page's default) and the whole of last year (shown beside
    it on the targets page, read by the year-end report of last year)."""
    today = today or timezone.localdate()
    last = today.year - 1
    return [
        StoredPeriod(date(today.year, 1, 1), date(today.year, 12, 31), today),
        StoredPeriod(date(last, 1, 1), date(last, 12, 31), date(last, 12, 31)),
    ]


def calendar_periods(today: date | None = None) -> list[StoredPeriod]:
    """The periods of the report calendar (``reports.schedule``; by default the 6-month report's 01/01–30/06) that
    are not a calendar year, have begun by today and end this year or later: the 6-month report's draft is prepared
    in May (before the period ends) and finalised after it, and both read these rows. A period's movements do not
    depend on the day they are counted on, only on the records (``transitions._aggregate``), so the row of a period
    not yet ended is exact as long as the triggers mark its commune."""
    today = today or timezone.localdate()
    from reports.schedule import periods_begun  # the calendar is the reports'; they read these rows

    return [
        StoredPeriod(start, end, end)
        for start, end in periods_begun(today, (today.year - 1, today.year, today.year + 1))
        if end.year >= today.year and (start, end) != (date(end.year, 1, 1), date(end.year, 12, 31))
    ]


def summary_periods(today: date | None = None) -> list[StoredPeriod]:
    """Every period the table keeps: the two years first, then the report calendar's."""
    return [*year_periods(today), *calendar_periods(today)]


# --- computing ----------------------------------------------------------------------------------------------------


def summary_compute(
    commune_ids: list[int], *, today: date | None = None, stored: StoredPeriod | None = None
) -> dict[int, CommuneSummary]:
    """The rows of these communes for ``stored`` (by default the year of ``today``: this year by default, 31/12 of a
    past year gives that whole year), from the live aggregates restricted to them (``summaries_compute``)."""
    if stored is None:
        today = today or timezone.localdate()
        stored = StoredPeriod(date(today.year, 1, 1), date(today.year, 12, 31), today)
    return summaries_compute(commune_ids, [stored])[0]


def summaries_compute(commune_ids: list[int], periods: list[StoredPeriod]) -> list[dict[int, CommuneSummary]]:
    """The rows of these communes for each of ``periods`` (in that order), from the live aggregates restricted to
    them: the active households now counted once, the movements of every period in one statement
    (``transitions._aggregate_periods``: the households and their records read once, not once per period), the
    escape registrations per period."""
    computed_at = timezone.now()
    rows = [
        {
            pk: CommuneSummary(
                commune_id=pk,
                year=stored.end.year,
                period_start=stored.start,
                period_end=stored.end,
                villages={},
                movements=dict.fromkeys(COUNT_FIELDS, 0),
                counted_to=stored.movements.end,
                computed_at=computed_at,
            )
            for pk in commune_ids
        }
        for stored in periods
    ]
    if not commune_ids or not periods:
        return rows
    households = Household.objects.filter(commune_id__in=commune_ids)
    now = (
        households.filter(state=HouseholdState.ACTIVE)
        .values("commune_id", "village_id", "current_class")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for line in now:
        keys = ["households"] + ([line["current_class"]] if line["current_class"] in ("poor", "near_poor") else [])
        for period_rows in rows:
            row = period_rows[line["commune_id"]]
            village = row.villages.setdefault(str(line["village_id"]), dict.fromkeys(NOW_KEYS, 0))
            for key in keys:
                village[key] += line["n"]
                setattr(row, key, getattr(row, key) + line["n"])
    # Each period's movements per village of the commune, in the same statement; the commune's are their sum (every
    # household falls in exactly one (commune, village) group), kept beside them under VILLAGE_MOVEMENTS.
    movements_of = _aggregate_periods(
        households, [stored.movements for stored in periods], UnitLevel.COMMUNE, also_by=UnitLevel.VILLAGE
    )
    for period_rows, lines in zip(rows, movements_of, strict=True):
        for line in lines:
            key, village = line.pop("unit_key"), line.pop("sub_key")
            if key not in period_rows:
                continue
            movements = period_rows[key].movements
            movements.setdefault(VILLAGE_MOVEMENTS, {})[str(village)] = line
            for name in COUNT_FIELDS:
                movements[name] += line[name]
        for row in period_rows.values():
            row.movements.setdefault(VILLAGE_MOVEMENTS, {})
    from .targets import registration_counts  # targets imports transitions, as this module does

    registrations = EscapeRegistration.objects.active().filter(household__commune_id__in=commune_ids)
    for stored, period_rows in zip(periods, rows, strict=True):
        # the escape registrations of the period's year, their outcome as of its last day
        end = stored.movements.end
        for key, counts in registration_counts(registrations, UnitLevel.COMMUNE, end.year, end).items():
            if key in period_rows:
                period_rows[key].registered, period_rows[key].achieved = counts["registered"], counts["achieved"]
    return rows


def summaries_refresh(commune_ids: list[int], today: date | None = None) -> int:
    """Recompute and store these communes' rows; clears the stale marks read before computing (a mark committed
    meanwhile stays, so that change is counted by the next refresh), for every period the table keeps. Returns how
    many rows were written."""
    written = 0
    periods = summary_periods(today)
    for start in range(0, len(commune_ids), BATCH):
        batch = commune_ids[start : start + BATCH]
        # The marks visible now, by id: a mark of a transaction that commits later (even with a smaller id, ids are
        # drawn before commit) is not among them and stays for the next refresh.
        seen = list(SummaryStale.objects.filter(commune_id__in=batch).values_list("pk", flat=True))
        computed = [row for period_rows in summaries_compute(batch, periods) for row in period_rows.values()]
        with transaction.atomic():
            CommuneSummary.objects.bulk_create(
                computed,
                update_conflicts=True,
                unique_fields=["commune", "period_start", "period_end"],
                update_fields=[
                    "year",
                    "households",
                    "poor",
                    "near_poor",
                    "villages",
                    "movements",
                    "registered",
                    "achieved",
                    "counted_to",
                    "computed_at",
                ],
            )
            if seen:
                SummaryStale.objects.filter(pk__in=seen).delete()
        written += len(computed)
    return written


def communes_needing_refresh(today: date | None = None) -> list[int]:
    """Communes marked stale, without a row for one of the periods kept (``summary_periods``), whose row was counted
    up to an earlier day, or whose row lacks the movements per village."""
    today = today or timezone.localdate()
    stale = set(SummaryStale.objects.values_list("commune_id", flat=True).distinct())
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
    outdated = set()
    for stored in summary_periods(today):
        current = CommuneSummary.objects.filter(
            period_start=stored.start,
            period_end=stored.end,
            counted_to__gte=stored.counted_to,
            movements__has_key=VILLAGE_MOVEMENTS,
        )
        outdated |= set(communes.exclude(pk__in=current.values("commune_id")).values_list("pk", flat=True))
    return sorted(stale | outdated)


def summaries_sweep(today: date | None = None) -> int:
    """Recompute every commune that needs it (``communes_needing_refresh``), again while new marks arrive, and drop
    the rows of periods no longer kept (a year before last, a calendar period of an earlier year or one taken out of
    the calendar): nothing refreshes them, so none may be read again if its period came back."""
    written = 0
    for _round in range(5):
        pending = communes_needing_refresh(today)
        if not pending:
            break
        written += summaries_refresh(pending, today)
    kept = Q()
    for stored in summary_periods(today):
        kept |= Q(period_start=stored.start, period_end=stored.end)
    CommuneSummary.objects.exclude(kept).delete()
    return written


def summaries_rebuild(unit: AdministrativeUnit | None = None) -> int:
    """Recompute the rows of every commune (inside ``unit`` if given); returns how many were written."""
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
    if unit is not None:
        communes = communes.filter(path__startswith=unit.path)
    return summaries_refresh(sorted(communes.values_list("pk", flat=True)))


def summaries_refresh_on_commit() -> None:
    """After the current transaction commits, have the worker recompute the communes it marked stale: once per
    transaction (a rolled-back one sends nothing). A broker that is down only delays the figures until beat's sweep,
    never an error for the officer who saved."""
    once_after_commit(_send_refresh)


def _send_refresh() -> None:
    from .tasks import summaries_sweep_task

    send_refresh(lambda: summaries_sweep_task.delay(), "the summary refresh")


def _changed(sender, **kwargs) -> None:
    summaries_refresh_on_commit()


def connect_signals() -> None:
    """Queue the refresh after every ORM write of a counted row (the triggers have marked the commune already);
    writes by COPY call ``summaries_refresh_on_commit`` themselves or wait for beat's sweep."""
    from django.db.models.signals import post_delete, post_save

    from .models import StatusRecord

    for model in (Household, StatusRecord, EscapeRegistration):
        post_save.connect(_changed, sender=model, dispatch_uid=f"summary-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"summary-{model.__name__}-delete")


# --- reading (the dashboard) --------------------------------------------------------------------------------------


@dataclass
class DashboardFigures:
    """The summary rows in an officer's scope, with the stale ones replaced by live figures where few."""

    unit: AdministrativeUnit | None
    year: int
    communes: list[dict]  # {pk, path, parent_id, parent_level}
    rows: dict[int, CommuneSummary]
    pending: list[int] = field(default_factory=list)  # stale or missing communes shown with their last row
    computed_at: datetime | None = None

    def totals(self) -> dict[str, int]:
        return {key: sum(getattr(row, key) for row in self.rows.values()) for key in NOW_KEYS}

    def counts_under(self, children) -> dict[int, dict[str, int]]:
        """``households.selectors.household_counts_under`` read from the rows."""
        counts = {child.pk: dict.fromkeys(NOW_KEYS, 0) for child in children}
        if self.unit is not None and self.unit.level == UnitLevel.COMMUNE:
            row = self.rows.get(self.unit.pk)
            for child in children:
                village = row.villages.get(str(child.pk)) if row else None
                if village:
                    counts[child.pk].update(village)
            return counts
        for commune in self.communes:
            row = self.rows.get(commune["pk"])
            if row is None:
                continue
            for child in children:
                if commune["path"].startswith(child.path):
                    for key in NOW_KEYS:
                        counts[child.pk][key] += getattr(row, key)
                    break
        return counts

    def grouped(self, level: str) -> list[dict]:
        """The movement counts per unit of ``level`` in the shape of ``transitions._aggregate`` (the None group
        holds communes without a unit of that level), for ``transition_table(grouped=…)``."""
        groups: dict[int | None, dict] = {}
        for commune in self.communes:
            row = self.rows.get(commune["pk"])
            if row is None:
                continue
            if level == UnitLevel.VILLAGE:
                parts = [(int(pk), counts) for pk, counts in row.movements.get(VILLAGE_MOVEMENTS, {}).items()]
            else:
                parts = [(self._key(commune, level), row.movements)]
            for key, counts in parts:
                group = groups.setdefault(key, {"unit_key": key, **dict.fromkeys(COUNT_FIELDS, 0)})
                for name in COUNT_FIELDS:
                    group[name] += counts.get(name, 0)
        # the live aggregate has no group without households (every count counts households): neither has this
        return [group for group in groups.values() if group["households"]]

    def registrations(self, level: str) -> dict[int, dict[str, int]]:
        """``targets.registration_counts`` per unit of ``level``, read from the rows."""
        counts: dict[int, dict[str, int]] = defaultdict(lambda: {"registered": 0, "achieved": 0})
        for commune in self.communes:
            row = self.rows.get(commune["pk"])
            key = self._key(commune, level)
            if row is None or key is None or not row.registered:
                continue
            counts[key]["registered"] += row.registered
            counts[key]["achieved"] += row.achieved
        return dict(counts)

    @staticmethod
    def _key(commune: dict, level: str) -> int | None:
        if level == UnitLevel.COMMUNE:
            return commune["pk"]
        if level == UnitLevel.DISTRICT:
            return commune["parent_id"] if commune["parent_level"] == UnitLevel.DISTRICT else None
        if commune["parent_level"] == UnitLevel.PROVINCE:
            return commune["parent_id"]
        return commune["grandparent_id"]


def dashboard_figures_for(user) -> DashboardFigures | None:
    """The summary rows of this year of the communes the user may see inside their unit (three queries, four more
    when a few communes are computed live); None when the page should use the live aggregates (``LIVE``, a unit below
    a commune, a user who sees nothing)."""
    if not user.is_authenticated:
        return None
    unit = user.unit if user.unit_id else None
    return summary_figures_for(user, unit)


def summary_figures_for(
    user,
    scope: AdministrativeUnit | None,
    *,
    stored: StoredPeriod | None = None,
    exact: bool = False,
    villages: bool = False,
    live_when_none_stored: bool = False,
    through: date | None = None,
) -> DashboardFigures | None:
    """The rows of the period ``stored`` (one of ``summary_periods``; this year up to today by default) of the
    communes the user may see inside ``scope``, with the rows that are stale, missing, counted to another day or
    (``villages``) without the movements per village computed live when they are few and small, or always with
    ``exact`` (a report's snapshot, computed by a background job, is never shown from a stale row). None when the
    live aggregates must answer: ``LIVE``, a user who sees nothing, a user or scope below a commune.

    ``through`` (after the day ``stored`` is counted to) asks for the movements from ``stored.start`` to that day
    instead: the rows of the communes without a status record dated after their day up to ``through``
    (``communes_with_records_after``) answer it as they are, the others are computed live for the whole period and
    never stored (``summary_figures_for_period``, the year-end report of this year)."""
    if LIVE or not user.is_authenticated:
        return None
    unit = user.unit if user.unit_id else None
    if unit is None and not user.is_system_admin:
        return None
    counted = (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)
    if (unit is not None and unit.level not in counted) or (scope is not None and scope.level not in counted):
        return None
    stored = stored or year_periods()[0]
    communes = AdministrativeUnit.objects.visible_to(user).filter(level=UnitLevel.COMMUNE)
    if scope is not None:
        communes = communes.filter(path__startswith=scope.path)
    communes = list(
        communes.annotate(stale=Exists(SummaryStale.objects.filter(commune_id=OuterRef("pk")))).values(
            "pk", "path", "parent_id", "stale", parent_level=F("parent__level"), grandparent_id=F("parent__parent_id")
        )
    )
    ids = [commune["pk"] for commune in communes]
    rows = {
        row.commune_id: row
        for row in CommuneSummary.objects.filter(commune_id__in=ids, period_start=stored.start, period_end=stored.end)
    }

    def usable(row: CommuneSummary) -> bool:
        return row.counted_to == stored.counted_to and (not villages or VILLAGE_MOVEMENTS in row.movements)

    # Communes whose row, counted to its day, would not give the movements to ``through``: always computed live,
    # whatever ``exact`` says (their row is not stale, it answers another question).
    ahead = set()
    if through is not None and through > stored.counted_to and ids:
        ahead = communes_with_records_after(ids, stored.counted_to, through)
    pending = [
        c["pk"]
        for c in communes
        if c["pk"] not in ahead and (c["stale"] or c["pk"] not in rows or not usable(rows[c["pk"]]))
    ]
    size = sum(rows[pk].households for pk in pending if pk in rows)
    few = len(pending) <= LIVE_FALLBACK_COMMUNES and size <= LIVE_FALLBACK_HOUSEHOLDS
    if live_when_none_stored and ahead and len(ahead) + (len(pending) if exact or few else 0) == len(communes):
        return None  # no stored row would be read: one live statement costs less than every row computed
    if pending and (exact or few):
        if live_when_none_stored and len(pending) == len(communes):
            return None  # nothing usable is stored: one live statement costs less than every row computed
        rows.update(summary_compute(pending, stored=stored))
        pending = []
    if ahead:
        rows.update(summary_compute(sorted(ahead), stored=StoredPeriod(stored.start, through, through)))
    if villages and any(not usable(rows[pk]) for pk in pending if pk in rows):
        return None  # rows from before the movements per village: the table is counted live until the sweep
    times = [row.computed_at for pk, row in rows.items() if row.pk is not None and pk not in pending]
    computed_at = min(times) if times else timezone.now()
    return DashboardFigures(
        unit=scope, year=stored.end.year, communes=communes, rows=rows, pending=pending, computed_at=computed_at
    )


# The figures already read inside ``figures_read_once`` (None outside it): {(reader, scope, period, options): figures}.
_READ_ONCE: ContextVar[dict | None] = ContextVar("summary_figures_read_once", default=None)


@contextmanager
def figures_read_once():
    """Inside it, ``summary_figures_for_period`` gives the figures it has read for the same reader, scope, period and
    options again instead of reading them once more: a report's movement section and its appendix rows are then one
    snapshot of the same communes (``reports.content.compute_figures``), and the communes counted live for them (stale
    ones, those with a record dated after today) are counted once, not once per section."""
    token = _READ_ONCE.set({})
    try:
        yield
    finally:
        _READ_ONCE.reset(token)


def summary_figures_for_period(user, scope, period, **options) -> DashboardFigures | None:
    """``summary_figures_for`` when ``period`` is one the table holds (this year up to today, the whole of last
    year, a period of the report calendar such as the 6-month report's) or the whole of this year before it ends,
    else None: every other period is counted live (docs/adr/0041 and its amendments). Read once per
    ``figures_read_once`` block."""
    read = _READ_ONCE.get()
    if read is None:
        return _figures_for_period(user, scope, period, **options)
    reader = (getattr(user, "pk", None), user.unit_id, user.is_system_admin)
    key = (reader, scope.pk if scope is not None else None, period, tuple(sorted(options.items())))
    if key not in read:
        read[key] = _figures_for_period(user, scope, period, **options)
    return read[key]


def _figures_for_period(user, scope, period, **options) -> DashboardFigures | None:
    stored = stored_period(period)
    if stored is not None:
        return summary_figures_for(user, scope, stored=stored, live_when_none_stored=True, **options)
    this_year = year_periods()[0]
    if (period.start, period.end) != (this_year.start, this_year.end):
        return None
    # The year-end report of this year, drafted from 15/11 before the year ends (TT 10/2022/TT-BLĐTBXH, Điều 5: the
    # annual report is due before 1 December): 01/01–31/12 while this year's rows are counted to today. The movements
    # read nothing dated but the status records and the archive entries (``transitions._aggregate``: a household's
    # classes on the day before the period and on its last day, archived by its last day; households carry no date). An
    # archive entry is never dated after its day (``ChangeEntry.at``, ``auto_now_add``). A status record can be dated
    # later: the household page records a decision from any day (``services.status_record_add``, whose only bound is the
    # household's open record), and the annual review's decision puts the lists made by a new standard on its first day,
    # after the signing day (``reviews.services.approval._new_standard_starts``: 01/01/2027 for NĐ 351/2025); only the
    # opening-balance import (``households.opening.importer``: "ngày quyết định không được sau hôm nay") and the
    # decision's signing day refuse a later day. A commune's row counted to today therefore equals its count to 31/12
    # whenever none of its status records begins after today up to 31/12 or ends between today and 30/12 (the record in
    # force on both days is then the same one, the records begun by either day the same set); the communes that hold one
    # are counted live for the whole year (``communes_with_records_after``, docs/adr/0041, second amendment).
    return summary_figures_for(user, scope, stored=this_year, through=period.end, live_when_none_stored=True, **options)


def communes_with_records_after(commune_ids: list[int], day: date, through: date) -> set[int]:
    """The communes among ``commune_ids`` with a status record that makes a household's class on ``through``
    differ from its class on ``day`` as ``transitions._aggregate`` reads them: one that begins after ``day`` up to
    ``through``, or one that ends (its last day) from ``day`` to the day before ``through``. One statement; the
    status records have no index on their days, so it reads them once and looks up the few households it keeps."""
    records = StatusRecord.objects.filter(
        Q(valid_from__gt=day, valid_from__lte=through) | Q(valid_to__gte=day, valid_to__lt=through),
        household__commune_id__in=commune_ids,
    )
    return set(records.values_list("household__commune_id", flat=True).order_by().distinct())


def stored_period(period) -> StoredPeriod | None:
    """The kept period whose rows answer ``period`` (a ``transitions.ReportPeriod``), or None. The years are
    checked first, without a query; the report calendar (one query) only for another period."""
    for stored in year_periods():
        if stored.movements == period:
            return stored
    if period.start == date(period.end.year, 1, 1) and period.end.month == 12 and period.end.day == 31:
        return None  # a whole year other than last year: never a calendar row
    return next((stored for stored in calendar_periods() if stored.movements == period), None)


def period_held(period) -> bool:
    """Whether the table has rows for ``period`` (a ``transitions.ReportPeriod``): this year from 01/01 to today,
    the whole of last year, or a period of the report calendar that has begun (``calendar_periods``)."""
    return stored_period(period) is not None


def households_in_scope(user, scope: AdministrativeUnit | None) -> int:
    """About how many households the user sees inside ``scope``, from this year's summary rows (one query): enough
    to tell a commune from a province before counting anything live."""
    rows = CommuneSummary.objects.visible_to(user).of_year(timezone.localdate().year)
    if scope is not None:
        rows = rows.filter(commune__path__startswith=scope.path)
    return sum(rows.values_list("households", flat=True))
