"""The grouped pass over every figure family, the additive parts it gives each group, adding them up, and the one
step that finishes them into figures (``figures_finish``, for the live pass and the summary rows alike,
docs/adr/0038 and 0040); ``grouped_figures``, ``unit_figures`` and ``child_rollup`` are what the pages and reports
call."""

import json
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from ..choices import ProgrammeKind
from ..models import Programme
from .credit import CREDIT_MEASURES, credit_finish, credit_parts
from .denominators import STATUS_KEYS, grouped_population, grouped_status_counts
from .grouping import Grouping, _by_group, _empty, _grouped
from .health import CARD_GROUPS, health_insurance_finish, health_insurance_parts
from .housing import housing_finish, housing_measures, housing_parts
from .kinds import (
    FUNDER_FIELDS,
    ITEM_FIELDS,
    KIND_MEASURES,
    TOTALLED_KINDS,
    _kind_finish,
    _labelled_rows,
    collation_ranks,
    electricity_finish,
    electricity_parts,
    funder_parts,
    item_parts,
    kind_totals,
)
from .periods import Period, benefits_in, benefits_of
from .programmes import programme_finish, programme_parts
from .training import TRAINING_MEASURES, training_finish, training_parts

OVERALL_MEASURES = {
    "records": Count("pk"),
    "households": Count("household", distinct=True),
    "amount": Coalesce(Sum("amount"), 0),
    "overridden": Count("pk", filter=~Q(override_reason="")),
}


# --- additive parts and the one step that finishes them -------------------------------------------------------------
# A grouped pass gives each group its *parts*: counts and sums (distinct counts too: every household, member and
# record is in one commune), and the sets behind the two distinct counts a commune does not own (decisions, course
# names). Parts are plain JSON (keys are strings, a quantity a decimal string), so they can be stored per commune
# (programs.summary) and added up for a district or a province; ``figures_finish`` derives every share, rate,
# coverage and list from the added parts, for the live pass and the stored rows alike (docs/adr/0040).


def _jsonable(value):
    """Parts as JSON: decimals as strings, sets as sorted lists."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return sorted(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def add_parts(a, b):
    """Two units' parts added: numbers add, a decimal string adds as a decimal, sets unite, maps add key by key."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, dict):
        out = dict(a)
        for key, value in b.items():
            out[key] = add_parts(out.get(key), value)
        return out
    if isinstance(a, list):
        return sorted(set(a) | set(b))
    if isinstance(a, str):
        return str(Decimal(a) + Decimal(b))
    return a + b


def empty_parts() -> dict:
    """The parts of a group without any row (what ``grouped_parts`` gives such a group)."""
    return {
        "overall": _empty(OVERALL_MEASURES),
        "status": dict.fromkeys(STATUS_KEYS, 0),
        "programmes": {},
        "credit": {"total": _empty(CREDIT_MEASURES), "programmes": {}},
        "health": {"by_group": dict.fromkeys(CARD_GROUPS, 0), "budget": 0, "members": 0, "insured": 0},
        "kinds": {str(kind): _empty(KIND_MEASURES) for kind in TOTALLED_KINDS},
        "housing": {**_empty(housing_measures(date(2000, 1, 1))), "deprived_poor": 0},
        "training": {**_empty(TRAINING_MEASURES), "courses": []},
        "quarters": {},
        "items": {},
        "funders": {},
    }


def catalogue() -> dict:
    """The programme catalogue by primary key (one query)."""
    return {p.pk: p for p in Programme.objects.all()}


def grouped_parts(grouping: Grouping, period: Period, user=None, programmes: dict | None = None) -> dict:
    """The additive parts of every support figure for each group of ``grouping``, keyed by the group key, from one
    grouped pass per figure family over the records of the grouping's scope (the number of queries does not depend
    on the number of groups or households)."""
    programmes = programmes if programmes is not None else catalogue()
    benefits = benefits_of(grouping, period, user)
    escaped = next((p.recently_escaped_years for p in programmes.values() if p.code == "VBSP_ESCAPED"), None)
    status = grouped_status_counts(grouping, period.end, user, escaped or 3)
    overall = _by_group(_grouped(benefits, grouping, **OVERALL_MEASURES), grouping, OVERALL_MEASURES)
    rows = programme_parts(benefits, grouping, programmes)
    credit = credit_parts(benefits, grouping, programmes)
    health = health_insurance_parts(benefits, grouping, period.end, user, programmes)
    kinds = kind_totals(benefits, grouping, programmes)
    housing = housing_parts(benefits, grouping, period.end, user, programmes)
    training = training_parts(benefits, grouping, programmes)
    quarters = electricity_parts(benefits, grouping, programmes)
    items = item_parts(benefits, grouping, programmes)
    funders = funder_parts(benefits, grouping)
    return {
        key: _jsonable(
            {
                "overall": overall[key],
                "status": status[key],
                "programmes": rows.get(key, {}),
                "credit": credit[key],
                "health": health[key],
                "kinds": kinds[key],
                "housing": housing[key],
                "training": training[key],
                "quarters": quarters[key],
                "items": items[key],
                "funders": funders[key],
            }
        )
        for key in grouping.group_keys()
    }


