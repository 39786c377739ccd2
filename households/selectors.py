"""Read-side queries for the registry: the scoped, filtered, Vietnamese-sorted household list and its search."""

import re
from collections.abc import Iterable

from django.core.paginator import Paginator
from django.db.models import Count, F, FloatField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Collate
from django.utils.functional import cached_property

from .choices import HouseholdState
from .expressions import SearchNorm, WordSimilarity
from .models import Household, Member

VIETNAMESE = "vi-x-icu"  # ICU collation shipped with PostgreSQL: a ă â b c d đ e ê … in dictionary order

# The list's order; households_name_order_idx has exactly these columns, so any page is an index walk.
LIST_ORDER = (Collate("head_name", VIETNAMESE), "code", "pk")

# An ID number typed in the search box: the 9-digit CMND or the 12-digit CCCD (personal identification number,
# Luật Căn cước 2023, Điều 12), with or without the spaces or dots people group it with.
ID_NUMBER = re.compile(r"\d{9}|\d{12}")


def household_list_for(user, *, filters: dict) -> QuerySet:
    """Households the user may see, filtered as on the list page: best search matches first, else by head's name."""
    qs = Household.objects.visible_to(user).select_related("village")
    if not filters.get("archived"):
        qs = qs.filter(state=HouseholdState.ACTIVE)
    if filters.get("village"):
        qs = qs.filter(village=filters["village"])
    if filters.get("household_class"):
        qs = qs.filter(current_class=filters["household_class"])
    if filters.get("flag") in ("ethnic_minority", "meritorious", "social_protection", "no_labour_capacity"):
        qs = qs.filter(**{filters["flag"]: True})
    if filters.get("indicator"):
        qs = qs.filter(deprived_indicators__contains=[filters["indicator"]])
    query = " ".join((filters.get("q") or "").split())
    if query:
        return household_search(qs, query)
    return qs.order_by(*LIST_ORDER)


def household_search(qs: QuerySet, query: str) -> QuerySet:
    """The households of ``qs`` that the search box's text names: ID number, household code or a person's name.

    Three indexed look-ups, united before they meet the scoped list: an ID number exactly
    (members_personal_id_idx), a code by its beginning, whatever its case (households_code_prefix_idx), and a
    current member's name by trigram word similarity over the normalised name (members_name_trgm_idx), so
    "dang" finds "Đặng", "hlinh" finds "H'Linh" and one wrong letter still finds the name. The head is a member,
    so the head's name is searched with the others. Ranked: a code match first, then by how well the best
    member's name matches, then in the list's order.
    """
    current = Member.objects.current().order_by()
    candidates = Household.objects.order_by().filter(code__istartswith=query).values("pk")
    digits = re.sub(r"[\s.]", "", query)
    if ID_NUMBER.fullmatch(digits):
        candidates = candidates.union(current.filter(personal_id=digits).values("household_id"))
    needle = SearchNorm(Value(query))
    has_letters = any(character.isalpha() for character in query)
    if has_letters:
        named = current.alias(norm_name=SearchNorm("full_name")).filter(norm_name__trigram_word_similar=needle)
        candidates = candidates.union(named.values("household_id"))
    name_rank = Value(0.0)
    if has_letters:
        best = (
            current.filter(household=OuterRef("pk"))
            .annotate(similarity=WordSimilarity(needle, SearchNorm("full_name")))
            .order_by("-similarity")
            .values("similarity")[:1]
        )
        name_rank = Coalesce(Subquery(best, output_field=FloatField()), Value(0.0))
    code_rank = Household.objects.filter(pk=OuterRef("pk"), code__istartswith=query)
    return (
        qs.filter(pk__in=candidates)
        .annotate(search_rank=name_rank)
        .alias(code_match=Subquery(code_rank.values("pk")[:1]))
        .order_by(F("code_match").desc(nulls_last=True), F("search_rank").desc(), *LIST_ORDER)
    )


def member_counts_attach(households: Iterable[Household]) -> list[Household]:
    """Sets ``member_count`` (current members) on the given households only, in one query, and returns them."""
    households = list(households)
    counts = dict(
        Member.objects.current()
        .filter(household__in=[h.pk for h in households])
        .order_by()
        .values_list("household")
        .annotate(n=Count("pk"))
    )
    for household in households:
        household.member_count = counts.get(household.pk, 0)
    return households


class EstimatedCountPaginator(Paginator):
    """Counts exactly up to ``exact_up_to`` rows; past that, PostgreSQL's planner estimate, marked approximate.

    A province holds about a million households: an exact COUNT(*) of them costs more than the whole page and
    tells the officer nothing that "khoảng 1.000.000 hộ" does not. Counting is capped by a LIMIT, so the exact
    count of a commune, a village or a search costs what its rows cost.
    """

    exact_up_to = 10_000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.approximate = False

    @cached_property
    def count(self) -> int:
        rows = self.object_list.order_by().values("pk")
        exact = rows[: self.exact_up_to + 1].count()
        if exact <= self.exact_up_to:
            return exact
        self.approximate = True
        return max(self.exact_up_to + 1, round_estimate(planner_rows(rows)))


def planner_rows(qs: QuerySet) -> int:
    """The number of rows PostgreSQL expects ``qs`` to return (EXPLAIN, nothing is run)."""
    import json

    plan = json.loads(qs.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def round_estimate(rows: int) -> int:
    """An estimate shown to two significant figures (1.023.417 -> 1.000.000), since its last digits mean nothing."""
    if rows < 100:
        return rows
    magnitude = 10 ** (len(str(rows)) - 2)
    return round(rows / magnitude) * magnitude


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
