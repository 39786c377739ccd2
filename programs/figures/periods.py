"""The period a figure covers and the records and households it reads: a record belongs to the period by its date,
a record paid for a quarter by the quarter (package docstring)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from households.models import Household

from ..models import Benefit
from .grouping import Grouping


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @classmethod
    def half_year(cls, year: int, half: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 6, 30)) if half == 1 else cls(date(year, 7, 1), date(year, 12, 31))

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))


def quarters_in(period: Period) -> list[tuple[int, int]]:
    """The (year, quarter) pairs whose first day falls within the period."""
    pairs = []
    for year in range(period.start.year, period.end.year + 1):
        for quarter in range(1, 5):
            if period.start <= date(year, 3 * quarter - 2, 1) <= period.end:
                pairs.append((year, quarter))
    return pairs


def in_period_q(period: Period) -> Q:
    """A record belongs to the period by its date, a record paid for a quarter by the quarter (package docstring)."""
    by_quarter = Q(pk__in=[])
    for year in {year for year, _quarter in quarters_in(period)}:
        quarters = [q for y, q in quarters_in(period) if y == year]
        by_quarter |= Q(period_year=year, period_quarter__in=quarters)
    dated = Q(period_quarter__isnull=True, date__gte=period.start, date__lte=period.end)
    return dated | (Q(period_quarter__isnull=False) & by_quarter)


def benefits_in(unit, period: Period, user=None):
    """The benefits of the unit's households that belong to the period (and visible to ``user`` if given)."""
    return benefits_of(Grouping(unit), period, user)


def households_in(unit, user=None):
    return households_of(Grouping(unit), user)


def benefits_of(grouping: "Grouping", period: Period, user=None):
    """The benefits of the grouping's scope (a unit and below, or a list of communes) belonging to the period."""
    qs = Benefit.objects.active().filter(in_period_q(period), grouping.scope_q("household__"))
    return qs.visible_to(user) if user is not None else qs


def households_of(grouping: "Grouping", user=None):
    qs = Household.objects.filter(grouping.scope_q()).active()
    return qs.visible_to(user) if user is not None else qs
