"""Read-side queries of the report screens: the scoped list and download centre, the status of every reporting
unit for a period, a report's versions, the download log, and the period a new report defaults to.

Every query starts from ``visible_to(user)`` (accounts.scoping): a report outside the officer's unit is never read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit

from .models import PeriodicReport, ReportDeadline, ReportDownload, ReportKind, ReportStatus


def report_list_for(user, filters: dict | None = None) -> QuerySet[PeriodicReport]:
    """The reports the user may see, newest period first, filtered by unit (and the units below it), kind, year of
    the period's end and status; the unit, its parent and the generation job come in the same query."""
    filters = filters or {}
    qs = PeriodicReport.objects.visible_to(user).select_related("unit", "unit__parent", "job")
    unit = filters.get("unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("year"):
        qs = qs.filter(period_end__year=filters["year"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.order_by("-period_end", "unit__path", "kind", "-version")


@dataclass(frozen=True)
class Slice:
    """One page of a list cut without counting the whole list (docs/adr/0021): one row more than the page is read to
    know whether a next page exists."""

    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def page_of(qs: QuerySet, page: str | int | None, per_page: int) -> Slice:
    """Rows ``per_page`` at a time; a page number that is not a positive number is the first page."""
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(qs[start : start + per_page + 1])
    return Slice(rows=rows[:per_page], number=number, has_next=len(rows) > per_page)


def report_versions(user, report: PeriodicReport) -> list[PeriodicReport]:
    """Every version of the same unit, kind and period that the user may see, oldest first."""
    return list(
        PeriodicReport.objects.visible_to(user)
        .filter(unit=report.unit_id, kind=report.kind, period_start=report.period_start, period_end=report.period_end)
        .only("pk", "version", "status", "number", "issued_on")
        .order_by("version")
    )


def downloads_for(user) -> QuerySet[ReportDownload]:
    """The download log of the reports the user may see, newest first, with the report, its unit and the user."""
    return (
        ReportDownload.objects.filter(report__in=PeriodicReport.objects.visible_to(user))
        .select_related("report", "report__unit", "user")
        .order_by("-downloaded_at", "-pk")
    )


def centre_units_for(user) -> QuerySet[AdministrativeUnit]:
    """The units the download centre can be filtered by: provinces, districts and communes the user may see (an
    administrator, who sees the whole country, filters by province or district)."""
    levels = [UnitLevel.PROVINCE, UnitLevel.DISTRICT]
    if not user.is_system_admin:
        levels.append(UnitLevel.COMMUNE)
    return AdministrativeUnit.objects.visible_to(user).filter(level__in=levels).order_by("path")


@dataclass(frozen=True)
class UnitStatus:
    """A reporting unit and its current report of the period (None: "Chưa có báo cáo")."""

    unit: AdministrativeUnit
    report: PeriodicReport | None


def unit_statuses(
    user, *, units: list[AdministrativeUnit], kind: str, period_start: datetime.date, period_end: datetime.date
) -> list[UnitStatus]:
    """For each unit, its current report of ``kind`` for the period: the finalised one if any, else the draft, else
    the newest superseded one; one query for all the units, whatever their number."""
    reports = (
        PeriodicReport.objects.visible_to(user)
        .filter(unit__in=[u.pk for u in units], kind=kind, period_start=period_start, period_end=period_end)
        .order_by("unit_id", "-version")
    )
    rank = {ReportStatus.FINALISED: 0, ReportStatus.DRAFT: 1, ReportStatus.SUPERSEDED: 2}
    best: dict[int, PeriodicReport] = {}
    for report in reports:
        current = best.get(report.unit_id)
        if current is None or rank[report.status] < rank[current.status]:
            best[report.unit_id] = report
    return [UnitStatus(unit=unit, report=best.get(unit.pk)) for unit in units]


def default_period(today: datetime.date) -> tuple[str, int]:
    """The kind and year of the latest report due: the active deadline whose drafts were prepared most recently on
    or before today (TT 10/2022/TT-BLĐTBXH, Điều 5: the 6-month report before 1 June, the annual one before
    1 December). Without a calendar, the 6-month report of this year from June, else last year's annual report."""
    latest: tuple[datetime.date, str, int] | None = None
    for deadline in ReportDeadline.objects.filter(is_active=True).exclude(kind=ReportKind.REVIEW_RESULTS):
        for year in (today.year, today.year - 1):
            try:
                prepared = datetime.date(year, deadline.prepare_month, deadline.prepare_day)
            except ValueError:  # 29/2 in a common year, or a day the month lacks
                continue
            if prepared <= today and (latest is None or prepared > latest[0]):
                latest = (prepared, deadline.kind, year)
    if latest is not None:
        return latest[1], latest[2]
    if today.month >= 6:
        return ReportKind.SIX_MONTH, today.year
    return ReportKind.YEAR_END, today.year - 1
