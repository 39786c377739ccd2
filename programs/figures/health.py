"""Health insurance (seed 004 §3.2): cards by reported group, the registry's people and those insured on a day."""

from datetime import date

from django.db import connection, transaction
from django.db.models import Case, Count, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from households.choices import HouseholdState
from households.models import Member

from ..choices import ProgrammeKind
from ..models import Benefit, Programme
from .grouping import Grouping, _by_group, _grouped, _share, of_kind
from .periods import households_of

# Seed 004 §3.2, in its order; a card falls in the first group that applies (card_group).
CARD_GROUPS = ("ethnic_minority", "kinh_region_iii", "poor", "near_poor", "other")
CARD_GROUP_LABELS = {
    "ethnic_minority": gettext_lazy("Người DTTS"),
    "kinh_region_iii": gettext_lazy("Người Kinh vùng III"),
    "poor": gettext_lazy("Người thuộc hộ nghèo"),
    "near_poor": gettext_lazy("Người thuộc hộ cận nghèo"),
    "other": gettext_lazy("Các đối tượng khác"),
}
REGION_III_KEY = "region_iii_commune_codes"


def region_iii_q() -> Q:
    """Cards of a household whose commune is on its programme's list of region III communes (xã khu vực III vùng
    đồng bào DTTS và miền núi: QĐ 582/QĐ-TTg ngày 28/4/2017 for 2016–2020, QĐ 861/QĐ-TTg ngày 04/6/2021 for
    2021–2025), a catalogue parameter an administrator fills in; each programme version carries its own list."""
    q = Q(pk__in=[])
    for pk, parameters in Programme.objects.filter(kind=ProgrammeKind.HEALTH_INSURANCE).values_list("pk", "parameters"):
        item = (parameters or {}).get(REGION_III_KEY)
        codes = item.get("value") if isinstance(item, dict) else None
        if codes:
            q |= Q(programme_id=pk, household__commune__code__in=list(codes))
    return q


def card_group(region_iii: Q | None = None):
    """The reported group of a card (seed 004 §3.2), the first that applies: ethnic minority, Kinh in a region III
    commune, poor, near-poor, other (average-living households included)."""
    return Case(
        When(member__ethnic_group__is_minority=True, then=Value("ethnic_minority")),
        When(region_iii if region_iii is not None else region_iii_q(), then=Value("kinh_region_iii")),
        When(household_status="poor", then=Value("poor")),
        When(household_status="near_poor", then=Value("near_poor")),
        default=Value("other"),
    )


def health_insurance_parts(benefits, grouping: Grouping, day: date, user=None, programmes: dict | None = None) -> dict:
    """Per group: cards issued by reported group and their money (one grouped query), the registry's people and
    those insured on ``day`` (one)."""
    card_programmes = of_kind(programmes, ProgrammeKind.HEALTH_INSURANCE)
    cards = benefits.filter(card_programmes)
    by_group = {key: dict.fromkeys(CARD_GROUPS, 0) for key in grouping.group_keys()}
    budget = dict.fromkeys(grouping.group_keys(), 0)
    for row in _grouped(
        cards.annotate(group=card_group()), grouping, "group", n=Count("pk"), a=Coalesce(Sum("amount"), 0)
    ):
        if row["unit_key"] in by_group:
            by_group[row["unit_key"]][row["group"]] = row["n"]
            budget[row["unit_key"]] += row["a"]
    people = Member.objects.filter(
        grouping.scope_q("household__"), left_at__isnull=True, household__state=HouseholdState.ACTIVE
    )
    if user is not None:  # households_in's scope, through the join the group key reads anyway
        people = people.filter(household__in=households_of(grouping, user))
    valid_registry = Q(health_insurance_valid_from__lte=day) | Q(health_insurance_valid_from__isnull=True)
    valid_registry &= Q(health_insurance_valid_to__gte=day)
    # A card recorded as a benefit, valid on the day: one set the whole count probes (a hashed subplan), not a join
    # that multiplies members by their cards and must be made distinct again.
    carded = Benefit.objects.filter(
        card_programmes,
        grouping.scope_q("household__"),
        card_valid_from__lte=day,
        card_valid_to__gte=day,
        cancelled_at__isnull=True,
        member__isnull=False,
    ).values("member_id")
    measures = {"members": Count("pk"), "insured": Count("pk", filter=valid_registry | Q(pk__in=carded))}
    with transaction.atomic(), connection.cursor() as cursor:
        # The carded set is probed as a hashed subplan only while it fits in work_mem: a province's ≈ 1,4 million
        # cards outgrow PostgreSQL's default 4 MB, and the planner then rescans the cards for every member (a
        # statement of hours at 1.000.000 households, 8 s with the hash; docs/performance.md, "Periodic reports").
        # SET LOCAL lasts until the enclosing transaction ends.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        counted = _by_group(_grouped(people, grouping, **measures), grouping, measures)
    return {key: {"by_group": by_group[key], "budget": budget[key], **counted[key]} for key in grouping.group_keys()}


def health_insurance_finish(part: dict, population) -> dict:
    """The health-insurance figures of one unit; the rate over the official population, never the registry's
    members (seed 004 §3.2: "… so với dân số của huyện")."""
    by_group = part["by_group"]
    return {
        "cards": sum(by_group.values()),
        "by_group": by_group,
        "groups": [
            {"key": group, "label": str(CARD_GROUP_LABELS[group]), "cards": by_group[group]} for group in CARD_GROUPS
        ],
        "population": population.households,
        "population_source": population.source,
        "population_note": population.note,
        "registry_members": part["members"],
        "insured": part["insured"],
        "rate": _share(part["insured"], population.households),
        "budget_amount": part["budget"],
    }
