"""Reads of the periodic reports for other screens (the dashboard): the deadlines coming up for the officer's
reporting units and the drafts recently prepared for them. Every query starts from ``visible_to(user)``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from areas.choices import UnitLevel

from .models import PeriodicReport, ReportDeadline, ReportKind, ReportStatus
from .schedule import DeadlineOccurrence, deadline_in_year
from .units import reporting_units

# How far ahead the dashboard announces a deadline (before its preparation day as well).
DEADLINE_HORIZON_DAYS = 45
# How long a draft counts as new on the dashboard.
NEW_DRAFT_DAYS = 30


@dataclass(frozen=True)
class UpcomingDeadline:
    """A deadline the officer's reporting unit must meet, and where its report stands."""

    occurrence: DeadlineOccurrence
    unit: object
    report: PeriodicReport | None
    days_left: int

    @property
    def name(self) -> str:
        return self.occurrence.deadline.name

    @property
    def kind(self) -> str:
        return self.occurrence.kind

    @property
    def due_on(self) -> date:
        return self.occurrence.due_on

    @property
    def done(self) -> bool:
        return self.report is not None and self.report.status != ReportStatus.DRAFT


def _units_reporting(user, kind: str, period_end: date) -> list:
    """The units whose report of ``kind`` the user answers for: their own unit when it is a reporting unit (or
    the province, for its roll-up); a commune officer of a reporting district has none."""
    unit = getattr(user, "unit", None)
    if unit is None:
        return []
    if unit.level == UnitLevel.PROVINCE:
        return [unit]
    return [u for u in reporting_units(unit, period_end) if u.pk == unit.pk]


def upcoming_deadlines(user, today: date) -> list[UpcomingDeadline]:
    """Active deadlines due from ``today`` to ``DEADLINE_HORIZON_DAYS`` ahead, for the user's reporting unit, each
    with the unit's current report of that period (draft or finalised) if there is one; nearest first."""
    items = []
    horizon = today + timedelta(days=DEADLINE_HORIZON_DAYS)
    for deadline in ReportDeadline.objects.filter(is_active=True).exclude(kind=ReportKind.REVIEW_RESULTS):
        for year in (today.year, today.year + 1):
            occurrence = deadline_in_year(deadline, year)
            if not today <= occurrence.due_on <= horizon:
                continue
            for unit in _units_reporting(user, occurrence.kind, occurrence.period_end):
                report = (
                    PeriodicReport.objects.visible_to(user)
                    .filter(
                        unit=unit,
                        kind=occurrence.kind,
                        period_start=occurrence.period_start,
                        period_end=occurrence.period_end,
                        status__in=[ReportStatus.DRAFT, ReportStatus.FINALISED],
                    )
                    .order_by("-version")
                    .first()
                )
                items.append(
                    UpcomingDeadline(
                        occurrence=occurrence, unit=unit, report=report, days_left=(occurrence.due_on - today).days
                    )
                )
    return sorted(items, key=lambda item: (item.due_on, item.kind))


def new_drafts(user):
    """Drafts prepared in the last ``NEW_DRAFT_DAYS`` days in the user's scope (by the schedule or a colleague),
    newest first: the province sees its units' drafts, a district or commune its own."""
    since = timezone.now() - timedelta(days=NEW_DRAFT_DAYS)
    return (
        PeriodicReport.objects.visible_to(user)
        .filter(status=ReportStatus.DRAFT, created_at__gte=since)
        .select_related("unit", "job")
        .order_by("-created_at")
    )
