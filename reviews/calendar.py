"""Dates of the review calendar: windows, regular-review months and working days."""

from datetime import date, timedelta

from areas.choices import UnitLevel

from .choices import RoundKind
from .models import ApprovalChainRule, ReviewWindow


def province_of(commune):
    """The province above a commune (the first unit of its materialised path)."""
    from areas.models import AdministrativeUnit

    return AdministrativeUnit.objects.get(pk=commune.ancestor_ids[0]) if commune.ancestor_ids else commune


def window_for(commune, year: int) -> ReviewWindow:
    """The province's calendar row for the year, or the national default (QĐ 24/2021/QĐ-TTg, Điều 3) unsaved."""
    province = province_of(commune)
    return ReviewWindow.objects.filter(province=province, year=year).first() or ReviewWindow.national_default(
        province, year
    )


def periodic_start_ahead(commune, year: int, today: date) -> date | None:
    """The first day of the province's periodic window for the year when it is still to come, else None.

    Opening the round earlier is allowed (the commune may prepare its lists), only flagged to the officer.
    """
    start = window_for(commune, year).periodic_start
    return start if today < start else None


def add_working_days(start: date, days: int) -> date:
    """The last day of a period of ``days`` working days that begins on ``start`` (Saturday and Sunday skipped).

    Public holidays are not deducted: the list changes every year and is not in the portal yet [U].
    """
    day, counted = start, 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted >= days:
                return day
        day += timedelta(days=1)


def round_dates(commune, kind: str, year: int, month: int | None) -> tuple[date, date, date]:
    """Start, due date and reference date of a round.

    A periodic review in year N sets the lists for year N+1, so it is judged by the standard of 1/1/N+1
    (domain.md §1.1: the 2025 review used the 2022–2025 standard for 2026). A regular review is judged on its
    start date: the 15th of the month; the decision is due 15 days later (QĐ 24/2021/QĐ-TTg, Điều 5).
    """
    window = window_for(commune, year)
    if kind == RoundKind.PERIODIC:
        return window.periodic_start, window.periodic_end, date(year + 1, 1, 1)
    start = date(year, month, window.regular_start_day)
    return start, start + timedelta(days=window.regular_decision_days), start


def required_levels(commune, on: date, kind: str = RoundKind.PERIODIC) -> list[str]:
    """Who approves the commune's lists on a date (domain.md §2.4, §4): the rule row in force, or the default.

    Default: the district gives its opinion where the commune still has a district (QĐ 24/2021, Điều 4 bước 5);
    a commune directly under the province (two-tier government from 01/7/2025) needs no approval. A regular
    (in-year) review is decided by the commune chairman alone within 15 days (QĐ 24/2021, Điều 5).
    """
    if kind == RoundKind.REGULAR:
        return []
    province = province_of(commune)
    rule = ApprovalChainRule.objects.filter(province=province, valid_from__lte=on).order_by("-valid_from").first()
    has_district = commune.parent_id is not None and commune.parent.level == UnitLevel.DISTRICT
    levels = []
    if has_district and (rule.district_step if rule else True):
        levels.append("district")
    if rule and rule.province_step:
        levels.append("province")
    return levels
