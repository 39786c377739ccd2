"""The support figures' summary table (``SupportSummary``): computing it, keeping it current, reading it.

One definition of every number: a commune's row for a period is ``figures.grouped_parts`` restricted to that commune
(the additive parts of every support figure); a district's or province's figures are its communes' parts added up and
finished by ``figures.figures_finish``, the step the live pass goes through too. Database triggers mark a commune
stale in the transaction that changes its households, members, status records or benefits, and every commune when
the catalogue changes (migration 0010); after the commit a Celery task recomputes the marked communes for every
period they have rows of, and beat sweeps every few minutes for marks a lost task left behind and for the periods
officers ask for by default (this year, its halves, the report calendar's periods). ``manage.py
rebuild_support_summaries`` recomputes everything (docs/adr/0040).

Readers (``grouped_figures`` / ``unit_figures``) use the rows of the communes inside the unit that the user may see;
the communes whose row is missing or stale are computed live in one grouped pass over those communes only, so the
figures are always exact. A web page asks ``support_pending`` first: when that live part would be large (a period
nobody asked for yet, a province-wide import) it queues the rows' computation as a background job and says so
instead of computing for minutes in the request.
"""

import logging
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core.aftercommit import once_after_commit, send_refresh

from .figures import Grouping, Period, add_parts, catalogue, empty_parts, grouped_parts
from .models import SupportStale, SupportSummary

logger = logging.getLogger(__name__)

# Benchmarks and the equality tests set this to read the live aggregates instead of the rows.
LIVE = False
# At most this many missing or stale communes, holding at most this many households, are computed live inside a
# web request; beyond it the page queues their rows and says they are being prepared (one commune of 43.500
# households takes seconds per period at 1.000.500 households, docs/performance.md).
LIVE_FALLBACK_COMMUNES = 3
LIVE_FALLBACK_HOUSEHOLDS = 3_000
# Communes per grouped pass of the refresh: one pass per district-sized batch, not one per commune.
BATCH = 16
# Rows of a period outside the default ones (a custom start and end) are kept current this long after they were
# first computed; after that a change deletes them instead, and the next request computes them again.
CUSTOM_PERIOD_DAYS = 7
LEVELS = (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)


# --- which periods ------------------------------------------------------------------------------------------------


def default_periods(today: date | None = None) -> list[Period]:
    """The periods officers ask for without choosing: this year and its two halves (the figures page's choices),
    and the periods of the report calendar's occurrences due this year or next that have begun (as the drafts'
    ``period_start``/``period_end`` are chosen, reports.schedule)."""
    today = today or timezone.localdate()
    periods = {Period.year(today.year), Period.half_year(today.year, 1), Period.half_year(today.year, 2)}
    from reports.schedule import periods_begun  # reports read these figures; the calendar is theirs

    periods.update(Period(start, end) for start, end in periods_begun(today, (today.year, today.year + 1)))
    return sorted(periods, key=lambda p: (p.start, p.end))


# --- computing ----------------------------------------------------------------------------------------------------


def support_compute(commune_ids: list[int], period: Period, programmes: dict | None = None) -> dict[int, dict]:
    """The parts of these communes for the period: one grouped pass over their households only."""
    if not commune_ids:
        return {}
    return grouped_parts(Grouping.of_communes(commune_ids), period, programmes=programmes)


def _batches(commune_ids) -> list[list[int]]:
    """The communes in batches of neighbours (by path: a district's communes together)."""
    paths = dict(AdministrativeUnit.objects.filter(pk__in=list(commune_ids)).values_list("pk", "path"))
    ordered = sorted(commune_ids, key=lambda pk: paths.get(pk, ""))
    return [ordered[start : start + BATCH] for start in range(0, len(ordered), BATCH)]


