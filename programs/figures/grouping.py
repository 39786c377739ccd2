"""How a grouped pass falls into groups (``Grouping``) and the helpers every figure family shares: the grouped
query, its empty aggregate, one dict per group, benefits of some kinds, shares and the parts' keys and decimals."""

import json
from decimal import Decimal

from django.db.models import CharField, F, Func, IntegerField, Q, Value
from django.db.models.functions import Coalesce

from areas.choices import UnitLevel

from ..models import Programme


class Grouping:
    """The units a grouped pass reports on (children of ``unit``, or ``unit`` alone) and how a row falls into one:
    by its household's commune or village (columns of the household), else by the prefix of its village's
    materialised path (a province's districts); ``unit`` alone is one group. Every household of the scope falls in
    at most one group, so distinct counts per group add up to the scope's. ``Grouping.of_communes`` is a scope of
    chosen communes, each its own group, read through the households' commune column (the summary's refresh)."""

    def __init__(self, unit, children=None):
        self.unit = unit
        self.communes: list[int] | None = None
        self.children = list(children) if children is not None else [unit]
        levels = {child.level for child in self.children}
        depths = {child.path.count("/") for child in self.children}
        if not self.children or [child.pk for child in self.children] == [unit.pk]:
            self.mode = "one"
        elif levels == {UnitLevel.COMMUNE}:
            self.mode = "commune"
        elif levels == {UnitLevel.VILLAGE}:
            self.mode = "village"
        elif len(depths) == 1:
            self.mode = "path"
            # the child's path is the first segments of its villages' paths: "/1/12/" of "/1/12/13/27/"
            self.pattern = f"^((?:[^/]*/){{{depths.pop()}}})"
        else:
            raise ValueError("children of one grouped pass must be of one level")

    @classmethod
    def of_communes(cls, commune_ids) -> "Grouping":
        """The households of these communes (and nothing else), grouped by commune, keyed by the commune's pk."""
        grouping = cls.__new__(cls)
        grouping.unit, grouping.children, grouping.mode = None, [], "commune"
        grouping.communes = sorted(commune_ids)
        return grouping

    def scope_q(self, household: str = "") -> Q:
        """The rows whose household (reached through ``household``) is in the scope."""
        if self.communes is not None:
            return Q(**{f"{household}commune_id__in": self.communes})
        return Q(**{f"{household}village__path__startswith": self.unit.path})

    def key(self, child):
        return child.path if self.mode == "path" else child.pk

    def expression(self, household: str = "household__"):
        """The group key of a row reaching its household through ``household`` ("" for a household itself)."""
        if self.mode == "one":
            return Value(self.unit.pk, output_field=IntegerField())
        if self.mode == "commune":
            return F(f"{household}commune")
        if self.mode == "village":
            return F(f"{household}village")
        return Func(F(f"{household}village__path"), Value(self.pattern), function="substring", output_field=CharField())

    def group_keys(self):
        if self.communes is not None:
            return list(self.communes)
        return [self.key(child) for child in self.children]


def _grouped(queryset, grouping: Grouping, *fields, household: str = "household__", **measures):
    """``queryset`` aggregated by group (and ``fields``): rows with ``unit_key``, the fields and the measures."""
    return (
        queryset.annotate(unit_key=grouping.expression(household))
        .values("unit_key", *fields)
        .annotate(**measures)
        .order_by()
    )


def _empty(measures: dict) -> dict:
    """What ``aggregate`` gives for no rows: 0 for counts, a Coalesce's fallback for sums."""
    empty = {}
    for name, measure in measures.items():
        if isinstance(measure, Coalesce):
            empty[name] = measure.get_source_expressions()[1].value
        else:
            empty[name] = 0
    return empty


def _by_group(rows, grouping: Grouping, measures: dict) -> dict:
    """One dict of measures per group key, the empty aggregate for a group without rows."""
    found = {row["unit_key"]: {k: row[k] for k in measures} for row in rows}
    return {key: found.get(key) or _empty(measures) for key in grouping.group_keys()}


def of_kind(programmes: dict | None, *kinds) -> Q:
    """Benefits of programmes of ``kinds``, named by primary key: the planner then estimates from the statistics of
    ``programme_id`` how many rows a kind has (a join to the catalogue is estimated as an average programme, which
    made it probe a district's households once per health-insurance card)."""
    if programmes is None:
        pks = list(Programme.objects.filter(kind__in=kinds).values_list("pk", flat=True))
    else:
        pks = [pk for pk, programme in programmes.items() if programme.kind in kinds]
    return Q(programme_id__in=pks)


# Shared by the families' finish steps: a share in per cent, a part's decimal string back to a Decimal, and the
# JSON key of one row of a listed part (electricity quarters, items, funders).
def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _decimal(value):
    return None if value is None else Decimal(value)


def _row_key(*values) -> str:
    return json.dumps(list(values), ensure_ascii=False)
