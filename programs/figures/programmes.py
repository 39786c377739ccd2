"""The per-programme rows: the additive parts of MEASURES per group and programme, the people reached, and the
rows finished from them."""

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from households.models import Member

from ..choices import ProgrammeKind
from .grouping import Grouping, _decimal, _grouped

MEASURES = {
    "records": Count("pk"),
    "households": Count("household", distinct=True),
    "members": Count("member", distinct=True),
    "amount": Coalesce(Sum("amount"), 0),
    "quantity": Coalesce(Sum("quantity"), None),
    "persons": Coalesce(Sum("persons"), 0),
    "overridden": Count("pk", filter=~Q(override_reason="")),
    # distinct decisions: the number of projects or models behind a programme's records (report 209/BC-UBND, 3.8).
    # A decision may cover several communes, so the parts keep the decisions themselves and the count is taken
    # once the communes are combined.
    "decisions": ArrayAgg("decision", distinct=True, filter=~Q(decision="")),
}


def programme_parts(benefits, grouping: Grouping, programmes: dict) -> dict:
    """Per group and programme (by str(pk)): the additive parts of MEASURES in total and per target group, and the
    people living in the households reached (two grouped queries, plus one for those people)."""
    parts: dict = {key: {} for key in grouping.group_keys()}

    def entry(key, pk):
        return parts.setdefault(key, {}).setdefault(str(pk), {"total": None, "by_status": {}, "people": 0})

    for row in _grouped(benefits, grouping, "programme", **MEASURES):
        entry(row["unit_key"], row["programme"])["total"] = {k: row[k] for k in MEASURES}
    for row in _grouped(benefits, grouping, "programme", "household_status", **MEASURES):
        entry(row["unit_key"], row["programme"])["by_status"][row["household_status"]] = {k: row[k] for k in MEASURES}
    for row in people_reached(benefits, grouping, programmes):
        entry(row["unit_key"], row["programme"])["people"] = row["n"]
    return parts


def programme_finish(part: dict, programmes: dict) -> list[dict]:
    """The per-programme rows of one unit from its parts: people reached by the programme's kind, decisions
    counted, quantities only where they are of one item (in kind)."""
    rows = []
    for spk, entry in part.items():
        programme = programmes.get(int(spk))
        if programme is None or entry["total"] is None:
            continue
        total = _measures_finish(entry["total"])
        if programme.is_member_level:
            reached = total["members"]
        elif programme.kind == ProgrammeKind.IN_KIND:
            reached = total["persons"]
        else:
            reached = entry["people"]
        by_status = {
            status: {"programme": programme.pk, "household_status": status, **_measures_finish(sub)}
            for status, sub in entry["by_status"].items()
        }
        if programme.kind != ProgrammeKind.IN_KIND:  # mixed items (cows, kg of seed): see in_kind_items instead
            total["quantity"] = None
            for sub in by_status.values():
                sub["quantity"] = None
        rows.append(
            {
                "programme": programme,
                "code": programme.code,
                **{k: total[k] for k in MEASURES},
                "people_reached": reached,
                "by_status": by_status,
            }
        )
    return sorted(rows, key=lambda r: (r["programme"].order, r["code"]))


def _measures_finish(measures: dict) -> dict:
    """Parts of MEASURES as figures: decisions counted, a quantity back to a Decimal."""
    return {
        **measures,
        "decisions": len(measures.get("decisions") or []),
        "quantity": _decimal(measures.get("quantity")),
    }


def people_reached(benefits, grouping: Grouping, programmes: dict):
    """Per group and household-level programme (neither member-level nor in kind, which count their own people): the
    people living in the households the programme reached. One pass: the distinct (programme, household) pairs,
    each weighted by the household's present members, instead of a join of every member with every benefit."""
    household_level = [pk for pk, p in programmes.items() if not p.is_member_level and p.kind != ProgrammeKind.IN_KIND]
    pairs = (
        benefits.filter(programme__in=household_level)
        .annotate(unit_key=grouping.expression())
        .values("unit_key", "programme", "household")
        .distinct()
        .order_by()
    )
    pairs_sql, pairs_params = pairs.query.sql_with_params()
    sql = f"""
        WITH pairs (unit_key, programme, household) AS MATERIALIZED ({pairs_sql})
        SELECT pairs.unit_key, pairs.programme, SUM(present.n)
          FROM pairs
          JOIN (SELECT m.household_id, COUNT(*) AS n FROM {Member._meta.db_table} m
                 WHERE m.left_at IS NULL AND m.household_id IN (SELECT household FROM pairs)
                 GROUP BY m.household_id) present ON present.household_id = pairs.household
         GROUP BY pairs.unit_key, pairs.programme
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, pairs_params)
        return [{"unit_key": key, "programme": pk, "n": int(n)} for key, pk, n in cursor.fetchall()]
