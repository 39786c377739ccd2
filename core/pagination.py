"""A paginator for lists that may hold a province's worth of rows: the count is exact only up to a limit.

A province holds about a million households: an exact COUNT(*) of them, or of their members or benefits, costs
more than the whole page and tells the officer nothing that "khoảng 1.000.000" does not. Counting is capped by a
LIMIT, so the exact count of a commune, a village or a search costs what its rows cost; past the limit the count
is PostgreSQL's planner estimate, rounded and marked approximate.
"""

import json

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    """Counts exactly up to ``exact_up_to`` rows; past that, PostgreSQL's planner estimate, marked approximate."""

    exact_up_to = 10_000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.approximate = False

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list)
        exact = self.exact_count_up_to(self.exact_up_to + 1)
        if exact <= self.exact_up_to:
            return exact
        self.approximate = True
        return max(self.exact_up_to + 1, round_estimate(planner_rows(self.object_list.order_by().values("pk"))))

    def exact_count_up_to(self, cap: int) -> int:
        """The number of rows, counted no further than ``cap``; a subclass may count them along its own plan."""
        return self.object_list.order_by().values("pk")[:cap].count()


def planner_rows(qs: QuerySet) -> int:
    """The number of rows PostgreSQL expects ``qs`` to return (EXPLAIN, nothing is run)."""
    plan = json.loads(qs.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def round_estimate(rows: int) -> int:
    """An estimate shown to two significant figures (1.023.417 -> 1.000.000), since its last digits mean nothing."""
    if rows < 100:
        return rows
    magnitude = 10 ** (len(str(rows)) - 2)
    return round(rows / magnitude) * magnitude
