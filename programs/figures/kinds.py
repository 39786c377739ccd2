"""The other kinds of support totalled per kind (education, water and sanitation, livelihood, electricity, in kind,
other), electricity by the quarter paid for, the items handed over and the funders, with the lists' order."""

import json

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from ..choices import ProgrammeKind
from .grouping import Grouping, _decimal, _empty, _grouped, _row_key, of_kind
from .programmes import MEASURES

KIND_MEASURES = {
    **{name: MEASURES[name] for name in ("records", "households", "members", "amount", "quantity", "persons")},
    "poor_households": Count("household", distinct=True, filter=Q(household_status="poor")),
    "near_poor_households": Count("household", distinct=True, filter=Q(household_status="near_poor")),
}
TOTALLED_KINDS = (
    ProgrammeKind.EDUCATION,
    ProgrammeKind.WATER_SANITATION,
    ProgrammeKind.LIVELIHOOD,
    ProgrammeKind.ELECTRICITY,
    ProgrammeKind.IN_KIND,
    ProgrammeKind.OTHER,
)


def kind_totals(benefits, grouping: Grouping, programmes: dict) -> dict:
    """Per group and kind of support (TOTALLED_KINDS): records, households, members, money, quantity, persons and
    the poor and near-poor households among them — one grouped query for every kind."""
    rows = _grouped(benefits.filter(of_kind(programmes, *TOTALLED_KINDS)), grouping, "programme__kind", **KIND_MEASURES)
    found = {(row["unit_key"], row["programme__kind"]): row for row in rows}
    return {
        key: {
            str(kind): {k: (found.get((key, kind)) or _empty(KIND_MEASURES))[k] for k in KIND_MEASURES}
            for kind in TOTALLED_KINDS
        }
        for key in grouping.group_keys()
    }


def _kind_finish(part: dict) -> dict:
    return {**part, "quantity": _decimal(part["quantity"])}


def electricity_parts(benefits, grouping: Grouping, programmes: dict) -> dict:
    """Electricity support by the quarter paid for (package docstring): per group, the households and money of each
    (year, quarter), keyed by ``_row_key``."""
    payments = benefits.filter(of_kind(programmes, ProgrammeKind.ELECTRICITY))
    quarters = {key: {} for key in grouping.group_keys()}
    rows = _grouped(
        payments,
        grouping,
        "period_year",
        "period_quarter",
        h=Count("household", distinct=True),
        a=Coalesce(Sum("amount"), 0),
    )
    for row in rows:
        if row["unit_key"] in quarters:
            key = _row_key(row["period_year"], row["period_quarter"])
            quarters[row["unit_key"]][key] = {"households": row["h"], "amount": row["a"]}
    return quarters


def electricity_finish(part: dict) -> list[dict]:
    rows = []
    for key, measures in part.items():
        year, quarter = json.loads(key)
        rows.append({"year": year, "quarter": quarter, **measures})
    # as ORDER BY period_year, period_quarter: a missing year or quarter last
    return sorted(rows, key=lambda r: (r["year"] is None, r["year"] or 0, r["quarter"] is None, r["quarter"] or 0))


ITEM_FIELDS = ("programme__code", "programme__short_name", "item_description")


def item_parts(benefits, grouping: Grouping, programmes: dict) -> dict:
    """Items handed over (livelihood and in-kind) per group: what, how many households, what quantity."""
    items = {key: {} for key in grouping.group_keys()}
    rows = _grouped(
        benefits.filter(of_kind(programmes, ProgrammeKind.LIVELIHOOD, ProgrammeKind.IN_KIND)).exclude(
            item_description=""
        ),
        grouping,
        *ITEM_FIELDS,
        households=Count("household", distinct=True),
        quantity=Coalesce(Sum("quantity"), None),
    )
    for row in rows:
        if row["unit_key"] in items:
            items[row["unit_key"]][_row_key(*(row[f] for f in ITEM_FIELDS))] = {
                "households": row["households"],
                "quantity": row["quantity"],
            }
    return items


FUNDER_FIELDS = ("programme__kind", "funder")


def funder_parts(benefits, grouping: Grouping) -> dict:
    """Per group, kind of support and funder (fund, association, budget): households, records, money (as report
    209/BC-UBND, 3.4–3.6: "Quỹ cứu trợ thiên tai của tỉnh … 7 hộ, 350 triệu đồng; Quỹ vì người nghèo huyện …
    120 triệu đồng")."""
    funders = {key: {} for key in grouping.group_keys()}
    rows = _grouped(
        benefits.exclude(funder=""),
        grouping,
        *FUNDER_FIELDS,
        households=Count("household", distinct=True),
        records=Count("pk"),
        amount=Coalesce(Sum("amount"), 0),
    )
    for row in rows:
        if row["unit_key"] in funders:
            funders[row["unit_key"]][_row_key(*(row[f] for f in FUNDER_FIELDS))] = {
                "households": row["households"],
                "records": row["records"],
                "amount": row["amount"],
            }
    return funders


def _labelled_rows(part: dict, fields: tuple, ranks: dict) -> list[dict]:
    """Rows of a part keyed by ``_row_key`` of ``fields``, in the database's order of those fields (its collation,
    as the lists were always ordered): ``ranks`` gives each text's place in that order."""
    rows = [{**dict(zip(fields, json.loads(key), strict=True)), **measures} for key, measures in part.items()]
    for row in rows:
        if "quantity" in row:
            row["quantity"] = _decimal(row["quantity"])
    return sorted(rows, key=lambda row: tuple(ranks[row[f]] for f in fields))


def collation_ranks(texts) -> dict[str, int]:
    """Each text's place in the database's ORDER BY (one query, none without texts)."""
    texts = sorted(set(texts))
    if not texts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT t FROM unnest(%s::text[]) AS t ORDER BY t", [texts])
        return {text: place for place, (text,) in enumerate(cursor.fetchall())}