def support_refresh(commune_ids, periods: list[Period] | None = None, progress=None) -> int:
    """Recompute and store these communes' rows: for ``periods``, or (None) for the default periods and every other
    period they have recent rows of, clearing the marks read before computing (a mark committed meanwhile stays for
    the next refresh). Returns how many rows were written."""
    commune_ids = sorted(set(commune_ids))
    written, batches = 0, _batches(commune_ids)
    programmes = catalogue()
    for number, batch in enumerate(batches):
        seen = []
        todo = periods
        if periods is None:
            # The marks visible now, by id: a mark of a transaction that commits later is not among them.
            seen = list(SupportStale.objects.filter(commune_id__in=batch).values_list("pk", flat=True))
            todo = _periods_of(batch)
        rows = []
        computed_at = timezone.now()
        for period in todo:
            for pk, data in support_compute(batch, period, programmes).items():
                rows.append(
                    SupportSummary(
                        commune_id=pk,
                        period_start=period.start,
                        period_end=period.end,
                        data=data,
                        computed_at=computed_at,
                    )
                )
        with transaction.atomic():
            SupportSummary.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["commune", "period_start", "period_end"],
                update_fields=["data", "computed_at"],
            )
            if seen:
                SupportStale.objects.filter(pk__in=seen).delete()
        written += len(rows)
        if progress is not None:
            progress(5 + 90 * (number + 1) // len(batches), f"{number + 1}/{len(batches)}")
    return written


def _periods_of(batch: list[int]) -> list[Period]:
    """The default periods and the custom periods these communes have recent rows of; older custom rows of theirs
    are deleted (they would be recomputed at every change while nobody reads them)."""
    defaults = default_periods()
    rows = SupportSummary.objects.filter(commune_id__in=batch)
    custom = ~Q(
        *[Q(period_start=p.start, period_end=p.end) for p in defaults],
        _connector=Q.OR,
    )
    recent = timezone.now() - timedelta(days=CUSTOM_PERIOD_DAYS)
    rows.filter(custom, created_at__lt=recent).delete()
    extra = set(rows.filter(custom).values_list("period_start", "period_end").distinct())
    return defaults + [Period(start, end) for start, end in sorted(extra)]


def communes_needing_refresh(today: date | None = None) -> tuple[list[int], dict[Period, list[int]]]:
    """Communes marked stale, and per default period the communes without a row of it."""
    stale = sorted(set(SupportStale.objects.values_list("commune_id", flat=True).distinct()))
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
    missing = {}
    for period in default_periods(today):
        have = SupportSummary.objects.filter(period_start=period.start, period_end=period.end)
        ids = list(communes.exclude(pk__in=have.values("commune_id")).values_list("pk", flat=True))
        ids = [pk for pk in ids if pk not in stale]
        if ids:
            missing[period] = ids
    return stale, missing


def support_sweep(today: date | None = None) -> int:
    """Recompute every commune that needs it (``communes_needing_refresh``), again while new marks arrive."""
    written = 0
    for _round in range(5):
        stale, missing = communes_needing_refresh(today)
        if not stale and not missing:
            break
        if stale:
            written += support_refresh(stale)
        for period, ids in missing.items():
            written += support_refresh(ids, [period])
    return written


def support_rebuild(unit: AdministrativeUnit | None = None, progress=None) -> int:
    """Recompute the rows of every commune (inside ``unit`` if given) for the default periods and the recent
    custom ones; returns how many rows were written."""
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
    if unit is not None:
        communes = communes.filter(path__startswith=unit.path)
    return support_refresh(list(communes.values_list("pk", flat=True)), progress=progress)


def support_refresh_on_commit() -> None:
    """After the current transaction commits, have the worker recompute the communes it marked stale: once per
    transaction. A broker that is down only delays the rows until beat's sweep, never an error for the officer."""
    once_after_commit(_send_refresh)


def _send_refresh() -> None:
    from .tasks import QUEUE, support_sweep_task

    send_refresh(lambda: support_sweep_task.apply_async(queue=QUEUE), "the support summary refresh")


def _changed(sender, **kwargs) -> None:
    support_refresh_on_commit()


def connect_signals() -> None:
    """Queue the refresh after every ORM write of a counted row (the triggers have marked the commune already);
    writes by COPY or bulk statements wait for beat's sweep."""
    from django.db.models.signals import post_delete, post_save

    from households.models import Household, Member, StatusRecord

    from .models import Benefit, Programme

    for model in (Household, Member, StatusRecord, Benefit, Programme):
        post_save.connect(_changed, sender=model, dispatch_uid=f"support-summary-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"support-summary-{model.__name__}-delete")


# --- reading ------------------------------------------------------------------------------------------------------


def _eligible(unit, children, user) -> bool:
    if LIVE or unit is None or unit.level not in LEVELS:
        return False
    if any(child.level not in LEVELS for child in children):
        return False
    if user is not None and user.is_authenticated and user.unit_id and not user.is_system_admin:
        return user.unit.level in LEVELS  # a scope below a commune is not a set of whole communes
    return True


def _communes(unit, user):
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, path__startswith=unit.path)
    if user is not None:
        communes = communes.visible_to(user)
    return communes


def summary_parts(*, unit, children, period: Period, user=None, programmes: dict | None = None) -> dict | None:
    """The parts of each child (by pk) added up from the rows of its communes that ``user`` may see, the missing or
    stale ones computed live in one pass over them; None where the rows do not apply (``LIVE``, units below a
    commune): the caller then computes live. Two queries, plus the live pass when some commune needs it."""
    children = list(children)
    if not _eligible(unit, children, user):
        return None
    communes = list(
        _communes(unit, user)
        .annotate(stale=Exists(SupportStale.objects.filter(commune_id=OuterRef("pk"))))
        .values_list("pk", "path", "stale")
    )
    ids = [pk for pk, _path, _stale in communes]
    rows = dict(
        SupportSummary.objects.filter(commune_id__in=ids, period_start=period.start, period_end=period.end).values_list(
            "commune_id", "data"
        )
    )
    pending = [pk for pk, _path, stale in communes if stale or pk not in rows]
    if pending:
        rows.update(support_compute(pending, period, programmes))
    parts = {child.pk: empty_parts() for child in children}
    # the longest child path first is not needed: children are of one level, so at most one holds a commune
    for pk, path, _stale in communes:
        for child in children:
            if path.startswith(child.path):
                parts[child.pk] = add_parts(parts[child.pk], rows[pk])
                break
    return parts


def support_pending(*, unit, period: Period, user=None) -> list[int]:
    """The communes of the unit (visible to ``user``) whose rows for the period are missing or stale, when computing
    them live would be too long for a web request (more than LIVE_FALLBACK_COMMUNES, or more households than
    LIVE_FALLBACK_HOUSEHOLDS); empty when the page can be computed now. Two or three queries."""
    if not _eligible(unit, [unit], user):
        return []
    have = SupportSummary.objects.filter(period_start=period.start, period_end=period.end, commune_id=OuterRef("pk"))
    pending = list(
        _communes(unit, user)
        .filter(Q(Exists(SupportStale.objects.filter(commune_id=OuterRef("pk")))) | ~Q(Exists(have)))
        .values_list("pk", flat=True)
    )
    if not pending or len(pending) > LIVE_FALLBACK_COMMUNES:
        return pending
    from households.models import Household

    if Household.objects.filter(commune_id__in=pending).count() > LIVE_FALLBACK_HOUSEHOLDS:
        return pending
    return []
