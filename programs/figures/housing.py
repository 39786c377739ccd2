"""Housing: houses new and repaired, finished and accepted, money per source, and the poor households deprived in
housing."""

from datetime import date

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from ..choices import HousingWork, ProgrammeKind
from ..status import status_q
from .grouping import Grouping, _by_group, _grouped, of_kind
from .periods import households_of

HOUSING_INDICATORS = ["housing_quality", "housing_area"]  # NĐ 07/2021: the two housing indicators


def housing_measures(day: date) -> dict:
    return {
        "households": Count("household", distinct=True),
        "new": Count("pk", filter=Q(housing_work=HousingWork.NEW)),
        "repair": Count("pk", filter=Q(housing_work=HousingWork.REPAIR)),
        "finished": Count("pk", filter=Q(finished_on__isnull=False, finished_on__lte=day)),
        "accepted": Count("pk", filter=Q(accepted_on__isnull=False, accepted_on__lte=day)),
        "central": Coalesce(Sum("amount_central"), 0),
        "local": Coalesce(Sum("amount_local"), 0),
        "mobilised": Coalesce(Sum("amount_mobilised"), 0),
        "household_part": Coalesce(Sum("amount_household"), 0),  # "household" below: a field's name in a grouped query
        "new_amount": Coalesce(Sum("amount", filter=Q(housing_work=HousingWork.NEW)), 0),
        "repair_amount": Coalesce(Sum("amount", filter=Q(housing_work=HousingWork.REPAIR)), 0),
    }


def housing_parts(benefits, grouping: Grouping, day: date, user=None, programmes: dict | None = None) -> dict:
    """Per group: houses new and repaired, finished and accepted by ``day``, money per source, and the poor
    households deprived in housing on ``day`` (two grouped queries)."""
    works = benefits.filter(of_kind(programmes, ProgrammeKind.HOUSING))
    measures = housing_measures(day)
    totals = _by_group(_grouped(works, grouping, **measures), grouping, measures)
    deprived = households_of(grouping, user).filter(
        status_q("poor", day), deprived_indicators__overlap=HOUSING_INDICATORS
    )
    deprived_by_group = {row["unit_key"]: row["n"] for row in _grouped(deprived, grouping, household="", n=Count("pk"))}
    return {key: {**totals[key], "deprived_poor": deprived_by_group.get(key, 0)} for key in grouping.group_keys()}


def housing_finish(part: dict) -> dict:
    totals = {k if k != "household_part" else "household": v for k, v in part.items() if k != "deprived_poor"}
    totals["total"] = totals["central"] + totals["local"] + totals["mobilised"] + totals["household"]
    totals["deprived_poor"] = part["deprived_poor"]
    return totals


def housing_by_group(benefits, grouping: Grouping, day: date, user=None, programmes: dict | None = None) -> dict:
    """Housing figures per group (housing_parts finished)."""
    return {key: housing_finish(part) for key, part in housing_parts(benefits, grouping, day, user, programmes).items()}


def housing_figures(benefits, unit, day: date, user=None) -> dict:
    """Housing figures of one unit (housing_by_group with one group)."""
    return housing_by_group(benefits, Grouping(unit), day, user)[unit.pk]
