"""Read-side queries for the registry: the scoped, filtered, Vietnamese-sorted household list."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Collate

from .choices import HouseholdState
from .models import Household, Member

VIETNAMESE = "vi-x-icu"  # ICU collation shipped with PostgreSQL: a ă â b c d đ e ê … in dictionary order


def household_list_for(user, *, filters: dict) -> QuerySet:
    """Households the user may see, filtered as on the list page, sorted by head's name the Vietnamese way."""
    qs = Household.objects.visible_to(user).select_related("village")
    if not filters.get("archived"):
        qs = qs.filter(state=HouseholdState.ACTIVE)
    query = (filters.get("q") or "").strip()
    if query:
        member_match = Member.objects.current().filter(household=OuterRef("pk"), full_name__unaccent__icontains=query)
        qs = qs.filter(Q(head_name__unaccent__icontains=query) | Q(code__icontains=query) | Exists(member_match))
    if filters.get("village"):
        qs = qs.filter(village=filters["village"])
    if filters.get("household_class"):
        qs = qs.filter(current_class=filters["household_class"])
    if filters.get("flag") in ("ethnic_minority", "meritorious", "social_protection", "no_labour_capacity"):
        qs = qs.filter(**{filters["flag"]: True})
    if filters.get("indicator"):
        qs = qs.filter(deprived_indicators__contains=[filters["indicator"]])
    return qs.annotate(member_count=Count("members", filter=Q(members__left_at__isnull=True))).order_by(
        Collate("head_name", VIETNAMESE), "code"
    )


def household_counts_under(unit, children) -> dict[int, dict[str, int]]:
    """For each child unit of ``unit``: active households, poor and near-poor (by current class)."""
    depth = unit.path.count("/")
    counts = {child.pk: {"households": 0, "poor": 0, "near_poor": 0} for child in children}
    by_path = {child.path: child.pk for child in children}
    rows = (
        Household.objects.filter(village__path__startswith=unit.path, state=HouseholdState.ACTIVE)
        .values("village__path", "current_class")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        child_path = "/".join(row["village__path"].split("/")[: depth + 1]) + "/"
        key = by_path.get(child_path)
        if key is None:
            continue
        counts[key]["households"] += row["n"]
        if row["current_class"] in ("poor", "near_poor"):
            counts[key][row["current_class"]] += row["n"]
    return counts


def household_totals_for(user) -> dict[str, int]:
    """Active households the user may see, and how many are poor and near-poor."""
    return (
        Household.objects.visible_to(user)
        .active()
        .aggregate(
            households=Count("pk"),
            poor=Count("pk", filter=Q(current_class="poor")),
            near_poor=Count("pk", filter=Q(current_class="near_poor")),
        )
    )
