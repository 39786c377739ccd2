"""Vocational training: trainees, employed, certified, the poor and near-poor among them, courses and money."""

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from ..choices import ProgrammeKind
from .grouping import Grouping, _by_group, _grouped, of_kind

TRAINING_MEASURES = {
    "trainees": Count("member", distinct=True),
    "employed": Count("member", distinct=True, filter=Q(employed_after=True)),
    "certified": Count("member", distinct=True, filter=~Q(certificate="")),
    "poor": Count("member", distinct=True, filter=Q(household_status="poor")),
    "near_poor": Count("member", distinct=True, filter=Q(household_status="near_poor")),
    # the same course may run for several communes: the parts keep the names, counted once combined
    "courses": ArrayAgg("course_name", distinct=True),
    "amount": Coalesce(Sum("amount"), 0),
}


def training_parts(benefits, grouping: Grouping, programmes: dict) -> dict:
    trainees = benefits.filter(of_kind(programmes, ProgrammeKind.TRAINING))
    parts = _by_group(_grouped(trainees, grouping, **TRAINING_MEASURES), grouping, TRAINING_MEASURES)
    for part in parts.values():
        part["courses"] = part["courses"] or []
    return parts


def training_finish(part: dict) -> dict:
    return {**part, "courses": len(part["courses"])}
