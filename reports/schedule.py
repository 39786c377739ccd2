"""The reporting calendar: when each report kind is due and when its drafts are prepared, read from the
``ReportDeadline`` rows administrators edit (TT 10/2022/TT-BLĐTBXH, Điều 5 [P]: the 6-month report before 1 June,
the annual report before 1 December). A daily beat task prepares the drafts that are missing (docs/adr/0025).
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit

from .models import PeriodicReport, ReportDeadline
from .units import reporting_units

logger = logging.getLogger(__name__)


def _day(year: int, month: int, day: int) -> date:
    """The day in that month, or its last day (a deadline on the 31st in a 30-day month)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class DeadlineOccurrence:
    """One deadline in one year: the period reported on, the day drafts are prepared and the due day."""

    deadline: ReportDeadline
    period_start: date
    period_end: date
    prepare_on: date
    due_on: date

    @property
    def kind(self) -> str:
        return self.deadline.kind


def deadline_in_year(deadline: ReportDeadline, year: int) -> DeadlineOccurrence:
    """The occurrence of ``deadline`` due in ``year``; the period ends in the due year (a period whose last month
    comes after the due month is the previous year's), and preparation precedes the due day."""
    due_on = _day(year, deadline.due_month, deadline.due_day)
    period_year = year if deadline.period_end_month <= deadline.due_month else year - 1
    start_year = period_year if deadline.period_start_month <= deadline.period_end_month else period_year - 1
    prepare_on = _day(year, deadline.prepare_month, deadline.prepare_day)
    if prepare_on > due_on:
        prepare_on = _day(year - 1, deadline.prepare_month, deadline.prepare_day)
    return DeadlineOccurrence(
        deadline=deadline,
        period_start=date(start_year, deadline.period_start_month, 1),
        period_end=_day(period_year, deadline.period_end_month, 31),
        prepare_on=prepare_on,
        due_on=due_on,
    )


def open_deadlines(today: date) -> list[DeadlineOccurrence]:
    """The active deadlines whose drafts should exist today: prepare day passed, due day not yet."""
    occurrences = []
    for deadline in ReportDeadline.objects.filter(is_active=True):
        for year in (today.year, today.year + 1):
            occurrence = deadline_in_year(deadline, year)
            if occurrence.prepare_on <= today < occurrence.due_on:
                occurrences.append(occurrence)
    return occurrences


def periods_begun(today: date, years) -> list[tuple[date, date]]:
    """(start, end) of the active deadlines' periods due in ``years`` that have begun by ``today``, each once, in the
    calendar's order: the periods whose drafts are or will be read, which the summary tables keep ready
    (households.summary, programs.summary)."""
    periods = []
    for deadline in ReportDeadline.objects.filter(is_active=True).order_by("pk"):
        for year in years:
            occurrence = deadline_in_year(deadline, year)
            period = (occurrence.period_start, occurrence.period_end)
            if occurrence.period_start <= today and period not in periods:
                periods.append(period)
    return periods


def report_deadlines_prepare(today: date | None = None) -> int:
    """Prepare a draft for every reporting unit of every province that has no report yet for an open deadline's
    period (idempotent: run twice, the second run prepares nothing). Returns how many drafts were prepared."""
    from .services import report_draft_prepare

    today = today or timezone.localdate()
    prepared = 0
    provinces = list(AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).valid_on(today))
    for occurrence in open_deadlines(today):
        for province in provinces:
            for unit in reporting_units(province, occurrence.period_end):
                exists = PeriodicReport.objects.filter(
                    unit=unit,
                    kind=occurrence.kind,
                    period_start=occurrence.period_start,
                    period_end=occurrence.period_end,
                ).exists()
                if exists:
                    continue
                report_draft_prepare(
                    unit=unit,
                    kind=occurrence.kind,
                    period_start=occurrence.period_start,
                    period_end=occurrence.period_end,
                    user=None,
                )
                prepared += 1
    if prepared:
        logger.info("Report schedule: %s drafts prepared", prepared)
    return prepared