def figures_finish(parts: dict, *, unit, children, period: Period, programmes: dict) -> dict:
    """The figures of each child from its parts (``parts`` by the child's pk): the shares, rates, coverage, counts
    of distinct decisions and courses and the ordered lists, with the official population read live (one query for
    the populations, one to order the item and funder names)."""
    grouping = Grouping(unit, children)
    populations = grouped_population(grouping, period.end.year)
    texts = []
    for child in grouping.children:
        for name in ("items", "funders"):
            for key in parts[child.pk][name]:
                texts += [text for text in json.loads(key) if text is not None]
    ranks = collation_ranks(texts)
    result = {}
    for child in grouping.children:
        part = parts[child.pk]
        denominators = part["status"]
        kinds = {kind: _kind_finish(measures) for kind, measures in part["kinds"].items()}
        result[child.pk] = {
            "unit": child,
            "period": period,
            "overall": part["overall"],
            "households_by_status": denominators,
            "programmes": programme_finish(part["programmes"], programmes),
            "credit": credit_finish(part["credit"], programmes, denominators, period),
            "health_insurance": health_insurance_finish(part["health"], populations[grouping.key(child)]),
            "education": kinds[str(ProgrammeKind.EDUCATION)],
            "housing": housing_finish(part["housing"]),
            "water_sanitation": kinds[str(ProgrammeKind.WATER_SANITATION)],
            "livelihood": kinds[str(ProgrammeKind.LIVELIHOOD)],
            "training": training_finish(part["training"]),
            "electricity": {
                **kinds[str(ProgrammeKind.ELECTRICITY)],
                "quarters": electricity_finish(part["quarters"]),
            },
            "in_kind": kinds[str(ProgrammeKind.IN_KIND)],
            "other": kinds[str(ProgrammeKind.OTHER)],
            "items": _labelled_rows(part["items"], ITEM_FIELDS, ranks),
            "funders": _labelled_rows(part["funders"], FUNDER_FIELDS, ranks),
        }
    return result


def live_parts(*, unit, children, period: Period, user=None, programmes: dict | None = None) -> dict:
    """The parts of each child (by pk) from one live grouped pass over the unit's records."""
    grouping = Grouping(unit, children)
    by_key = grouped_parts(grouping, period, user, programmes)
    return {child.pk: by_key[grouping.key(child)] for child in grouping.children}


def grouped_figures(*, unit, children, period: Period, user=None) -> dict:
    """All the support figures of each of ``children`` (units of one level inside ``unit``: a district's
    communes, a commune's villages, a province's districts or communes) for a period, keyed by the child's pk:
    the same dict ``unit_figures`` gives for that child alone. The parts come from the communes' summary rows
    (programs.summary: fresh rows read, the missing or stale communes computed live in one pass over them), or,
    below a commune and while ``programs.summary.LIVE`` is set, from one grouped pass over the records of
    ``unit``; the number of queries does not depend on the number of children or households."""
    from ..summary import summary_parts

    children = list(children)
    programmes = catalogue()
    parts = summary_parts(unit=unit, children=children, period=period, user=user, programmes=programmes)
    if parts is None:
        parts = live_parts(unit=unit, children=children, period=period, user=user, programmes=programmes)
    return figures_finish(parts, unit=unit, children=children, period=period, programmes=programmes)


def unit_figures(*, unit, period: Period, user=None) -> dict:
    """All the support figures of a unit (province, district, commune or village) for a period: the grouped form
    with the unit as its only group, so both give the same numbers by construction."""
    return grouped_figures(unit=unit, children=[unit], period=period, user=user)[unit.pk]


def child_rollup(*, unit, children, period: Period, user=None) -> list[dict]:
    """For each child unit: households reached, records, money — from the summary rows, or one grouped query."""
    from ..summary import summary_parts

    children = list(children)
    parts = summary_parts(unit=unit, children=children, period=period, user=user)
    if parts is not None:
        overall = {child.pk: parts[child.pk]["overall"] for child in children}
    else:
        grouping = Grouping(unit, children)
        grouped = _by_group(
            _grouped(benefits_in(unit, period, user), grouping, **OVERALL_MEASURES), grouping, OVERALL_MEASURES
        )
        overall = {child.pk: grouped[grouping.key(child)] for child in children}
    return [
        {"unit": child, **{k: overall[child.pk][k] for k in ("households", "records", "amount")}} for child in children
    ]
